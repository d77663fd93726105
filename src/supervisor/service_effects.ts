/**
 * Performs the effects of the service table (service/state.ts `Effect`) on the outside world:
 * spawning, signals, timers, the notify socket, pidfiles and attached pids, process groups,
 * cron schedules and inetd listeners. What an effect learns later (a pid, an exit, a
 * datagram, a tick) comes back as an event through `dispatch`, never as a state change here.
 */
import type { Logger } from "../log/logger.ts";
import { UNKNOWN_EXIT } from "../process/exit_status.ts";
import type { Effect, ProbeKind, ServiceEvent } from "../service/state.ts";
import { findLeftovers } from "./leftovers.ts";
import { readNotify } from "./notify_channel.ts";
import type { SupervisorDeps } from "./ports.ts";
import { processesOf, refusalFor } from "./main_pid_refusal.ts";
import { watchAttached, watchGroup, watchPidfile } from "./process_watch.ts";
import type { ServiceRuntime } from "./runtime.ts";
import { schedule, serveInetdConnection, unschedule } from "./scheduling.ts";
import {
  disableReason,
  serviceArgv,
  serviceCwd,
  spawnProcess,
  spawnRequest,
} from "./service_process.ts";
import { signalPlan } from "./shutdown.ts";
import { errorMessage } from "../text/error_message.ts";
import { SIGNO } from "../process/signals.ts";

/** `_CHAP_SERVICE_TIME` is a date (epoch seconds), the one use of wall time here. */
const wallSeconds = () => Math.floor(Date.now() / 1000);

/** What the effects need from the supervisor. */
export interface EffectsHost {
  dispatch(name: string, event: ServiceEvent): void;
  shuttingDown(): boolean;
  runtimes(): Iterable<ServiceRuntime>;
  logFor(r: ServiceRuntime): Logger;
}

/** The performer of service effects. */
export class ServiceEffects {
  #deps: SupervisorDeps;
  #host: EffectsHost;
  #serial = 0;

  constructor(deps: SupervisorDeps, host: EffectsHost) {
    this.#deps = deps;
    this.#host = host;
  }

