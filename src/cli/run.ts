/**
 * `chaperone [options] [command [args...]]`: the composition root of a run, linear like tini's main
 * (README.md, "Architecture"): options → PID check → user → configuration → logging → syslog →
 * reaper → supervisor → signals → start → control → wait → clean up.
 *
 * The path from exec to the first spawn holds only what that spawn needs (docs/benchmarks.md,
 * "Boot and footprint"): the configuration, the graph, /dev/log and the notify sockets. What
 * no first spawn needs is imported when it is first used, so a boot neither compiles nor keeps
 * it: the control socket and FIFO start right after the first services do, inetd's listener
 * and the probes load with the first service that has them, `--debug`'s dump only then.
 */
import denoJson from "../../deno.json" with { type: "json" };
import type { ChaperoneOptions } from "./options.ts";
import { killSwitch } from "./options.ts";
import { loadConfig } from "../config/mod.ts";
import { ConfigError, ConfigErrors } from "../config/config_error.ts";
import type { Config, ServiceSpec } from "../config/schema.ts";
import type { Credentials } from "../users/credentials.ts";
import { type Environment, serviceEnvironment } from "../config/env.ts";
import { BacktickRunner } from "../config/expand.ts";
import { createLogger, type LogTarget, StderrSink } from "../log/logger.ts";
import type { LogRecord, LogSink } from "../log/record.ts";
import { Severity } from "../log/record.ts";
import { createUser, lookupGroup, lookupUser, parseCreateUserSpec } from "../process/users.ts";
import { Spawner } from "../process/spawn.ts";
import { becomeSubreaper, isPid1, killAll, startReaper } from "../process/reaper.ts";
import { DependencyGraph } from "../system/graph.ts";
import { Supervisor } from "../supervisor/supervisor.ts";
import { realProcesses } from "./adapters.ts";
import { lazyInetd, lazyProbes } from "./lazy_ports.ts";
import { createReloader } from "./reload.ts";
import { ExitError } from "./exit_error.ts";
import { schedule } from "../cron/schedule.ts";
import { realNotify } from "./notify_adapter.ts";
import { LogRouter } from "../syslog/router.ts";
import { listenSyslog, type SyslogListener } from "../syslog/listener.ts";
import { serviceLogsFor } from "../syslog/service_logs.ts";
import { startHttp } from "./http_start.ts";
import { ensureRuntimeDir, isDirWritable, runtimePaths } from "./runtime_paths.ts";
import { pathExists } from "./path_exists.ts";
import { installCrashGuard } from "./crash_guard.ts";
import { hostNotifier } from "./host_notify.ts";
import { onSignals, signalName, SIGNO } from "../process/signals.ts";
import { systemClock } from "../sys/clock.ts";
import { serviceLeaders, serviceOfPid } from "./record_service.ts";
import { errorMessage } from "../text/error_message.ts";

/** Signals a container runtime may send that are passed on to the CONSOLE command. */
const FORWARDED: readonly number[] = [
  SIGNO.SIGHUP,
  SIGNO.SIGUSR1,
  SIGNO.SIGUSR2,
  SIGNO.SIGQUIT,
  SIGNO.SIGWINCH,
];

function write(stream: "stdout" | "stderr", text: string): void {
  const bytes = new TextEncoder().encode(text);
  try {
    (stream === "stdout" ? Deno.stdout : Deno.stderr).writeSync(bytes);
  } catch {
    // Console gone.
  }
}

/** A sink that hands records to whichever sink is current (stderr first, then the router). */
class SwitchSink implements LogSink {
  constructor(public target: LogSink) {}
  write(record: LogRecord): void {
    this.target.write(record);
  }
}

