/**
 * The control vocabulary shared by `chaperone ctl`, the control socket and the FIFO: request and
 * response shapes, the command-word grammar of the original `telchap` (docs/ctl.md, "Commands")
 * plus our additions, and the framing (one JSON document per line). Server and client both import
 * this module and nothing else of each other, so the two ends cannot drift apart.
 */
import { matchLongOption } from "../sys/long_option.ts";
import { parseSeverity } from "../log/record.ts";
import type { LongLinePolicy } from "../text/line_reader.ts";
import { UsageError } from "../text/usage_error.ts";
import { decodeLogsRequest, type LogsRequest, parseLogsWords } from "./logs_request.ts";
import type { StreamReply } from "./stream.ts";

/** Largest request line the server accepts (bytes, newline excluded). */
export const MAX_REQUEST_BYTES = 64 * 1024;

/** Largest response line the client accepts (bytes); status of many services stays far below. */
export const MAX_RESPONSE_BYTES = 16 * 1024 * 1024;

/** A command sent to a running Chaperone. */
export type ControlRequest =
  | { cmd: "status"; json?: boolean }
  | { cmd: "dependencies" }
  | { cmd: "health"; level?: HealthLevel }
  | { cmd: "run"; services: string[] }
  | { cmd: "reload"; dryRun?: boolean }
  | { cmd: "start"; services: string[]; force?: boolean; wait?: boolean; enable?: boolean }
  | { cmd: "stop"; services: string[]; force?: boolean; wait?: boolean; disable?: boolean }
  | { cmd: "reset" | "restart"; services: string[]; force?: boolean; wait?: boolean }
  | { cmd: "enable" | "disable"; services: string[] }
  | { cmd: "shutdown"; delay?: number }
  | { cmd: "loglevel"; level?: string }
  | LogsRequest;

/** `ctl health --level`: ready (the default) or alive (docs/ctl.md). */
export type HealthLevel = "ready" | "alive";

const HEALTH_LEVELS: readonly HealthLevel[] = ["ready", "alive"];

/** The command names a request can carry. */
export type ControlCommand = ControlRequest["cmd"];

/** The reply to one request: text for people and/or data for programs, or an error message. */
export type ControlResponse =
  | { ok: true; text?: string; data?: unknown; stream?: true }
  | { ok: false; error: string };

/** What a handler answers: a response, or a streaming reply (`logs`: stream.ts). */
export type ControlReply = ControlResponse | StreamReply;

/** What the server tells the handler about where a request came from. */
export interface ControlContext {
  /** False for the FIFO: nobody reads a reply, so queries are refused and `--wait` is dropped. */
  interactive: boolean;
}

/** Carries out control requests; the supervisor's adapter implements it. */
export interface ControlHandler {
  handle(request: ControlRequest, context: ControlContext): Promise<ControlReply>;
}

/** One row of `status` (docs/ctl.md), as data. */
export interface ServiceStatus {
  /** Full name: `foo.service` or `CONSOLE`. */
  name: string;
  /** Service type (`simple`, `cron`, …). */
  type: string;
  /** The supervisor's state name for the service. */
  state: string;
  /**
   * Brief status (docs/ctl.md): `running`, `started`, `exit(1)+r#2`, `disabled`, `ready`, … or `-`.
   */
  status: string;
  /** Process id being tracked, if any. */
  pid: number | null;
  /** The last process id the service had, kept after it ended (the table shows it). */
  lastPid: number | null;
  enabled: boolean;
  /** Restarts performed since the last start, stop or reset. */
  restarts: number;
  /** Brief form of the last exit (`exit(1)`, `SIGTERM`), if the service has exited. */
  lastExit: string | null;
  /** Notes column: notify STATUS text, cron interval, inetd port information. */
  note: string | null;
  /** Next cron run as an ISO 8601 date, for scheduled cron services. */
  nextRun: string | null;
  /** Passes `ctl health --level ready` (a disabled service always does). */
  ready: boolean;
  /** Passes `ctl health --level alive`. */
  alive: boolean;
  /** The last probe attempt: `ok`, or what failed (`HTTP 503`); null before any. */
  probe: string | null;
}

