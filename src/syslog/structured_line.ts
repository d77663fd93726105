/**
 * The `json` and `logfmt` line formats (docs/logging.md, "Line formats"): the same keys as
 * one JSON object or as `key=value` pairs, so that a log shipper needs no syslog parser.
 *
 * Keys, in this order: `time` (RFC 3339, milliseconds, local offset), `host`, `facility` and
 * `severity` (the names selectors use), `tag`, `pid` (when the text after the tag starts with
 * `[digits]`), `service` (when known) and `message` (the text after `[pid]: `; the raw text of
 * a format error).
 *
 * Unlike the text format, which writes control characters as rsyslog's `#ooo` (Decision 15),
 * these formats carry the message exactly as received, in their own escapes: a JSON or logfmt
 * parser gives back the embedded newline. Every control character, DEL, the C1 controls and
 * U+2028/U+2029 are escaped, so a line holds no byte that ends a line or drives a terminal;
 * invalid UTF-8 was already replaced by U+FFFD when the bytes were decoded (Decision 6).
 */
import type { LogFormat } from "../config/schema.ts";
import { FACILITY_NAMES, type LogRecord, SEVERITY_NAMES } from "../log/record.ts";

/** The structured formats. */
export type StructuredFormat = Exclude<LogFormat, "text">;

/** What a section's settings add to a structured line. */
export interface StructuredLine {
  /** `logrec_hostname`, which wins over the host named in the record. */
  readonly logrecHostname?: string;
  /** The machine's hostname, used when neither of the above names a host. */
  readonly hostname: string;
}

// The pid and where the message starts in the text after the tag: `[1234]` (RFC 3164's pid,
// RFC 5424's procid) if present, then `: ` or `:` or ` `. Scanned by hand: this runs for every
// record of a flood.
function splitRest(rest: string): { pid: number | undefined; start: number } {
  let pid: number | undefined;
  let i = 0;
  if (rest.charCodeAt(0) === 0x5b /* [ */) {
    let j = 1;
    let n = 0;
    for (; j < rest.length && j <= 10; j++) {
      const c = rest.charCodeAt(j) - 0x30;
      if (c < 0 || c > 9) break;
      n = n * 10 + c;
    }
    if (j > 1 && rest.charCodeAt(j) === 0x5d /* ] */) {
      pid = n;
      i = j + 1;
    }
  }
  const c = rest.charCodeAt(i);
  if (c === 0x3a /* : */) i += rest.charCodeAt(i + 1) === 0x20 ? 2 : 1;
  else if (c === 0x20) i += 1;
  return { pid, start: i };
}

/** The pid the record names after its tag (`app[42]: ...`), if any. */
export function recordPid(record: LogRecord): number | undefined {
  return record.formatError ? undefined : splitRest(record.rest).pid;
}

/**
 * The service a record belongs to: its own (a service's output line), else the one the pid after
 * its tag belongs to, asked of `serviceOfPid` (record_service.ts); undefined when none, or when the
 * lookup fails (a vanished /proc entry).
 */
export function recordService(
  record: LogRecord,
  serviceOfPid: ((pid: number) => string | undefined) | undefined,
): string | undefined {
  if (record.service !== undefined) return record.service;
  if (serviceOfPid === undefined) return undefined;
  const pid = recordPid(record);
  if (pid === undefined) return undefined;
  try {
    return serviceOfPid(pid);
  } catch {
    return undefined;
  }
}

/** The message without the `[pid]` and the `: ` that separate it from the tag. */
export function recordMessage(record: LogRecord): string {
  return record.formatError ? record.raw : record.rest.slice(splitRest(record.rest).start);
}

function facilityName(facility: number): string {
  return FACILITY_NAMES[facility] ?? String(facility);
}

function severityName(severity: number): string {
  return SEVERITY_NAMES[severity] ?? String(severity);
}