/** Runs Chaperone with parsed options; resolves to the process exit code. */
export async function runCommand(opts: ChaperoneOptions, argv0: string): Promise<number> {
  if (opts.task) Deno.env.set("_CHAP_TASK_MODE", "1");
  if (opts.debug) write("stdout", `COMMAND OPTIONS ${JSON.stringify(opts)}\n`);

  const pid1 = isPid1();
  if (!pid1 && !opts.force) {
    throw new ExitError(
      "Normally, chaperone expects to run as PID 1 in the 'init' role.\nIf you want to go ahead anyway, use --force.\n",
      { stream: "stdout" },
    );
  }
  const tty = Deno.stdin.isTerminal();
  Deno.env.set("_CHAP_INTERACTIVE", tty ? "1" : "0");
  const exitKills = killSwitch(opts, tty);
  if (opts.task && opts.command === undefined) {
    throw new ExitError("--task can only be used if a shell command is specified as an argument\n");
  }

  // The user services run as by default, and the base of a relative --config.
  let user: Credentials | undefined;
  if (opts.createUser !== undefined) {
    try {
      const spec = parseCreateUserSpec(opts.createUser);
      user = await createUser({
        ...spec,
        ...(opts.defaultHome !== undefined ? { defaultHome: opts.defaultHome } : {}),
      });
    } catch (err) {
      throw new ExitError(`--create-user failure: ${errorMessage(err)}\n`);
    }
  } else if (opts.user !== undefined) {
    user = lookupUser(opts.user);
    if (!user) {
      throw new ExitError(`Configuration Error: specified user ('${opts.user}') does not exist\n`);
    }
  }

  const stderrSink = new StderrSink(opts.logLevel ?? Severity.WARN);
  const sink = new SwitchSink(stderrSink);
  const target: LogTarget = {
    sink,
    threshold: Severity.DEBUG,
    tag: argv0.split("/").pop() || "chaperone",
    pid: Deno.pid,
  };
  const logger = createLogger(target);
  // From here on a bug that escapes a callback is logged and PID 1 lives on (crash_guard.ts).
  const removeCrashGuard = installCrashGuard((message) => logger.error(message));

  const backticks = new BacktickRunner({ onError: (m) => logger.error(m) });
  let config: Config;
  // The configuration as this run reads it: at start, and again for `ctl reload`.
  const load = () =>
    loadConfig(opts.config, {
      env: Deno.env.toObject(),
      ...(user?.name !== undefined ? { user: user.name } : {}),
      extraSettings: {
        ...(opts.ignoreFailures ? { ignore_failures: true } : {}),
        ...(opts.noSyslog ? { enable_syslog: false } : {}),
      },
      disableServices: opts.disableServices,
      noConsoleLog: opts.noConsoleLog,
      noDefaultLogging: opts.task,
      backticks,
      onWarning: (msg) => logger.warn(msg),
    });
  try {
    config = await load();
  } catch (err) {
    if (err instanceof ConfigErrors) {
      throw new ExitError(err.errors.map((e) => `Configuration Error: ${e.message}\n`).join(""));
    }
    if (err instanceof ConfigError) {
      throw new ExitError(`Configuration Error: ${err.message}\n`);
    }
    throw err;
  }
  if (config.configDir !== undefined) Deno.env.set("_CHAP_CONFIG_DIR", config.configDir);

  if (config.services.length === 0 && opts.command === undefined) {
    throw new ExitError(
      `no services configured in ${config.path}\nThere are no services configured to run, nor is there a command specified\non the command line to run as an application.  You need to do one or the other.\n`,
      { stream: "stdout" },
    );
  }

  // The environments: process → settings (built by the configuration) → service
  // (docs/environment.md).
  const settingsEnv = config.settingsEnv;

  const services = [...config.services];
  if (opts.command !== undefined) {
    try {
      services.push(buildConsole(opts, config, exitKills, tty, settingsEnv, user));
    } catch (err) {
      // An expansion in the command's arguments failed (`$(X:?message)`, a bad `:/` form).
      throw new ExitError(`Configuration Error: command line: ${errorMessage(err)}\n`);
    }
  }
  if (opts.disableServices) {
    if (opts.command === undefined) {
      throw new ExitError("--disable-services not valid without specifying a command to run\n");
    }
    if (config.services.length > 0) {
      logger.warn("services will not be configured due to --disable-services");
    }
  }

  let graph: DependencyGraph;
  try {
    graph = DependencyGraph.from(services);
  } catch (err) {
    throw new ExitError(`Configuration Error: ${errorMessage(err)}\n`);
  }
  if (opts.showDependencies) {
    write("stdout", graph.format() + "\n");
    return 0;
  }
  if (opts.debug) {
    write("stdout", (await import("./config_dump.ts")).formatConfigDump(config, services));
  }
  // Syslog and logging sections.
  // As PID 1 of a container /dev is ours. Under --force on a host, never take over a /dev/log
  // that already exists (the host's syslog): use the per-user runtime directory instead.
  const devWritable = isDirWritable("/dev") && (pid1 || !pathExists("/dev/log"));
  const paths = runtimePaths({ devWritable });
  if (paths.runtimeDir !== undefined) {
    try {
      ensureRuntimeDir(paths.runtimeDir);
    } catch (err) {
      // Someone else's directory under /tmp, a symlink, an unwritable parent: nothing can start.
      throw new ExitError(`chaperone: ${errorMessage(err)}\n`);
    }
    logger.info(`/dev is not writable: sockets are in ${paths.runtimeDir}`);
  }
  // Chaperone's own messages go to the logging sections, plus stderr (warnings) as before.
  // Chaperone's warnings reach stderr when there is no logging section at all (only with
  // --no-console-log or --task: otherwise the default section of Decision 19 in docs/migration.md
  // prints them), or when syslog is off and no section prints to the console (docs/logging.md).
  const warnToStderr = config.logging.length === 0 ||
    (!config.settings.enableSyslog && !config.logging.some((l) => l.stdout || l.stderr));
  const late: { supervisor?: Supervisor } = {};
  // The service a /dev/log sender belongs to: the `service` of json/logfmt lines, and the
  // service whose `ctl logs` shows the message (record_service.ts).
  const ownerOfPid = serviceOfPid({ services: () => serviceLeaders(late.supervisor) });
  let router: LogRouter;
  try {
    router = new LogRouter(config.logging, {
      serviceOfPid: ownerOfPid,
      report: (severity, message) => logger[severity](message),
      // A log output's failure that only that output would show also goes to stderr.
      ...(warnToStderr ? {} : { unheard: stderrSink }),
      ...(opts.logLevel !== undefined ? { forcedLevel: opts.logLevel } : {}),
    });
  } catch (err) {
    throw new ExitError(`system startup cancelled due to error: ${errorMessage(err)}\n`);
  }
  // `ctl logs` keeps every service's lines before the sections select (Decision 26).
  const serviceLogs = serviceLogsFor(config.settings.logBufferLines, services.length, ownerOfPid);
  const routed = serviceLogs?.before(router) ?? router;
  sink.target = {
    write(record) {
      routed.write(record);
      // A critical message (the start-up cancelled) also reaches stderr whatever the sections
      // do with it, as docs/exit-codes.md promises: a file-only configuration would hide it.
      if (warnToStderr || record.severity <= Severity.CRIT) stderrSink.write(record);
    },
  };
  if (opts.ignoreFailures) {
    logger.warn("ignoring failures on all service startups due to --ignore-failures");
  }
  // Variables Chaperone itself gives every service, besides the _CHAP_* ones.
  const serviceVars: Record<string, string> = {};
  let syslog: SyslogListener | undefined;
  if (config.settings.enableSyslog) {
    try {
      syslog = listenSyslog(paths.syslogSocket, routed, {
        report: (severity, message) => logger[severity](message),
      });
      // Services learn where it is: under --force as a user it is not /dev/log (Decision 20,
      // docs/migration.md).
      serviceVars.CHAPERONE_SYSLOG_SOCKET = paths.syslogSocket;
      logger.info(`Switching all chaperone logging to ${paths.syslogSocket}`);
    } catch (err) {
      logger.warn(`syslog service cannot be started: ${errorMessage(err)}`);
    }
  }

  // PID 1 duties.
  const spawner = new Spawner();
  if (!pid1) {
    try {
      becomeSubreaper();
    } catch (err) {
      logger.warn(errorMessage(err));
    }
  }
  const reaper = startReaper({
    isOwned: (pid) => spawner.owns(pid),
    onReap: (pid, status) => late.supervisor?.onReaped(pid, status),
  });

  const host = hostNotifier(Deno.env.get("NOTIFY_SOCKET"), logger);
  const notifyPort = realNotify(paths.notifyDir);
  const serviceEnvs = new Map<string, Environment>();
  const envOf = (spec: ServiceSpec): Environment => {
    let env = serviceEnvs.get(spec.name);
    if (!env) {
      env = serviceEnvironment(settingsEnv, spec);
      serviceEnvs.set(spec.name, env);
    }
    return env;
  };

  const inetd = await lazyInetd(spawner, reaper, services.some((s) => s.type === "inetd"));
  const sup = new Supervisor({
    services,
    graph,
    processes: realProcesses(spawner),
    notify: notifyPort,
    cron: { schedule },
    inetd,
    clock: systemClock,
    probes: lazyProbes(spawner, systemClock),
    logger,
    sink,
    hostNotify: host,
    envFor(spec, extras) {
      let env = envOf(spec)
        .with("_CHAP_SERVICE_SERIAL", String(extras.serial))
        .with("_CHAP_SERVICE_TIME", String(extras.time));
      for (const [name, value] of Object.entries(serviceVars)) env = env.with(name, value);
      if (extras.notifySocket !== undefined) env = env.with("NOTIFY_SOCKET", extras.notifySocket);
      return env.publicEnv();
    },
    idleDelay: config.settings.idleDelay,
    shutdownTimeout: config.settings.shutdownTimeout,
    detectExit: config.settings.detectExit,
    isPid1: pid1,
    killAll: (signo) => {
      try {
        killAll(signo);
      } catch {
        // Nothing left to signal.
      }
    },
    statusInterval: config.settings.statusInterval,
  });
  late.supervisor = sup;

  // Signals.
  const removeSignals = onSignals([SIGNO.SIGTERM, SIGNO.SIGINT, ...FORWARDED], (signo) => {
    if (signo === SIGNO.SIGTERM) {
      sup.shutdown({ code: 0, reason: "SIGTERM" });
    } else if (signo === SIGNO.SIGINT) {
      write("stdout", "\nCtrl-C ... killing chaperone.\n");
      sup.shutdown({ code: 130, reason: "SIGINT" }, { forced: true });
    } else if (!sup.forwardToConsole(signo)) {
      logger.debug(`${signalName(signo)} received; no command to pass it to`);
    }
  });

  logger.info(`chaperone version ${denoJson.version}, ready.`);
  sup.start();

  // Control endpoints, and inetd's module for services added later (lazy_ports.ts).
  void inetd.warm().catch((err) => logger.warn(`inetd support cannot load: ${errorMessage(err)}`));
  let control: { close(): Promise<void> } | undefined;
  const { serveControl } = await import("../control/server.ts");
  const { supervisorHandler } = await import("./control_handler.ts");
  try {
    // Decision 9: the default user of services (--user, --create-user, settings uid) owns the
    // endpoints, so that its services can use telchap; root can anyway. (Only root can give
    // a file away; a non-root run keeps its own sockets.)
    const user = config.user;
    const owner = user !== undefined && user.uid !== 0 && Deno.uid() === 0 ? user : undefined;
    const gid = config.settings.controlSocketGroup !== undefined
      ? lookupGroup(config.settings.controlSocketGroup)?.gid
      : owner?.gid;
    control = serveControl(
      {
        socketPath: paths.controlSocket,
        fifoPath: paths.controlFifo,
        mode: config.settings.controlSocketMode,
        ...(owner !== undefined ? { uid: owner.uid } : {}),
        ...(gid !== undefined ? { gid } : {}),
        logger,
      },
      supervisorHandler(sup, {
        version: denoJson.version,
        router,
        logger,
        reload: createReloader({
          load,
          config,
          extraServices: services.filter((s) => s.name === "CONSOLE"),
          supervisor: sup,
          router,
          log: (message) => logger.info(message),
        }),
        setOwnLevel: (level) => target.threshold = level,
        logs: serviceLogs,
      }),
    );
  } catch (err) {
    logger.warn(`command service cannot be started: ${errorMessage(err)}`);
  }
  const parts = { sup, clock: systemClock, router, syslog, reaper, serviceLogs, logger };
  const http = await startHttp(config.settings.httpListen, parts);

  const ending = await sup.finished;

  removeCrashGuard();
  removeSignals();
  await http?.close().catch(() => {});
  await control?.close().catch(() => {});
  await syslog?.close();
  reaper.close();
  router.flush();
  await router.close();
  host?.close();
  try {
    Deno.removeSync(paths.notifyDir); // only when empty: every notify socket removes itself
  } catch {
    // Not there, or still in use.
  }
  return ending.code;
}

