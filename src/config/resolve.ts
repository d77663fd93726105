/**
 * RawConfig → Config (spec §2.6–§2.8, §3.5, §5.8): applies every default once, inherits from
 * `settings`, expands directives against each service's environment, converts `enabled` and
 * `port`, splits `command` into argv and resolves users and groups. Problems that show only after
 * expansion (an `enabled` that is not a boolean, a bad `stdout`, a cron interval, an unknown
 * user) are collected like validate.ts's, each naming file, line and directive.
 */
import { parseSignal } from "../process/signals.ts";
import { ConfigError } from "./config_error.ts";
import { toCronerPattern } from "./cron_interval.ts";
import { Environment } from "./env.ts";
import type { BacktickRunner } from "./expand.ts";
import type {
  Config,
  Credentials,
  EnvSpec,
  LoggingSpec,
  RawConfig,
  RawSection,
  ServiceSpec,
  ServiceType,
  Settings,
  SourcePos,
} from "./schema.ts";
import { splitShellWords } from "./shell_words.ts";
import { parseSocketMode, sectionKind, splitNameList } from "./validate.ts";

/** The user database seam (process/users.ts in production, a temp root in tests). */
export interface UserDirectory {
  lookupUser(nameOrId: string): Credentials | undefined;
  lookupGroup(nameOrId: string): { readonly gid: number } | undefined;
}

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
  /** `--no-console-log`: logging sections lose `stdout` and `stderr`. */
  readonly noConsoleLog?: boolean;
  /** Sections that failed validation; they are left out instead of reported twice. */
  readonly skipSections?: ReadonlySet<string>;
  onWarning?(message: string): void;
}

/** The resolved configuration and every problem found on the way. */
export interface ResolveResult {
  readonly config: Config;
  readonly errors: readonly ConfigError[];
}

/** Default process_timeout per service type, used when neither service nor settings set it. */
export const PROCESS_TIMEOUTS: Readonly<Record<ServiceType, number>> = {
  simple: 30,
  forking: 30,
  oneshot: 60,
  notify: 300,
  cron: 60,
  inetd: 60,
};

const TRUE_WORDS = ["y", "yes", "true", "on"];
const FALSE_WORDS = ["n", "no", "false", "off", ""];
const DIGITS_REGEXP = /^\d+$/;

/** Converts an `enabled` value (§2.7): booleans as they are, strings by word; else undefined. */
export function parseEnabled(value: unknown): boolean | undefined {
  if (typeof value === "boolean") return value;
  if (typeof value !== "string") return undefined;
  const word = value.trim().toLowerCase();
  if (TRUE_WORDS.includes(word)) return true;
  if (FALSE_WORDS.includes(word)) return false;
  return undefined;
}

function str(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return undefined;
}

function num(value: unknown): number | undefined {
  return typeof value === "number" && Number.isFinite(value) ? value : undefined;
}

function bool(value: unknown): boolean | undefined {
  return typeof value === "boolean" ? value : undefined;
}

/** The environment directives of one level; an empty `env_inherit` means everything (§2.6). */
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
      // Decision 7: numbers and booleans written without quotes become strings; null is empty.
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
  const fail = (section: string, directive: string | undefined, message: string, cause?: unknown) =>
    errors.push(
      new ConfigError(message, {
        pos: posOf(section, directive),
        directive: directive === undefined ? section : `${section}: ${directive}`,
        cause,
      }),
    );
  const skip = options.skipSections ?? new Set<string>();

  const rawSettings = raw.sections.get("settings") ?? {};
  const settings = resolveSettings(rawSettings, options);

  // Settings-level credentials: settings uid, else --user (§5.8). settings uid is never expanded.
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
  for (const [name, section] of raw.sections) {
    if (skip.has(name)) continue;
    const kind = sectionKind(name);
    if (kind === "service") {
      const spec = resolveService(name, section, {
        settings,
        settingsUser,
        settingsEnv,
        options,
        pos: posOf(name),
        fail: (directive, message, cause) => fail(name, directive, message, cause),
      });
      if (spec !== undefined) services.push(spec);
    } else if (kind === "logging") {
      logging.push(resolveLogging(name, section, settings, options, posOf(name)));
    }
  }

  const config: Config = {
    settings,
    services,
    logging,
    settingsEnv,
    ...(options.env._CHAP_CONFIG_DIR !== undefined
      ? { configDir: options.env._CHAP_CONFIG_DIR }
      : {}),
  };
  return { config, errors };
}

function groupId(nameOrId: string, users: UserDirectory): number | undefined {
  const group = users.lookupGroup(nameOrId);
  if (group !== undefined) return group.gid;
  // A numeric gid is taken as it is (§3.1), like setgid() would.
  return DIGITS_REGEXP.test(nameOrId) ? Number(nameOrId) : undefined;
}

function resolveSettings(s: RawSection, options: ResolveOptions): Settings {
  const shutdown = num(s.shutdown_timeout) ?? 8;
  const processTimeout = num(s.process_timeout);
  const uid = str(s.uid) ?? options.user;
  const gid = str(s.gid);
  const logrecHostname = str(s.logrec_hostname);
  const controlSocketGroup = str(s.control_socket_group);
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
  };
}

interface ServiceContext {
  readonly settings: Settings;
  readonly settingsUser: Credentials | undefined;
  readonly settingsEnv: Environment;
  readonly options: ResolveOptions;
  readonly pos: SourcePos;
  fail(directive: string, message: string, cause?: unknown): void;
}

