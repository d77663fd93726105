/**
 * The text of one output line (docs/logging.md, "Line format"): `<date> <host> <tag><rest>`,
 * `??<raw>` for format errors, with an optional `facility.priority ` prefix (`extended: true`).
 * Control characters are written as `#` and three octal digits, as rsyslog does (Decision 15 in
 * docs/migration.md): one record is one line, whatever a sender embeds (a newline would forge a
 * second line, ESC would drive the terminal of whoever reads the file).
 */
import { FACILITY_NAMES, type LogRecord, SEVERITY_NAMES } from "../log/record.ts";
import { formatSyslogDate } from "../log/logger.ts";

/** How one logging section writes its lines. */
export interface LineFormat {
  /** Prefix `facility.priority `. */
  readonly extended: boolean;
  /** `logrec_hostname`, which wins over the host named in the record. */
  readonly logrecHostname?: string;
  /** The machine's hostname, used when neither of the above names a host. */
  readonly hostname: string;
}

// Records arrive in bursts within one second from few hosts: build `<date> <host> ` once
// per second and host. Fewer string pieces per line also make flushing cheaper, because
// the buffered text is a rope of these pieces that must be flattened before encoding.
let cachedSecond = Number.NaN;
let cachedHost = "";
let cachedPrefix = "";

function prefix(time: Date, host: string): string {
  const second = Math.floor(time.getTime() / 1000);
  if (second !== cachedSecond || host !== cachedHost) {
    cachedSecond = second;
    cachedHost = host;
    cachedPrefix = `${formatSyslogDate(time)} ${host} `;
  }
  return cachedPrefix;
}

// `facility.priority ` for every facility (0..23, then "?") and severity.
const EXTENDED: readonly (readonly string[])[] = Array.from(
  { length: FACILITY_NAMES.length + 1 },
  (_, f) =>
    Array.from(
      { length: SEVERITY_NAMES.length },
      (_, p) => `${FACILITY_NAMES[f] ?? "?"}.${SEVERITY_NAMES[p]} `,
    ),
);

function extendedPrefix(facility: number, severity: number): string {
  const row =
    EXTENDED[facility >= 0 && facility < FACILITY_NAMES.length ? facility : FACILITY_NAMES.length]!;
  return row[severity] ?? `${FACILITY_NAMES[facility] ?? "?"}.? `;
}

// C0 controls but TAB, DEL and C1 controls: matching them is the point.
// deno-lint-ignore no-control-regex
const CONTROL = /[\x00-\x08\x0a-\x1f\x7f-\x9f]/;
// deno-lint-ignore no-control-regex
const CONTROLS = /[\x00-\x08\x0a-\x1f\x7f-\x9f]/g;

function octal(c: string): string {
  return "#" + c.charCodeAt(0).toString(8).padStart(3, "0");
}

/** `text` with every control character but TAB written as `#ooo` (`\n` becomes `#012`). */
export function escapeControls(text: string): string {
  // Testing first keeps the common case (nothing to escape) free of a copy.
  return CONTROL.test(text) ? text.replace(CONTROLS, octal) : text;
}

/**
 * The record with control characters escaped in the parts a line shows (host, tag, text, or
 * the raw text of a format error); the record itself when it has none. Done once per record,
 * however many sections format it.
 */
export function escapeRecord(record: LogRecord): LogRecord {
  if (record.formatError) {
    return CONTROL.test(record.raw) ? { ...record, raw: escapeControls(record.raw) } : record;
  }
  const { host, tag, rest } = record;
  if (!CONTROL.test(rest) && !CONTROL.test(tag) && (host === undefined || !CONTROL.test(host))) {
    return record;
  }
  return {
    ...record,
    host: host === undefined ? undefined : escapeControls(host),
    tag: escapeControls(tag),
    rest: escapeControls(rest),
  };
}

/** Formats a record (escaped by escapeRecord) as one `text` line (without the newline). */
export function formatLine(record: LogRecord, format: LineFormat): string {
  let line: string;
  if (record.formatError) {
    line = "??" + record.raw;
  } else {
    const host = format.logrecHostname || record.host || format.hostname;
    line = prefix(record.time, host) + record.tag + record.rest;
  }
  if (!format.extended) return line;
  return extendedPrefix(record.facility, record.severity) + line;
}
