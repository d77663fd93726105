/**
 * Structural validation of the merged configuration (docs/configuration.md, "Sections" to
 * "`<name>.logging`", with the leniencies of Decision 7 in docs/migration.md): section names, known
 * directives (with a "did you mean" for typos), value types, name rules (names.ts: no `/` or
 * control characters in section names, valid variable names, no NUL in values), required directives
 * and signal names. Values that are expanded at load time (`enabled`, `stdout`, `port`, `interval`,
 * user names …) are checked by resolve.ts after expansion. Every problem is collected, none thrown,
 * so `chaperone check` can print them all.
 */
import { parseSignal } from "../process/signals.ts";
import { ConfigError } from "./config_error.ts";
import { envNameProblem, envPatternProblem, escapeControls, sectionNameProblem } from "./names.ts";
import { type RawConfig, type RawSection, RESTART_POLICIES, type SourcePos } from "./schema.ts";
import { didYouMean } from "./suggest.ts";
import { listenAddressProblem } from "./listen_address.ts";
import { errorMessage } from "../text/error_message.ts";

/** The value shapes a directive may take. */
export type DirectiveType =
  | "string"
  | "boolean"
  | "integer"
  | "number"
  | "name-or-number"
  | "boolean-or-string"
  | "string-list"
  | "string-map"
  | "service-type"
  | "signal"
  | "socket-mode"
  | "restart-policy"
  | "factor"
  | "mapping"
  | "listen-address";

/** Directives of `settings:` and their types (docs/configuration.md, "`settings`"). */
export const SETTINGS_DIRECTIVES: Readonly<Record<string, DirectiveType>> = {
  env_inherit: "string-list",
  env_set: "string-map",
  env_unset: "string-list",
  uid: "name-or-number",
  gid: "name-or-number",
  idle_delay: "number",
  ignore_failures: "boolean",
  process_timeout: "number",
  startup_pause: "number",
  shutdown_timeout: "number",
  enable_syslog: "boolean",
  detect_exit: "boolean",
  debug: "boolean",
  logrec_hostname: "string",
  status_interval: "number",
  control_socket_mode: "socket-mode",
  control_socket_group: "name-or-number",
  log_buffer_lines: "integer",
  http_listen: "listen-address",
};

/** Directives of `<name>.service` and their types (docs/configuration.md). */
export const SERVICE_DIRECTIVES: Readonly<Record<string, DirectiveType>> = {
  type: "service-type",
  command: "string",
  enabled: "boolean-or-string",
  after: "string",
  before: "string",
  service_groups: "string",
  restart: "restart-policy",
  restart_limit: "integer",
  restart_delay: "number",
  restart_backoff: "factor",
  restart_delay_max: "number",
  ignore_failures: "boolean",
  optional: "boolean",
  exit_kills: "boolean",
  kill_signal: "signal",
  process_timeout: "number",
  startup_pause: "number",
  watchdog_timeout: "number",
  pidfile: "string",
  uid: "name-or-number",
  gid: "name-or-number",
  env_inherit: "string-list",
  env_set: "string-map",
  env_unset: "string-list",
  directory: "string",
  stdout: "string",
  stderr: "string",
  interval: "string",
  port: "name-or-number",
  ready_probe: "mapping",
  health_probe: "mapping",
  setpgrp: "boolean",
  debug: "boolean",
};

/** Directives of `<name>.logging` and their types (docs/configuration.md). */
export const LOGGING_DIRECTIVES: Readonly<Record<string, DirectiveType>> = {
  selector: "string",
  file: "string",
  stdout: "boolean",
  stderr: "boolean",
  syslog_host: "string",
  enabled: "boolean-or-string",
  overwrite: "boolean",
  extended: "boolean",
  format: "string",
  logrec_hostname: "string",
  uid: "name-or-number",
  gid: "name-or-number",
};

/** Keys that earlier documentation and samples used, with what is meant today. */
const HINTS: Readonly<Record<string, string>> = {
  service_group: "service_groups",
  filter: "selector",
  filename: "file",
};

const SERVICE_TYPES = ["simple", "forking", "oneshot", "notify", "cron", "inetd"];
/**
 * The long-running types: the only ones `restart: always` and probes apply to (a oneshot, a
 * cron job and an inetd connection are meant to end).
 */
