/**
 * Log records and the syslog facility/severity tables. Layer 0: imports nothing internal.
 * Every message that Chaperone handles (its own, a service's output line, a /dev/log datagram)
 * becomes one LogRecord before routing.
 */

/** Syslog facility numbers by name (the names of docs/logging.md, "Selectors"). */
export const FACILITIES: Readonly<Record<string, number>> = {
  kern: 0,
  user: 1,
  mail: 2,
  daemon: 3,
  auth: 4,
  syslog: 5,
  lpr: 6,
  news: 7,
  uucp: 8,
  cron: 9,
  authpriv: 10,
  ftp: 11,
  ntp: 12,
  audit: 13,
  alert: 14,
  altcron: 15,
  local0: 16,
  local1: 17,
  local2: 18,
  local3: 19,
  local4: 20,
  local5: 21,
  local6: 22,
  local7: 23,
};

/** Facility names by number, for output (`extended: true`). */
export const FACILITY_NAMES: readonly string[] = Object.keys(FACILITIES);

/** Severity (priority) numbers by name, aliases included (docs/logging.md, "Selectors"). */
export const SEVERITIES: Readonly<Record<string, number>> = {
  emerg: 0,
  alert: 1,
  crit: 2,
  err: 3,
  error: 3,
  warn: 4,
  warning: 4,
  notice: 5,
  info: 6,
  debug: 7,
};

/** Canonical severity names by number. */
export const SEVERITY_NAMES: readonly string[] = [
  "emerg",
  "alert",
  "crit",
  "err",
  "warn",
  "notice",
  "info",
  "debug",
];

/** Numeric severities used by Chaperone's own logger. */
export const Severity = {
  EMERG: 0,
  ALERT: 1,
  CRIT: 2,
  ERR: 3,
  WARN: 4,
  NOTICE: 5,
  INFO: 6,
  DEBUG: 7,
} as const;

/** Numeric facilities Chaperone itself uses. */
export const Facility = {
  KERN: 0,
  USER: 1,
  DAEMON: 3,
  SYSLOG: 5,
  CRON: 9,
  LOCAL5: 21,
} as const;

/** One message on its way through the router. */
export interface LogRecord {
  /** When it was produced (parsed from the message when possible, else receipt time). */
  time: Date;
  /** Facility number 0..23. */
  facility: number;
  /** Severity number 0..7. */
  severity: number;
  /**
   * Host named in the message, if any. The parser always sets the property, undefined when
   * there is no host, so that every record has one shape for V8 (hence `| undefined`).
   */
  host?: string | undefined;
  /** Program tag (`sshd`, a service name without `.service`, `chaperone`); `?` for format errors. */
  tag: string;
  /** Text after the tag exactly as received, starting with `:`, `[` or a space (RFC 3164 style). */
  rest: string;
  /** The raw text as received, for `/regex/` selectors and format-error output. */
  raw: string;
  /** True when the message could not be parsed (output as `??<raw>`). */
  formatError?: boolean;
  /**
   * The service whose output this is, when known without asking the process table (a line a
   * service wrote to its stdout or stderr); shown by the `json` and `logfmt` line formats.
   */
  service?: string;
}

/** Anything that accepts log records. */
export interface LogSink {
  write(record: LogRecord): void;
}

/** Parses a severity name (case-insensitive, aliases allowed, optional `*.` prefix stripped). */
export function parseSeverity(name: string): number | undefined {
  const key = name.toLowerCase().replace(/^\*\./, "");
  return Object.hasOwn(SEVERITIES, key) ? SEVERITIES[key] : undefined;
}
