/**
 * Chaperone's internal logger (std has dropped @std/log). It turns messages into LogRecords
 * for a sink; the sink starts as stderr (bare text, warning and above: docs/logging.md) and is
 * pointed at the syslog router once that runs.
 */
import { Facility, type LogRecord, type LogSink, Severity } from "./record.ts";

/** Chaperone's own logging facade. */
export interface Logger {
  debug(msg: string): void;
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
  /** The system cannot go on (its start-up was cancelled): also always printed on stderr. */
  crit(msg: string): void;
  /** A logger whose messages carry another facility (cron services use `cron`). */
  withFacility(facility: number): Logger;
}

/** Mutable routing shared by every logger made from one root. */
export interface LogTarget {
  sink: LogSink;
  /** Messages less severe than this are not generated (ctl loglevel, --log-level). */
  threshold: number;
  /** Tag for Chaperone's own messages. */
  tag: string;
  pid: number;
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** Formats a date as an RFC 3164 timestamp (`Jun  5 02:09:33`, local time). */
export function formatSyslogDate(d: Date): string {
  const day = String(d.getDate()).padStart(2, " ");
  const hh = String(d.getHours()).padStart(2, "0");
  const mm = String(d.getMinutes()).padStart(2, "0");
  const ss = String(d.getSeconds()).padStart(2, "0");
  return `${MONTHS[d.getMonth()]} ${day} ${hh}:${mm}:${ss}`;
}

/** Builds a record for one of Chaperone's own messages. */
export function makeRecord(
  target: LogTarget,
  facility: number,
  severity: number,
  msg: string,
  tag = target.tag,
  pid = target.pid,
): LogRecord {
  const time = new Date();
  const rest = `[${pid}]: ${msg}`;
  return {
    time,
    facility,
    severity,
    tag,
    rest,
    raw: `<${facility * 8 + severity}>${formatSyslogDate(time)} ${tag}${rest}`,
  };
}

/** Creates a logger writing into `target` with the given facility (default local5). */
export function createLogger(target: LogTarget, facility: number = Facility.LOCAL5): Logger {
  const emit = (severity: number, msg: string) => {
    if (severity > target.threshold) return;
    target.sink.write(makeRecord(target, facility, severity, msg));
  };
  return {
    debug: (m) => emit(Severity.DEBUG, m),
    info: (m) => emit(Severity.INFO, m),
    warn: (m) => emit(Severity.WARN, m),
    error: (m) => emit(Severity.ERR, m),
    crit: (m) => emit(Severity.CRIT, m),
    withFacility: (f) => createLogger(target, f),
  };
}

/** A sink that prints the bare message text to stderr when severe enough (before syslog runs). */
export class StderrSink implements LogSink {
  #encoder = new TextEncoder();
  constructor(public level: number = Severity.WARN) {}
  write(record: LogRecord): void {
    if (record.severity > this.level) return;
    const text = record.rest.replace(/^\[\d+\]: /, "").replace(/^: /, "");
    try {
      Deno.stderr.writeSync(this.#encoder.encode(text + "\n"));
    } catch {
      // stderr closed: nothing sensible left to do with the message.
    }
  }
}

/** A sink that keeps records in memory (tests). */
export class MemorySink implements LogSink {
  records: LogRecord[] = [];
  write(record: LogRecord): void {
    this.records.push(record);
  }
  /** The message texts, without the `[pid]: ` prefix. */
  messages(): string[] {
    return this.records.map((r) => r.rest.replace(/^\[\d+\]: /, ""));
  }
}
