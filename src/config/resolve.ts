/**
 * RawConfig → Config (docs/configuration.md from "`settings`" to "Users and groups";
 * docs/environment.md, "Where expansion happens"): applies every default once, inherits from
 * `settings`, expands directives against each service's environment, converts `enabled` and `port`,
 * splits `command` into argv and resolves users and groups. Logging sections are resolved
 * completely too (resolve_logging.ts), and the console default of Decision 19 in docs/migration.md
 * is added when there is none. Problems that show only after expansion (an `enabled` that is not a
 * boolean, a bad `stdout`, a cron interval, an unknown user, a bad selector) are collected like
 * validate.ts's, each naming file, line and directive; `after`/`before` names that match nothing
 * are warnings (references.ts).
 */
import { parseSignal } from "../process/signals.ts";
import { ConfigError } from "./config_error.ts";
import {
  type Credentials,
  groupId,
  lookupCredentials,
  type UserDirectory,
} from "../users/credentials.ts";
import { toCronerPattern } from "../cron/schedule.ts";
import { Environment } from "./env.ts";
import type { BacktickRunner } from "./expand.ts";
import { enabledOf, expandWith, type Fail, type SectionContext } from "./section_context.ts";
import { DEFAULT_LOGGING, resolveLogging } from "./resolve_logging.ts";
import { warnUnknownReferences } from "./references.ts";
import { resolveProbe } from "./resolve_probe.ts";
import { resolveRestart } from "./resolve_restart.ts";
import { bool, num, str } from "./scalars.ts";
import { parseListenAddress } from "./listen_address.ts";
import type {
  Config,
  EnvSpec,
  LoggingSpec,
  RawConfig,
  RawSection,
  ServiceSpec,
  ServiceType,
  Settings,
  SourcePos,
} from "./schema.ts";
import { splitShellWords } from "../text/shell_words.ts";
import { parseSocketMode, sectionKind, splitNameList } from "./validate.ts";
import { errorMessage } from "../text/error_message.ts";

export { parseEnabled } from "./scalars.ts";

/** Inputs of resolution besides the raw configuration. */
export interface ResolveOptions {
  /** Chaperone's own environment (with `_CHAP_CONFIG_DIR` when set). */
  readonly env: Readonly<Record<string, string>>;
  /** Runs and caches `$(\`cmd\`)` expansions (shared with the run, so each runs once). */
  readonly backticks?: BacktickRunner;
  /** `--user`/`--create-user` name: the default uid for services and logging. */
  readonly user?: string;
  readonly users: UserDirectory;
  /** Settings forced from the command line (`--ignore-failures`, `--no-syslog`). */
  readonly extraSettings?: { ignore_failures?: boolean; enable_syslog?: boolean };
  /** `--disable-services`: every service is defined but disabled. */
  readonly disableServices?: boolean;
  /** `--no-console-log`: logging sections lose `stdout` and `stderr`, and there is no default. */
  readonly noConsoleLog?: boolean;
  /**
   * `--task`: no console default when there is no logging section (Decision 19 in
   * docs/migration.md).
   */
  readonly noDefaultLogging?: boolean;
  /** The configuration path as resolved, for messages (`no services configured in ...`). */
  readonly path?: string;
  /** Sections that failed validation; they are left out instead of reported twice. */
  readonly skipSections?: ReadonlySet<string>;
  onWarning?(message: string): void;
}

/** The resolved configuration and every problem found on the way. */
export interface ResolveResult {
  readonly config: Config;
  readonly errors: readonly ConfigError[];
}

/**
 * Default `log_buffer_lines`: the figure; the memory it may cost is bounded in
 * characters too (docs/configuration.md, "`settings`").
 */
export const DEFAULT_LOG_BUFFER_LINES = 1000;

/** Default process_timeout per service type, used when neither service nor settings set it. */
export const PROCESS_TIMEOUTS: Readonly<Record<ServiceType, number>> = {
  simple: 30,
  forking: 30,
  oneshot: 60,
  notify: 300,
  cron: 60,
  inetd: 60,
};

const DIGITS_REGEXP = /^\d+$/;