  /** Performs one effect for `r` (settled, exit-kills and log are the supervisor's). */
  perform(r: ServiceRuntime, fx: Effect): void {
    const name = r.spec.name;
    const { clock, processes } = this.#deps;
    switch (fx.type) {
      case "clean-leftovers":
        this.#cleanLeftovers(r);
        return;
      case "start-probe":
        this.#probe(r, fx.probe);
        return;
      case "open-notify":
        this.#openNotify(r);
        return;
      case "spawn":
        this.#spawn(r);
        return;
      case "signal": {
        const kill = fx.signal === "SIGKILL";
        const signo = kill ? SIGNO.SIGKILL : r.spec.killSignal;
        for (const t of signalPlan({ ...r.snap, pgid: r.pgid }, signo, kill)) {
          processes.signal(t.pid, t.signo, { group: t.group });
        }
        return;
      }
      case "set-timer": {
        const timer = fx.timer;
        r.timers.set(timer, fx.ms, () => this.#host.dispatch(name, { type: "timer", timer }));
        return;
      }
      case "cancel-timer":
        r.timers.cancel(fx.timer);
        return;
      case "cancel-all-timers":
        r.timers.cancelAll();
        return;
      case "close-notify":
        r.notify?.close();
        r.notify = undefined;
        return;
      case "watch-pidfile":
        this.#watchPidfile(r);
        return;
      case "follow-main":
        this.#followMain(r);
        return;
      case "remove-pidfile":
        if (r.spec.pidfile) {
          try {
            Deno.removeSync(r.spec.pidfile);
          } catch {
            // Already gone.
          }
        }
        return;
      case "watch-group": {
        const stopping = () => r.snap.state === "stopping" || r.snap.state === "job-stopping";
        watchGroup({ clock, processes, active: stopping }, r.pgid, () => {
          this.#host.dispatch(name, { type: "group-gone" });
        });
        return;
      }
      case "schedule":
        this.#schedule(r);
        return;
      case "unschedule":
        unschedule(r, { logger: this.#deps.logger, processes }, { shutdown: false });
        return;
      case "settled":
      case "exit-kills":
      case "log":
        throw new TypeError(`effect ${fx.type} belongs to the supervisor`);
      default: {
        const _exhaustive: never = fx;
        throw new TypeError(`unknown effect ${JSON.stringify(_exhaustive)}`);
      }
    }
  }

  /** argv with argv[0] resolved against the service's PATH; throws naming the program. */
  resolveArgv(r: ServiceRuntime): string[] {
    const env = this.#deps.envFor(r.spec, { serial: 0, time: 0 });
    return serviceArgv(r.spec, env.PATH, this.#deps.processes);
  }

  /**
   * The enable check at start-up (docs/configuration.md, `optional`): false when `r` is an
   * optional or ignore_failures service whose program is missing (it is then disabled).
   */
  enableCheck(r: ServiceRuntime): boolean {
    if (r.spec.type === "cron" || r.spec.type === "inetd") return true;
    try {
      this.resolveArgv(r);
      return true;
    } catch (err) {
      const reason = disableReason(r.spec, errorMessage(err));
      if (!reason) return true;
      this.#deps.logger[reason.level](reason.message);
      return false;
    }
  }

  /**
   * Kills what is left of `r`'s previous run (leftovers.ts): its kill_signal, then SIGKILL once
   * its stop timeout has passed; reports `leftovers-gone` once none of them lives.
   */
  #cleanLeftovers(r: ServiceRuntime): void {
    const name = r.spec.name;
    const { clock, processes } = this.#deps;
    const uid = r.spec.user?.uid;
    const pids = findLeftovers({
      runPids: r.snap.runPids,
      table: processes.list(),
      others: [...this.#host.runtimes()].filter((o) => o !== r).map((o) => processesOf(o, false)),
      self: processes.self,
      uid: uid === 0 ? undefined : uid,
      uidOf: (pid) => processes.inspect(pid)?.uid,
    });
    const gone = () => this.#host.dispatch(name, { type: "leftovers-gone", killed: pids.length });
    if (pids.length === 0) return gone();
    for (const pid of pids) processes.signal(pid, r.spec.killSignal, { group: false });
    const deadline = clock.now() + r.machine.stopTimeoutMs;
    let killed = false;
    let delay = 10;
    const poll = () => {
      if (r.snap.state !== "cleaning") return;
      const left = pids.filter((pid) => processes.pidAlive(pid));
      if (left.length === 0) return gone();
      if (!killed && clock.now() >= deadline) {
        killed = true;
        for (const pid of left) processes.signal(pid, SIGNO.SIGKILL, { group: false });
      }
      clock.setTimeout(poll, delay);
      delay = Math.min(delay * 2, 100);
    };
    clock.setTimeout(poll, delay);
  }

  /**
   * Runs `r`'s ready or health probe: an attempt every interval (the first at once for
   * readiness, after one interval for liveness) for as long as the service is in the probe's
   * state; each result is an event. A newer start of the same probe replaces this loop.
   */
  #probe(r: ServiceRuntime, kind: ProbeKind): void {
    const probe = kind === "ready" ? r.spec.readyProbe : r.spec.healthProbe;
    if (!probe) return;
    const name = r.spec.name;
    const token = Symbol(kind);
    r.probes.set(kind, token);
    const state = kind === "ready" ? "probing" : "running";
    const active = () => r.probes.get(kind) === token && r.snap.state === state;
    const attempt = async () => {
      if (!active()) return;
      const result = probe.source.kind === "log"
        ? r.outputWatch.take(probe.source.pattern, kind === "health")
        : await this.#deps.probes.attempt(probe.source, probe.timeoutMs, this.#probeContext(r));
      if (!active()) return;
      const error = result.ok ? undefined : result.error;
      this.#host.dispatch(name, { type: "probe-result", probe: kind, ok: result.ok, error });
      if (active()) this.#deps.clock.setTimeout(attempt, probe.intervalMs);
    };
    if (kind === "ready") attempt();
    else this.#deps.clock.setTimeout(attempt, probe.intervalMs);
  }

  /** An exec probe runs as the service: its user, environment and directory. */
  #probeContext(r: ServiceRuntime) {
    return {
      env: this.#deps.envFor(r.spec, { serial: this.#serial, time: wallSeconds() }),
      cwd: serviceCwd(r.spec),
      uid: r.spec.user?.uid,
      gid: r.spec.user?.gid,
    };
  }

  /** Opens the notify socket; the process is spawned once it is bound (`notify-opened`). */
  #openNotify(r: ServiceRuntime): void {
    const name = r.spec.name;
    const owner = { uid: r.spec.user?.uid, gid: r.spec.user?.gid };
    this.#deps.notify.open(name, owner).then(
      (channel) => {
        r.notify?.close();
        r.notify = channel;
        readNotify(channel, {
          service: name,
          logger: this.#deps.logger,
          active: () => r.notify === channel,
          onEvent: (event) =>
            event.type === "main-pid"
              ? this.#attach(r, event.pid, "MAINPID")
              : this.#host.dispatch(name, event),
        });
        this.#host.dispatch(name, { type: "notify-opened" });
      },
      (err) =>
        this.#host.dispatch(name, {
          type: "spawn-failed",
          error: `cannot open notify socket: ${errorMessage(err)}`,
        }),
    );
  }

  #spawn(r: ServiceRuntime): void {
    const name = r.spec.name;
    const fail = (error: string) => this.#host.dispatch(name, { type: "spawn-failed", error });
    if (this.#host.shuttingDown()) return fail("system is shutting down");
    const log = this.#host.logFor(r);
    const interactive = name === "CONSOLE" && Deno.stdin.isTerminal();
    let argv: string[];
    let pid: number;
    try {
      argv = this.resolveArgv(r);
      // The environment is expanded for each run: an expansion may fail on this run only
      // (`$(_CHAP_SERVICE_SERIAL:|1|ok|$(X:?boom))`), which is a failed spawn like an exec error.
      const env = this.#deps.envFor(r.spec, {
        serial: ++this.#serial,
        time: wallSeconds(),
        notifySocket: r.notify?.path,
      });
      if (r.machine.watchdogMs) env.WATCHDOG_USEC = String(r.machine.watchdogMs * 1000);
      log.debug(`${name} attempting start '${argv.join(" ")}'... `);
      if (r.spec.debug) {
        // The service's `debug: true` (or settings `debug`): show exactly what it is given.
        const lines = Object.keys(env).sort().map((k) => `${k}=${env[k]}`);
        log.debug(`${name} environment: ${lines.join(" ")}`);
      }
      const request = spawnRequest(r.spec, { argv, env, cwd: serviceCwd(r.spec), interactive });
      r.outputWatch.reset();
      const watch = r.outputWatch;
      const ctx = {
        processes: this.#deps.processes,
        sink: this.#deps.sink,
        logger: log,
        onLine: watch.idle ? undefined : (line: string) => watch.feed(line),
      };
      pid = spawnProcess(ctx, name, request, (ended, status) => {
        this.#host.dispatch(name, { type: "exited", pid: ended.pid, status });
      }).pid;
    } catch (err) {
      return fail(errorMessage(err));
    }
    r.pgid = interactive ? undefined : pid;
    r.refusedPids.clear();
    if (r.spec.exitKills) this.#deps.logger.warn(`system will be killed when '${argv[0]}' exits`);
    this.#host.dispatch(name, { type: "spawned", pid });
  }

  #watchPidfile(r: ServiceRuntime): void {
    const file = r.spec.pidfile;
    if (!file) return;
    const name = r.spec.name;
    const { clock, processes } = this.#deps;
    watchPidfile({
      clock,
      processes,
      file,
      active: () => r.snap.state === "awaiting-pidfile",
      onPid: (pid) => this.#attach(r, pid, "pidfile"),
      onRefused: (why) =>
        this.#host.dispatch(name, {
          type: "pidfile-error",
          error: `${name} pid file refused: ${why}`,
        }),
      onGarbage: () => this.#host.dispatch(name, { type: "pidfile-garbage" }),
    });
  }

  /**
   * The service named `pid` as its main process (MAINPID=, its pidfile). Attached only when it
   * is the service's own (main_pid_refusal.ts); otherwise a refused MAINPID is warned about
   * once per pid and run, and a refused pidfile fails the start.
   */
  #attach(r: ServiceRuntime, pid: number, via: "MAINPID" | "pidfile"): void {
    const name = r.spec.name;
    const refusal = refusalFor(r, pid, this.#host.runtimes(), this.#deps.processes);
    if (refusal === undefined) {
      this.#host.dispatch(name, { type: "main-pid", pid });
      return;
    }
    const error = `${name} attempted to attach the process with PID=${pid} but ${refusal}`;
    if (via === "pidfile") {
      this.#host.dispatch(name, { type: "pidfile-error", error });
    } else if (!r.refusedPids.has(pid)) {
      r.refusedPids.add(pid);
      this.#deps.logger.warn(error);
    }
  }

  /**
   * Follows the main pid the machine just took on. Our own child's exit comes from its status;
   * an orphan's from the reaper; one that someone else collects ends with an unknown status.
   */
  #followMain(r: ServiceRuntime): void {
    const pid = r.snap.mainPid;
    if (pid === undefined || pid === r.snap.pid) return;
    const name = r.spec.name;
    const { clock, processes } = this.#deps;
    watchAttached({ clock, processes, active: () => r.snap.mainPid === pid }, pid, () => {
      this.#host.logFor(r).info(
        `${name} main process PID=${pid} ended; its exit status is unknown (not Chaperone's child)`,
      );
      this.#host.dispatch(name, { type: "exited", pid, status: UNKNOWN_EXIT });
    });
  }

  /** Starts a cron schedule or an inetd listener; answers `scheduled` or `spawn-failed`. */
  #schedule(r: ServiceRuntime): void {
    const name = r.spec.name;
    const error = schedule(r, {
      cron: this.#deps.cron,
      inetd: this.#deps.inetd,
      logger: r.spec.type === "cron" ? this.#host.logFor(r) : this.#deps.logger,
      onTick: () => {
        if (this.#host.shuttingDown() || !r.snap.enabled) return;
        this.#host.dispatch(name, { type: "cron-tick" });
      },
      onConnection: (conn) =>
        serveInetdConnection(conn, {
          name,
          port: r.spec.port ?? 0,
          logger: this.#deps.logger,
          accepting: !this.#host.shuttingDown() && r.snap.enabled && r.listener !== undefined,
          request: () => ({
            argv: this.resolveArgv(r),
            env: this.#deps.envFor(r.spec, { serial: ++this.#serial, time: wallSeconds() }),
            cwd: serviceCwd(r.spec),
            uid: r.spec.user?.uid,
            gid: r.spec.user?.gid,
          }),
          children: r.connections,
          onStart: () => this.#host.dispatch(name, { type: "connection-opened" }),
          onExit: () => this.#host.dispatch(name, { type: "connection-closed" }),
        }),
    });
    this.#host.dispatch(name, error ? { type: "spawn-failed", error } : { type: "scheduled" });
  }
}