/** The `data` of a successful `status` response. */
export interface StatusReply {
  /** Chaperone's version, e.g. `0.4.0`. */
  version: string;
  uptimeSeconds: number;
  services: ServiceStatus[];
}

/** The `data` of a successful `health` response. */
export interface HealthReply {
  healthy: boolean;
  /** The level asked for. */
  level: HealthLevel;
  /** The enabled services that fail the level. */
  unhealthy: ServiceStatus[];
}

/** Content that is not a valid control message (bad JSON, wrong shape, line too long). */
export class ProtocolError extends SyntaxError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "ProtocolError";
  }
}

/**
 * A request or response line over its limit ends the connection with a ProtocolError: the rest
 * of the line cannot be resynchronised, and the reader never buffers it (text/line_reader.ts).
 */
export const LINE_TOO_LONG: LongLinePolicy = {
  kind: "fail",
  error: (message) => new ProtocolError(message),
};

/** The command grammar, as printed with usage errors. */
export const COMMAND_USAGE = `Commands:
  status [--json]
  health [--level ready|alive]
  dependencies
  loglevel [<level>]
  start [--force] [--wait] [--enable] [<service> ...]
  stop [--force] [--wait] [--disable] [<service> ...]
  reset [--force] [--wait] [<service> ...]
  restart [--force] [--wait] <service> ...
  run <cron service> ...
  reload [--dry-run]
  enable [<service> ...]
  disable [<service> ...]
  shutdown [<delay> | now]
  logs [-n <lines>] [-f] [<service> ...]`;

/** Long options each command accepts (docopt-style unambiguous prefixes are accepted too). */
const COMMAND_OPTIONS: Readonly<Record<ControlCommand, readonly string[]>> = {
  status: ["json"],
  health: [],
  run: [],
  reload: ["dry-run"],
  dependencies: [],
  loglevel: [],
  start: ["force", "wait", "enable"],
  stop: ["force", "wait", "disable"],
  reset: ["force", "wait"],
  restart: ["force", "wait"],
  enable: [],
  disable: [],
  shutdown: [],
  logs: [], // its own grammar: logs_request.ts
};

/** Options that take a value (`--level alive`, `--level=alive`), with the values allowed. */
const VALUE_OPTIONS: Readonly<Partial<Record<ControlCommand, Record<string, readonly string[]>>>> =
  {
    health: { level: HEALTH_LEVELS },
  };

// Python's float() syntax for the decimal numbers the original accepted as a delay.
const DECIMAL_REGEXP = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

function isCommand(word: string): word is ControlCommand {
  return Object.hasOwn(COMMAND_OPTIONS, word);
}

/** Splits words into the command's flags and positionals, resolving option prefixes. */
function splitOptions(cmd: ControlCommand, words: readonly string[]) {
  const allowed = COMMAND_OPTIONS[cmd];
  const valued = VALUE_OPTIONS[cmd] ?? {};
  const flags = new Set<string>();
  const values = new Map<string, string>();
  const positionals: string[] = [];
  let optionsEnded = false;
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    if (optionsEnded || !word.startsWith("-") || word === "-") {
      positionals.push(word);
      continue;
    }
    if (word === "--") {
      optionsEnded = true;
      continue;
    }
    const name = word.startsWith("--") ? word.slice(2) : "";
    const eq = name.indexOf("=");
    const valueMatch = matchLongOption(eq >= 0 ? name.slice(0, eq) : name, Object.keys(valued));
    if (name !== "" && valueMatch.kind === "found") {
      const option = valueMatch.name;
      const value = eq >= 0 ? name.slice(eq + 1) : words[++i];
      if (value === undefined) throw new UsageError(`"${cmd}": --${option} needs a value`);
      const choices = valued[option]!;
      if (!choices.includes(value)) {
        throw new UsageError(
          `"${cmd}": --${option} must be one of ${choices.join(", ")} (got "${value}")`,
        );
      }
      values.set(option, value);
      continue;
    }
    const match = name.includes("=")
      ? { kind: "unknown" } as const
      : matchLongOption(name, allowed);
    if (match.kind !== "found") {
      throw new UsageError(
        match.kind === "ambiguous"
          ? `"${cmd}": option "${word}" is ambiguous (${
            match.candidates.map((m) => `--${m}`).join(", ")
          })`
          : `"${cmd}" does not accept the option "${word}"`,
      );
    }
    flags.add(match.name);
  }
  return { flags, values, positionals };
}