/** The environment directives of one level; an empty `env_inherit` means everything. */
export function envSpecOf(section: RawSection): EnvSpec {
  const inherit = Array.isArray(section.env_inherit)
    ? section.env_inherit.filter((v): v is string => typeof v === "string")
    : [];
  const unset = Array.isArray(section.env_unset)
    ? section.env_unset.filter((v): v is string => typeof v === "string")
    : [];
  const set: Record<string, string> = {};
  const raw = section.env_set;
  if (typeof raw === "object" && raw !== null && !Array.isArray(raw)) {
    for (const [k, v] of Object.entries(raw)) {
      // Decision 7 in docs/migration.md: numbers and booleans written without quotes become
      // strings; null is empty.
      if (v === null || v === undefined) set[k] = "";
      else if (typeof v !== "object") set[k] = String(v);
    }
  }
  return { inherit: inherit.length > 0 ? inherit : ["*"], set, unset };
}

/** Resolves a merged, validated RawConfig; never throws for configuration problems. */
export function resolveConfig(raw: RawConfig, options: ResolveOptions): ResolveResult {
  const errors: ConfigError[] = [];
  const fallback: SourcePos = { file: raw.files.at(-1) ?? "(configuration)" };
  const posOf = (section: string, directive?: string): SourcePos =>
    (directive === undefined ? undefined : raw.positions.get(`${section}/${directive}`)) ??
      raw.positions.get(section) ?? fallback;
  const fail = (
    section: string,
    directive: string | undefined,
    message: string,
    cause?: unknown,
    posPath = directive,
  ) =>
    errors.push(
      new ConfigError(message, {
        pos: posOf(section, posPath),
        directive: directive === undefined ? section : `${section}: ${directive}`,
        cause,
      }),
    );
  const skip = options.skipSections ?? new Set<string>();

  const rawSettings = raw.sections.get("settings") ?? {};
  const settings = resolveSettings(rawSettings, options);

  // Settings-level credentials: settings uid, else --user; settings uid is never expanded
  // (docs/configuration.md, "`settings`").
  let settingsUser: Credentials | undefined;
  if (settings.uid !== undefined) {
    const fromCli = str(rawSettings.uid) === undefined;
    settingsUser = options.users.lookupUser(settings.uid);
    if (settingsUser === undefined) {
      if (fromCli) {
        errors.push(new ConfigError(`specified user ('${settings.uid}') does not exist`));
      } else {
        fail("settings", "uid", `user '${settings.uid}' does not exist`);
      }
    } else if (settings.gid !== undefined) {
      const gid = groupId(settings.gid, options.users);
      if (gid === undefined) fail("settings", "gid", `group '${settings.gid}' does not exist`);
      else settingsUser = { ...settingsUser, gid };
    }
  }
  if (settings.controlSocketGroup !== undefined) {
    if (groupId(settings.controlSocketGroup, options.users) === undefined) {
      fail(
        "settings",
        "control_socket_group",
        `group '${settings.controlSocketGroup}' does not exist`,
      );
    }
  }

  const base = Environment.fromRecord(
    { ...options.env },
    options.backticks ? { backticks: options.backticks } : {},
  );
  const settingsEnv = base.derive(settings.env, settingsUser ? { user: settingsUser } : {});

  const services: ServiceSpec[] = [];
  const logging: LoggingSpec[] = [];
  const contextOf = (name: string, pos: SourcePos): SectionContext => ({
    settings,
    settingsUser,
    settingsEnv,
    options,
    pos,
    fail: (directive, message, cause, posPath) => fail(name, directive, message, cause, posPath),
  });
  for (const [name, section] of raw.sections) {
    if (skip.has(name)) continue;
    const kind = sectionKind(name);
    if (kind === "service") {
      const spec = resolveService(name, section, contextOf(name, posOf(name)));
      if (spec !== undefined) services.push(spec);
    } else if (kind === "logging") {
      const spec = resolveLogging(name, section, contextOf(name, posOf(name)));
      if (spec !== undefined) logging.push(spec);
    }
  }
  const anyLogging = [...raw.sections.keys()].some((name) => sectionKind(name) === "logging");
  if (!anyLogging && !options.noConsoleLog && !options.noDefaultLogging) {
    // Decision 19 in docs/migration.md: without any logging section, behave as if `default.logging`
    // sent *.info to stdout, so that `docker logs` shows what the services and the syslog socket
    // receive.
    const { name, section, pos } = DEFAULT_LOGGING;
    const spec = resolveLogging(name, section, contextOf("settings", pos));
    if (spec !== undefined) logging.push({ ...spec, builtin: true });
  }
  if (options.onWarning) warnUnknownReferences(raw, posOf, options.onWarning);

  const config: Config = {
    path: options.path ?? raw.files.at(-1) ?? "",
    settings,
    services,
    logging,
    settingsEnv,
    ...(settingsUser !== undefined ? { user: settingsUser } : {}),
    ...(options.env._CHAP_CONFIG_DIR !== undefined
      ? { configDir: options.env._CHAP_CONFIG_DIR }
      : {}),
  };
  return { config, errors };
}