function resolveService(
  name: string,
  s: RawSection,
  ctx: ServiceContext,
): ServiceSpec | undefined {
  const { settings, options } = ctx;
  let ok = true;
  const fail = (directive: string, message: string, cause?: unknown) => {
    ok = false;
    ctx.fail(directive, message, cause);
  };
  const type = (str(s.type) ?? "simple") as ServiceType;
  const optional = bool(s.optional) ?? false;
  let enabledByUser = true;

  // Service uid/gid are expanded with the settings environment (§2.7).
  let serviceUser: Credentials | undefined;
  const uidText = expandWith(ctx.settingsEnv, str(s.uid), "uid", fail);
  if (uidText !== undefined) {
    const gidText = expandWith(ctx.settingsEnv, str(s.gid), "gid", fail);
    const found = options.users.lookupUser(uidText);
    let gid = found?.gid;
    let gidKnown = true;
    if (gidText !== undefined) {
      gid = groupId(gidText, options.users);
      gidKnown = gid !== undefined;
    }
    if (found === undefined || !gidKnown) {
      const what = found === undefined
        ? ["uid", `user '${uidText}' does not exist`]
        : ["gid", `group '${gidText}' does not exist`];
      if (!optional) {
        fail(what[0]!, what[1]!);
      } else if (DIGITS_REGEXP.test(uidText) && (gidText === undefined || gid !== undefined)) {
        // An optional service keeps numeric ids it cannot look up, without user variables.
        serviceUser = { uid: Number(uidText), gid: gid ?? Number(uidText) };
      } else {
        enabledByUser = false;
        options.onWarning?.(`optional service ${name} disabled: ${what[1]}`);
      }
    } else {
      serviceUser = { ...found, gid: gid! };
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
    fail("command", (err as Error).message, err);
  }

  let enabled = true;
  if (typeof s.enabled === "boolean") {
    enabled = s.enabled;
  } else if (typeof s.enabled === "string") {
    const text = expand("enabled");
    if (text !== undefined) {
      const parsed = parseEnabled(text);
      if (parsed === undefined) fail("enabled", `invalid boolean parameter: '${text}'`);
      else enabled = parsed;
    }
  }

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
    // Only cron services use the interval (§2.7), so only theirs must parse.
    if (interval !== undefined && type === "cron") {
      try {
        toCronerPattern(interval);
      } catch (err) {
        fail("interval", (err as Error).message, err);
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

  const directory = expand("directory");
  const pidfile = expand("pidfile");
  const user = serviceUser ?? ctx.settingsUser;
  let killSignal = 15;
  if (s.kill_signal !== undefined) {
    try {
      killSignal = parseSignal(s.kill_signal as string | number);
    } catch (err) {
      fail("kill_signal", (err as Error).message, err);
    }
  }
  if (!ok) return undefined;

  const groups = typeof s.service_groups === "string" ? splitNameList(s.service_groups) : [];
  return {
    name,
    type,
    command,
    argv,
    enabled: enabled && enabledByUser && !options.disableServices,
    optional,
    ignoreFailures: bool(s.ignore_failures) ?? settings.ignoreFailures,
    exitKills: bool(s.exit_kills) ?? false,
    restart: bool(s.restart) ?? false,
    restartLimit: num(s.restart_limit) ?? 5,
    restartDelay: num(s.restart_delay) ?? 3,
    killSignal,
    processTimeout: num(s.process_timeout) ?? settings.processTimeout ?? PROCESS_TIMEOUTS[type],
    startupPause: num(s.startup_pause) ?? settings.startupPause,
    ...(num(s.watchdog_timeout) ? { watchdogTimeout: num(s.watchdog_timeout) } : {}),
    ...(pidfile !== undefined ? { pidfile } : {}),
    ...(directory !== undefined ? { directory } : {}),
    stdout,
    stderr,
    ...(interval !== undefined ? { interval } : {}),
    ...(port !== undefined ? { port } : {}),
    groups: groups.length > 0 ? groups : ["default"],
    after: typeof s.after === "string" ? splitNameList(s.after) : [],
    before: typeof s.before === "string" ? splitNameList(s.before) : [],
    ...(user !== undefined ? { user } : {}),
    debug: bool(s.debug) ?? settings.debug,
    env: envSpec,
    pos: ctx.pos,
  };
}

function expandWith(
  env: Environment,
  text: string | undefined,
  directive: string,
  fail: (directive: string, message: string, cause?: unknown) => void,
): string | undefined {
  if (text === undefined) return undefined;
  try {
    return env.expand(text);
  } catch (err) {
    fail(directive, (err as Error).message, err);
    return undefined;
  }
}

function resolveLogging(
  name: string,
  s: RawSection,
  settings: Settings,
  options: ResolveOptions,
  pos: SourcePos,
): LoggingSpec {
  const selector = str(s.selector);
  const file = str(s.file);
  const syslogHost = str(s.syslog_host);
  const logrecHostname = str(s.logrec_hostname) ?? settings.logrecHostname;
  const uid = str(s.uid) ?? settings.uid;
  const gid = str(s.gid) ?? (str(s.uid) === undefined ? settings.gid : undefined);
  return {
    name,
    selector: selector === undefined || selector.trim() === "" ? "*.*" : selector,
    ...(file !== undefined ? { file } : {}),
    stdout: !options.noConsoleLog && (bool(s.stdout) ?? false),
    stderr: !options.noConsoleLog && (bool(s.stderr) ?? false),
    ...(syslogHost !== undefined ? { syslogHost } : {}),
    enabled: typeof s.enabled === "string" ? s.enabled : bool(s.enabled) ?? true,
    overwrite: bool(s.overwrite) ?? false,
    extended: bool(s.extended) ?? false,
    ...(logrecHostname !== undefined ? { logrecHostname } : {}),
    ...(uid !== undefined ? { uid } : {}),
    ...(gid !== undefined ? { gid } : {}),
    pos,
  };
}