function noArguments(cmd: ControlCommand, positionals: readonly string[]): void {
  if (positionals.length > 0) {
    throw new UsageError(`"${cmd}" takes no arguments (got "${positionals.join(" ")}")`);
  }
}

function atMostOne(cmd: ControlCommand, positionals: readonly string[], what: string) {
  if (positionals.length > 1) {
    throw new UsageError(`"${cmd}" takes at most one ${what} (got "${positionals.join(" ")}")`);
  }
  return positionals[0];
}

function serviceNames(positionals: readonly string[]): string[] {
  for (const name of positionals) {
    if (name.trim() === "") throw new UsageError("a service name cannot be empty");
  }
  return [...positionals];
}

/** Parses a shutdown delay the way the original did (`now`, or a decimal number of seconds). */
function parseDelay(text: string): number | undefined {
  if (text.toLowerCase() === "now") return undefined;
  const trimmed = text.trim();
  if (!DECIMAL_REGEXP.test(trimmed)) {
    throw new UsageError(`Specified delay is not a valid decimal number: ${text}`);
  }
  const seconds = Number(trimmed);
  if (!Number.isFinite(seconds)) {
    throw new UsageError(`Specified delay is not a valid decimal number: ${text}`);
  }
  // A negative delay meant "immediately" in the original (asyncio's call_later).
  return Math.max(0, seconds);
}

/**
 * Parses command words (ctl's argv, or one FIFO line split into shell words) into a request.
 * Throws UsageError when the words do not fit the grammar of COMMAND_USAGE.
 */
export function parseCommandWords(words: readonly string[]): ControlRequest {
  const [first, ...rest] = words;
  if (first === undefined || first === "") throw new UsageError("no command given");
  if (!isCommand(first)) throw new UsageError(`unknown command "${first}"`);
  const cmd = first;
  if (cmd === "logs") return parseLogsWords(rest);
  const { flags, values, positionals } = splitOptions(cmd, rest);
  const given = (option: string) => flags.has(option) || undefined;
  switch (cmd) {
    case "health": {
      noArguments(cmd, positionals);
      const level = values.get("level") as HealthLevel | undefined;
      return level === undefined ? { cmd } : { cmd, level };
    }
    case "run":
      if (positionals.length === 0) throw new UsageError(`"run" needs at least one service name`);
      return { cmd, services: serviceNames(positionals) };
    case "reload":
      noArguments(cmd, positionals);
      return flags.has("dry-run") ? { cmd, dryRun: true } : { cmd };
    case "status":
    case "dependencies":
      noArguments(cmd, positionals);
      return withOptions({ cmd }, given);
    case "loglevel": {
      const text = atMostOne(cmd, positionals, "level");
      if (text === undefined) return { cmd };
      const level = text.replace(/^\*\./, "").toLowerCase();
      if (parseSeverity(level) === undefined) {
        throw new UsageError(`Not a valid log level: ${text}`);
      }
      return { cmd, level };
    }
    case "shutdown": {
      const text = atMostOne(cmd, positionals, "delay");
      const delay = text === undefined ? undefined : parseDelay(text);
      return delay === undefined ? { cmd } : { cmd, delay };
    }
    case "restart":
      if (positionals.length === 0) {
        throw new UsageError(`"restart" needs at least one service name`);
      }
      return withOptions({ cmd, services: serviceNames(positionals) }, given);
    case "start":
    case "stop":
    case "reset":
    case "enable":
    case "disable":
      return withOptions({ cmd, services: serviceNames(positionals) }, given);
    default: {
      const exhaustive: never = cmd;
      throw new TypeError(`Unhandled command ${exhaustive}`);
    }
  }
}

/**
 * `base` with the values `value` gives for its command's options (COMMAND_OPTIONS, the one list
 * of them for command words and JSON requests alike); options without a value are left out.
 */
function withOptions(
  base: ControlRequest,
  value: (option: string) => boolean | undefined,
): ControlRequest {
  const out: Record<string, unknown> = { ...base };
  for (const option of COMMAND_OPTIONS[base.cmd]) {
    const v = value(option);
    if (v !== undefined) out[option] = v;
  }
  return out as ControlRequest;
}