const LONG_RUNNING_TYPES = ["simple", "notify", "forking"];
const SYSTEM_DEPENDENCY_NAMES = ["IDLE", "INIT", "CONSOLE", "MAIN"];
const SYSTEM_GROUP_NAMES = ["IDLE", "INIT"];
const SOCKET_MODE_REGEXP = /^0?[0-7]{1,3}$/;

/**
 * What a top-level key names. `ignored` is `x.loggingfoo`, accepted but unused
 * (docs/configuration.md, "Sections").
 */
export type SectionKind = "settings" | "service" | "logging" | "ignored";

/** Classifies a top-level key, or undefined when it is not a valid section name. */
export function sectionKind(name: string): SectionKind | undefined {
  if (name === "settings") return "settings";
  if (/^.+\.service$/s.test(name)) return "service";
  if (/^.+\.logging$/s.test(name)) return "logging";
  if (/^.+\.logging/s.test(name)) return "ignored";
  return undefined;
}

/**
 * True for names with cased letters and none in lower case (`IDLE`, not `123`: Decision 7 in
 * docs/migration.md).
 */
export function isUpperCaseName(name: string): boolean {
  return name === name.toUpperCase() && name !== name.toLowerCase();
}

/** Splits a comma-separated `after`/`before`/`service_groups` value, trimming each item. */
export function splitNameList(text: string): string[] {
  return text.split(",").map((s) => s.trim()).filter((s) => s !== "");
}

/** Describes a value for an error message: strings quoted, lists and mappings by kind. */
export function describeValue(value: unknown): string {
  if (value === null || value === undefined) return "nothing";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  if (typeof value === "string") return JSON.stringify(value);
  return String(value);
}

/** Parses `control_socket_mode`: an octal string ("0660") or an int (YAML 1.1 reads 0660 as octal). */
export function parseSocketMode(value: unknown): number | undefined {
  if (typeof value === "number" && Number.isInteger(value) && value >= 0 && value <= 0o777) {
    return value;
  }
  if (typeof value === "string" && SOCKET_MODE_REGEXP.test(value.trim())) {
    return parseInt(value.trim(), 8);
  }
  return undefined;
}

/** Checks one value against a directive type; returns the problem, or undefined when valid. */
export function checkType(type: DirectiveType, value: unknown): string | undefined {
  const got = describeValue(value);
  switch (type) {
    case "string":
      return typeof value === "string" ? undefined : `expected a string, got ${got}`;
    case "boolean":
      return typeof value === "boolean" ? undefined : `expected true or false, got ${got}`;
    case "integer":
      return typeof value === "number" && Number.isInteger(value) && value >= 0
        ? undefined
        : `expected a non-negative integer, got ${got}`;
    case "number":
      return typeof value === "number" && Number.isFinite(value) && value >= 0
        ? undefined
        : `expected a non-negative number, got ${got}`;
    case "name-or-number":
      return typeof value === "string" || (typeof value === "number" && Number.isInteger(value))
        ? undefined
        : `expected a name or a number, got ${got}`;
    case "boolean-or-string":
      return typeof value === "boolean" || typeof value === "string"
        ? undefined
        : `expected true, false or a string, got ${got}`;
    case "string-list":
      return Array.isArray(value) && value.every((v) => typeof v === "string")
        ? undefined
        : `expected a list of strings, got ${got}`;
    case "string-map":
      return typeof value === "object" && value !== null && !Array.isArray(value)
        ? undefined
        : `expected a mapping of names to values, got ${got}`;
    case "service-type":
      return typeof value === "string" && SERVICE_TYPES.includes(value)
        ? undefined
        : `expected one of ${SERVICE_TYPES.join(", ")}, got ${got}`;
    case "signal":
      if (typeof value !== "string" && typeof value !== "number") {
        return `expected a signal name or number, got ${got}`;
      }
      try {
        parseSignal(value);
        return undefined;
      } catch (err) {
        return errorMessage(err);
      }
    case "socket-mode":
      return parseSocketMode(value) === undefined
        ? `expected an octal mode such as "0660", got ${got}`
        : undefined;
    case "restart-policy":
      return typeof value === "boolean" ||
          (typeof value === "string" && (RESTART_POLICIES as readonly string[]).includes(value))
        ? undefined
        : `expected true, false, on-failure, always or never, got ${got}${
          typeof value === "string" ? didYouMean(value, RESTART_POLICIES) : ""
        }`;
    case "factor":
      return typeof value === "number" && Number.isFinite(value) && value >= 1
        ? undefined
        : `expected a factor of at least 1 (1 keeps the delay fixed), got ${got}`;
    case "mapping":
      return typeof value === "object" && value !== null && !Array.isArray(value)
        ? undefined
        : `expected a mapping, got ${got}`;
    case "listen-address":
      return listenAddressProblem(value);
    default: {
      const _exhaustive: never = type;
      throw new TypeError(`unknown directive type ${_exhaustive}`);
    }
  }
}