function resolveSettings(s: RawSection, options: ResolveOptions): Settings {
  const shutdown = num(s.shutdown_timeout) ?? 8;
  const processTimeout = num(s.process_timeout);
  const uid = str(s.uid) ?? options.user;
  const gid = str(s.gid);
  const logrecHostname = str(s.logrec_hostname);
  const controlSocketGroup = str(s.control_socket_group);
  // Validated already (validate.ts): a string here is a problem that was reported there.
  const httpListen = s.http_listen === undefined ? undefined : parseListenAddress(s.http_listen);
  return {
    env: envSpecOf(s),
    ...(uid !== undefined ? { uid } : {}),
    ...(gid !== undefined ? { gid } : {}),
    idleDelay: num(s.idle_delay) ?? 1,
    ignoreFailures: options.extraSettings?.ignore_failures ?? bool(s.ignore_failures) ?? false,
    ...(processTimeout !== undefined ? { processTimeout } : {}),
    startupPause: num(s.startup_pause) ?? 0.5,
    // The original turns 0 into half a second so that a shutdown still lets processes react.
    shutdownTimeout: shutdown === 0 ? 0.5 : shutdown,
    enableSyslog: options.extraSettings?.enable_syslog ?? bool(s.enable_syslog) ?? true,
    detectExit: bool(s.detect_exit) ?? true,
    debug: bool(s.debug) ?? false,
    ...(logrecHostname !== undefined ? { logrecHostname } : {}),
    statusInterval: num(s.status_interval) ?? 30,
    controlSocketMode: parseSocketMode(s.control_socket_mode) ?? 0o600,
    ...(controlSocketGroup !== undefined ? { controlSocketGroup } : {}),
    logBufferLines: num(s.log_buffer_lines) ?? DEFAULT_LOG_BUFFER_LINES,
    ...(httpListen !== undefined && typeof httpListen !== "string" ? { httpListen } : {}),
  };
}