function two(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

// Consecutive records nearly always share their millisecond: format it once.
let cachedMs = Number.NaN;
let cachedTime = "";

/** `2024-07-06T02:53:54.123+02:00`: RFC 3339 in local time with its offset. */
export function rfc3339(time: Date): string {
  const ms = time.getTime();
  if (ms === cachedMs) return cachedTime;
  const offset = -time.getTimezoneOffset();
  const abs = Math.abs(offset);
  const zone = `${offset < 0 ? "-" : "+"}${two(Math.floor(abs / 60))}:${two(abs % 60)}`;
  cachedMs = ms;
  cachedTime = `${String(time.getFullYear()).padStart(4, "0")}-${two(time.getMonth() + 1)}-${
    two(time.getDate())
  }T${two(time.getHours())}:${two(time.getMinutes())}:${two(time.getSeconds())}.${
    String(time.getMilliseconds()).padStart(3, "0")
  }${zone}`;
  return cachedTime;
}

// What JSON.stringify escapes, and what it leaves as it is but a line must not carry: DEL,
// the C1 controls, the line separators.
// deno-lint-ignore no-control-regex
const JSON_ESCAPE = /["\\\x00-\x1f\x7f-\x9f\u2028\u2029]/;
const JSON_EXTRAS = /[\x7f-\x9f\u2028\u2029]/g;

function unicodeEscape(c: string): string {
  return "\\u" + c.charCodeAt(0).toString(16).padStart(4, "0");
}

/** A JSON string literal with every control character escaped. */
export function jsonString(text: string): string {
  // Testing first keeps the common case (nothing to escape) to one scan.
  if (!JSON_ESCAPE.test(text)) return `"${text}"`;
  return JSON.stringify(text).replace(JSON_EXTRAS, unicodeEscape);
}

// A logfmt value is quoted when empty or holding a space, `=`, `"`, `\`, a control character,
// a line separator or U+FFFD (as go-logfmt does for invalid UTF-8).
// deno-lint-ignore no-control-regex
const LOGFMT_QUOTE = /[\x00-\x20="\\\x7f-\x9f\u2028\u2029\ufffd]/;
// deno-lint-ignore no-control-regex
const LOGFMT_ESCAPES = /["\\\x00-\x1f\x7f-\x9f\u2028\u2029]/g;
const LOGFMT_NAMED: Readonly<Record<string, string>> = {
  '"': '\\"',
  "\\": "\\\\",
  "\n": "\\n",
  "\r": "\\r",
  "\t": "\\t",
};

/** A logfmt value: bare when it can be, else quoted with `\"`, `\\`, `\n`, `\uXXXX`. */
export function logfmtValue(text: string): string {
  if (text !== "" && !LOGFMT_QUOTE.test(text)) return text;
  return `"${text.replace(LOGFMT_ESCAPES, (c) => LOGFMT_NAMED[c] ?? unicodeEscape(c))}"`;
}

/**
 * Formats a record (as received, not escaped by escapeRecord) as one `json` or `logfmt` line
 * (without the newline); `service` is the record's service when known.
 */
export function formatStructured(
  record: LogRecord,
  style: StructuredFormat,
  format: StructuredLine,
  service: string | undefined,
): string {
  const host = format.logrecHostname || (record.formatError ? "" : record.host) ||
    format.hostname;
  let pid: number | undefined;
  let message: string;
  if (record.formatError) {
    message = record.raw;
  } else {
    const split = splitRest(record.rest);
    pid = split.pid;
    message = record.rest.slice(split.start);
  }
  const time = rfc3339(record.time);
  const facility = facilityName(record.facility);
  const severity = severityName(record.severity);
  switch (style) {
    case "json":
      return `{"time":"${time}","host":${jsonString(host)},"facility":"${facility}",` +
        `"severity":"${severity}","tag":${jsonString(record.tag)}` +
        (pid === undefined ? "" : `,"pid":${pid}`) +
        (service === undefined ? "" : `,"service":${jsonString(service)}`) +
        `,"message":${jsonString(message)}}`;
    case "logfmt":
      return `time=${time} host=${logfmtValue(host)} facility=${facility} severity=${severity}` +
        ` tag=${logfmtValue(record.tag)}` +
        (pid === undefined ? "" : ` pid=${pid}`) +
        (service === undefined ? "" : ` service=${logfmtValue(service)}`) +
        ` message=${logfmtValue(message)}`;
    default: {
      const never: never = style;
      throw new TypeError(`unknown line format ${never}`);
    }
  }
}