/** Collects every structural problem of a merged configuration; never throws. */
export function validateConfig(
  raw: RawConfig,
  options: { onWarning?(message: string): void } = {},
): ConfigError[] {
  const errors: ConfigError[] = [];
  const fallback: SourcePos = { file: raw.files.at(-1) ?? "(configuration)" };
  const posOf = (section: string, directive?: string): SourcePos =>
    (directive === undefined ? undefined : raw.positions.get(`${section}/${directive}`)) ??
      raw.positions.get(section) ?? fallback;
  const fail: Fail = (section, directive, message, posPath = directive) => {
    // Names are shown with escapes: a newline in one must not split the message.
    const shown = escapeControls(section);
    errors.push(
      new ConfigError(message, {
        pos: posOf(section, posPath),
        directive: directive === undefined ? shown : `${shown}: ${escapeControls(directive)}`,
        section,
      }),
    );
  };

  for (const [name, section] of raw.sections) {
    const kind = sectionKind(name);
    if (kind === undefined) {
      fail(
        name,
        undefined,
        `unknown section; expected settings, <name>.service or <name>.logging${
          didYouMean(name, sectionCandidates(name))
        }`,
      );
      continue;
    }
    if (kind === "service" || kind === "logging") {
      const problem = sectionNameProblem(name);
      if (problem !== undefined) fail(name, undefined, problem);
    }
    switch (kind) {
      case "ignored": {
        const pos = posOf(name);
        options.onWarning?.(
          `${pos.file}${pos.line ? `:${pos.line}` : ""}: ${
            escapeControls(name)
          }: ignored (not a .logging section)`,
        );
        continue;
      }
      case "settings":
        checkDirectives(name, section, SETTINGS_DIRECTIVES, fail);
        break;
      case "logging":
        checkReservedName(name, ".logging", fail);
        checkDirectives(name, section, LOGGING_DIRECTIVES, fail);
        break;
      case "service":
        checkReservedName(name, ".service", fail);
        checkDirectives(name, section, SERVICE_DIRECTIVES, fail);
        checkService(name, section, fail);
        break;
      default: {
        const _exhaustive: never = kind;
        throw new TypeError(`unknown section kind ${_exhaustive}`);
      }
    }
  }
  return errors;
}

/** Records a problem; `posPath` (`env_set/NAME`) locates it when it is not the directive. */
type Fail = (
  section: string,
  directive: string | undefined,
  message: string,
  posPath?: string,
) => void;

/** What a mistyped section name may have meant: `settings`, or its base with each suffix. */
function sectionCandidates(name: string): string[] {
  const dot = name.lastIndexOf(".");
  const base = dot > 0 ? name.slice(0, dot) : name;
  return ["settings", `${base}.service`, `${base}.logging`];
}

function checkReservedName(name: string, suffix: string, fail: Fail): void {
  const base = name.slice(0, -suffix.length);
  if (isUpperCaseName(base)) {
    fail(name, undefined, `all-uppercase names such as '${name}' are reserved for the system`);
  }
}