/** Frames a message: its JSON on one line (JSON escapes newlines inside strings). */
export function encode(message: ControlRequest | ControlResponse): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(message) + "\n");
}

function parseObject(line: string, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    throw new ProtocolError(`Cannot parse ${what}: not JSON`, { cause: error });
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new ProtocolError(`Cannot parse ${what}: not a JSON object`);
  }
  return value as Record<string, unknown>;
}

function optionalBoolean(obj: Record<string, unknown>, key: string): boolean | undefined {
  const value = obj[key];
  if (value === undefined || typeof value === "boolean") return value;
  throw new ProtocolError(`Cannot parse request: "${key}" must be a boolean`);
}

function stringList(obj: Record<string, unknown>, key: string): string[] {
  const value = obj[key];
  if (!Array.isArray(value) || !value.every((v) => typeof v === "string")) {
    throw new ProtocolError(`Cannot parse request: "${key}" must be a list of strings`);
  }
  return value as string[];
}

/** Decodes one request line; throws ProtocolError on anything that is not a valid request. */
export function decodeRequest(line: string): ControlRequest {
  const obj = parseObject(line, "request");
  const cmd = obj.cmd;
  if (typeof cmd !== "string" || !isCommand(cmd)) {
    throw new ProtocolError(`Cannot parse request: unknown "cmd" ${JSON.stringify(cmd)}`);
  }
  const given = (option: string) => optionalBoolean(obj, option);
  switch (cmd) {
    case "health": {
      const level = obj.level;
      if (level === undefined) return { cmd };
      if (!HEALTH_LEVELS.includes(level as HealthLevel)) {
        throw new ProtocolError(`Cannot parse request: "level" must be "ready" or "alive"`);
      }
      return { cmd, level: level as HealthLevel };
    }
    case "run":
      return { cmd, services: stringList(obj, "services") };
    case "logs": {
      const request = decodeLogsRequest(obj);
      if (typeof request === "string") throw new ProtocolError(`Cannot parse request: ${request}`);
      return request;
    }
    case "reload": {
      const dryRun = optionalBoolean(obj, "dryRun");
      return dryRun === undefined ? { cmd } : { cmd, dryRun };
    }
    case "status":
    case "dependencies":
      return withOptions({ cmd }, given);
    case "loglevel": {
      const level = obj.level;
      if (level === undefined) return { cmd };
      if (typeof level !== "string") {
        throw new ProtocolError(`Cannot parse request: "level" must be a string`);
      }
      return { cmd, level };
    }
    case "shutdown": {
      const delay = obj.delay;
      if (delay === undefined) return { cmd };
      if (typeof delay !== "number" || !Number.isFinite(delay) || delay < 0) {
        throw new ProtocolError(`Cannot parse request: "delay" must be a number >= 0`);
      }
      return { cmd, delay };
    }
    case "start":
    case "stop":
    case "reset":
    case "restart":
    case "enable":
    case "disable":
      return withOptions({ cmd, services: stringList(obj, "services") }, given);
    default: {
      const exhaustive: never = cmd;
      throw new TypeError(`Unhandled command ${exhaustive}`);
    }
  }
}

/** Decodes one response line; throws ProtocolError on anything that is not a valid response. */
export function decodeResponse(line: string): ControlResponse {
  const obj = parseObject(line, "response");
  if (obj.ok === false) {
    if (typeof obj.error !== "string") {
      throw new ProtocolError(`Cannot parse response: "error" must be a string`);
    }
    return { ok: false, error: obj.error };
  }
  if (obj.ok !== true) throw new ProtocolError(`Cannot parse response: "ok" must be a boolean`);
  if (obj.text !== undefined && typeof obj.text !== "string") {
    throw new ProtocolError(`Cannot parse response: "text" must be a string`);
  }
  const response: { ok: true; text?: string; data?: unknown; stream?: true } = { ok: true };
  if (obj.stream === true) response.stream = true;
  if (obj.text !== undefined) response.text = obj.text;
  if (obj.data !== undefined) response.data = obj.data;
  return response;
}