function resolveService(
  name: string,
  s: RawSection,
  ctx: SectionContext,
): ServiceSpec | undefined {
  const { settings, options } = ctx;
  let ok = true;
  const fail: Fail = (directive, message, cause, posPath) => {
    ok = false;
    ctx.fail(directive, message, cause, posPath);
  };
  const type = (str(s.type) ?? "simple") as ServiceType;
  const optional = bool(s.optional) ?? false;
  let enabledByUser = true;

  // Service uid/gid are expanded with the settings environment (docs/configuration.md).
  let serviceUser: Credentials | undefined;
  const uidText = expandWith(ctx.settingsEnv, str(s.uid), "uid", fail);
  if (uidText !== undefined) {
    const gidText = expandWith(ctx.settingsEnv, str(s.gid), "gid", fail);
    const found = lookupCredentials(uidText, gidText, options.users);
    if (found.user !== undefined) {
      serviceUser = found.user;
    } else if (!optional) {
      fail(found.problem.directive, found.problem.message);
    } else if (DIGITS_REGEXP.test(uidText) && (gidText === undefined || found.gid !== undefined)) {
      // An optional service keeps numeric ids it cannot look up, without user variables.
      serviceUser = { uid: Number(uidText), gid: found.gid ?? Number(uidText) };
    } else {
      enabledByUser = false;
      options.onWarning?.(`optional service ${name} disabled: ${found.problem.message}`);
    }
  }

  const envSpec = envSpecOf(s);
  // A service uid makes this level's user (HOME/USER/LOGNAME when it exists in passwd).
  const env = ctx.settingsEnv
    .derive(envSpec, serviceUser ? { user: serviceUser } : {})
    .with("_CHAP_SERVICE", name);
  const expand = (directive: string): string | undefined =>
    expandWith(env, str(s[directive]), directive, fail);

  const command = expand("command") ?? "";
  let argv: string[] = [];
  try {
    argv = splitShellWords(command);
    if (argv.length === 0 && ok) fail("command", "expands to an empty command");
  } catch (err) {
    fail("command", errorMessage(err), err);
  }

  const enabled = enabledOf(s.enabled, (text) => expandWith(env, text, "enabled", fail), fail);

  const outputMode = (directive: "stdout" | "stderr"): "log" | "inherit" => {
    const text = expand(directive);
    if (text === undefined || text === "log" || text === "inherit") return text ?? "log";
    fail(directive, `expected log or inherit, got ${JSON.stringify(text)}`);
    return "log";
  };
  const stdout = outputMode("stdout");
  const stderr = outputMode("stderr");

  let interval: string | undefined;
  if (s.interval !== undefined) {
    interval = expand("interval");
    // Only cron services use the interval, so only theirs must parse.
    if (interval !== undefined && type === "cron") {
      try {
        toCronerPattern(interval);
      } catch (err) {
        fail("interval", errorMessage(err), err);
      }
    }
  }

  let port: number | undefined;
  if (s.port !== undefined) {
    const text = expand("port");
    if (text !== undefined) {
      const n = DIGITS_REGEXP.test(text.trim()) ? Number(text.trim()) : NaN;
      if (!(n >= 0 && n <= 65535)) fail("port", `invalid integer parameter: '${text}'`);
      else port = n;
    }
  }

  const probe = (directive: "ready_probe" | "health_probe") => {
    const value = s[directive];
    if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
    const spec = resolveProbe(directive, value as RawSection, env, fail);
    if (spec?.source.kind === "log" && stdout === "inherit" && stderr === "inherit") {
      fail(directive, "a log probe reads the service's output, but stdout and stderr are inherit");
    }
    return spec;
  };
  const readyProbe = probe("ready_probe");
  const healthProbe = probe("health_probe");

  const directory = expand("directory");
  const pidfile = expand("pidfile");
  const user = serviceUser ?? ctx.settingsUser;
  let killSignal = 15;
  if (s.kill_signal !== undefined) {
    try {
      killSignal = parseSignal(s.kill_signal as string | number);
    } catch (err) {
      fail("kill_signal", errorMessage(err), err);
    }
  }
  if (!ok) return undefined;

  const groups = typeof s.service_groups === "string" ? splitNameList(s.service_groups) : [];
  const watchdogTimeout = num(s.watchdog_timeout);
  return {
    name,
    type,
    command,
    argv,
    enabled: enabled && enabledByUser && !options.disableServices,
    optional,
    ignoreFailures: bool(s.ignore_failures) ?? settings.ignoreFailures,
    exitKills: bool(s.exit_kills) ?? false,
    ...resolveRestart(s),
    killSignal,
    processTimeout: num(s.process_timeout) ?? settings.processTimeout ?? PROCESS_TIMEOUTS[type],
    startupPause: num(s.startup_pause) ?? settings.startupPause,
    ...(watchdogTimeout ? { watchdogTimeout } : {}),
    ...(pidfile !== undefined ? { pidfile } : {}),
    ...(directory !== undefined ? { directory } : {}),
    stdout,
    stderr,
    ...(interval !== undefined ? { interval } : {}),
    ...(port !== undefined ? { port } : {}),
    ...(readyProbe !== undefined ? { readyProbe } : {}),
    ...(healthProbe !== undefined ? { healthProbe } : {}),
    groups: groups.length > 0 ? groups : ["default"],
    after: typeof s.after === "string" ? splitNameList(s.after) : [],
    before: typeof s.before === "string" ? splitNameList(s.before) : [],
    ...(user !== undefined ? { user } : {}),
    debug: bool(s.debug) ?? settings.debug,
    env: envSpec,
    pos: ctx.pos,
  };
}