function checkDirectives(
  name: string,
  section: RawSection,
  table: Readonly<Record<string, DirectiveType>>,
  fail: Fail,
): void {
  for (const [directive, value] of Object.entries(section)) {
    const type = Object.hasOwn(table, directive) ? table[directive] : undefined;
    if (type === undefined) {
      const hint = Object.hasOwn(HINTS, directive)
        ? ` (did you mean '${HINTS[directive]}'?)`
        : directive === "idle_delay"
        ? " (idle_delay is a settings directive)"
        : didYouMean(directive, Object.keys(table));
      fail(name, directive, `unknown directive${hint}`);
      continue;
    }
    const problem = checkType(type, value);
    if (problem !== undefined) {
      fail(name, directive, problem);
    } else if (type === "string-map") {
      checkVariables(name, directive, value as Record<string, unknown>, fail);
    } else if (type === "string-list") {
      // env_inherit and env_unset: globs over variable names.
      for (const pattern of value as string[]) {
        const bad = envPatternProblem(pattern);
        if (bad !== undefined) fail(name, directive, bad);
      }
    } else if (typeof value === "string" && value.includes("\0")) {
      fail(name, directive, NUL_PROBLEM);
    }
  }
}

const NUL_PROBLEM = "a value cannot contain a NUL character";

/** env_set: every key a valid variable name, every value a scalar without NUL. */
function checkVariables(
  name: string,
  directive: string,
  vars: Record<string, unknown>,
  fail: Fail,
): void {
  for (const [key, v] of Object.entries(vars)) {
    const where = `${directive}/${key}`;
    const bad = envNameProblem(key);
    if (bad !== undefined) {
      fail(name, directive, bad, where);
    } else if (typeof v === "object" && v !== null) {
      // Decision 7 in docs/migration.md: scalars become strings; nested structures cannot be a
      // variable's value.
      fail(name, `${directive}: ${key}`, `expected a string, got ${describeValue(v)}`, where);
    } else if (typeof v === "string" && v.includes("\0")) {
      fail(name, `${directive}: ${key}`, NUL_PROBLEM, where);
    }
  }
}

function checkService(name: string, section: RawSection, fail: Fail): void {
  if (section.command === undefined) {
    fail(name, "command", "required directive is missing");
  }
  if (section.gid !== undefined && section.uid === undefined) {
    fail(name, "gid", "cannot specify 'gid' without 'uid'");
  }
  const type = section.type ?? "simple";
  if (type === "cron" && section.interval === undefined) {
    fail(name, "interval", "required for cron services (even when disabled)");
  }
  if (type === "inetd" && section.port === undefined) {
    fail(name, "port", "required for inetd services (even when disabled)");
  }
  checkLongRunningOnly(name, section, type, fail);
  for (const directive of ["after", "before"] as const) {
    const value = section[directive];
    if (typeof value !== "string") continue;
    for (const item of splitNameList(value)) {
      if (isUpperCaseName(item) && !SYSTEM_DEPENDENCY_NAMES.includes(item)) {
        fail(name, directive, `'${item}' is not a recognized system name`);
      } else if (directive === "after" && item === "IDLE") {
        fail(name, directive, "cannot specify services which start *after* service_group IDLE");
      } else if (directive === "before" && item === "INIT") {
        fail(name, directive, "cannot specify services which start *before* service_group INIT");
      }
    }
  }
  if (typeof section.service_groups === "string") {
    for (const item of splitNameList(section.service_groups)) {
      if (isUpperCaseName(item) && !SYSTEM_GROUP_NAMES.includes(item)) {
        fail(name, "service_groups", `'${item}' is an unrecognized system group name`);
      }
    }
  }
}

/** `restart: always` and the probes are for services that are meant to keep running. */
function checkLongRunningOnly(name: string, section: RawSection, type: unknown, fail: Fail): void {
  if (typeof type !== "string" || !SERVICE_TYPES.includes(type)) return;
  if (LONG_RUNNING_TYPES.includes(type)) return;
  const accepting = "simple, notify and forking";
  if (section.restart === "always") {
    fail(name, "restart", `'always' applies only to ${accepting} services; this one is ${type}`);
  }
  for (const directive of ["ready_probe", "health_probe"]) {
    if (section[directive] !== undefined) {
      fail(name, directive, `probes apply only to ${accepting} services; this one is ${type}`);
    }
  }
}