/** The command-line command as the CONSOLE service (docs/command-line.md). */
function buildConsole(
  opts: ChaperoneOptions,
  config: Config,
  exitKills: boolean,
  tty: boolean,
  settingsEnv: Environment,
  user: Credentials | undefined,
): ServiceSpec {
  // Each argument is expanded, not re-split; an expansion error is the caller's.
  const argv = [opts.command ?? "", ...opts.args].map((a) => settingsEnv.expand(a));
  return {
    name: "CONSOLE",
    type: "simple",
    command: argv.join(" "),
    argv,
    enabled: true,
    optional: false,
    ignoreFailures: !opts.task,
    exitKills,
    restart: false,
    restartPolicy: "never",
    restartLimit: 0,
    restartDelay: 0,
    restartBackoff: 1,
    restartDelayMax: 0,
    killSignal: tty ? SIGNO.SIGHUP : SIGNO.SIGTERM,
    processTimeout: config.settings.processTimeout ?? 30,
    startupPause: 0,
    stdout: "inherit",
    stderr: "inherit",
    groups: ["IDLE"],
    after: [],
    before: [],
    ...(user ? { user } : {}),
    debug: false,
    env: { inherit: ["*"], set: {}, unset: [] },
    pos: { file: "<command line>" },
  };
}
