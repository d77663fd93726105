/**
 * The text of one output line (spec §4.6): `<date> <host> <tag><rest>`, `??<raw>` for format
 * errors, with an optional `facility.priority ` prefix (`extended: true`).
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

// Records arrive in bursts within one second: format the date once per second.
let cachedSecond = Number.NaN;
let cachedDate = "";

function dateText(time: Date): string {
  const second = Math.floor(time.getTime() / 1000);
  if (second !== cachedSecond) {
    cachedSecond = second;
    cachedDate = formatSyslogDate(time);
  }
  return cachedDate;
}

/** Formats a record as one output line (without the newline). */
export function formatLine(record: LogRecord, format: LineFormat): string {
  let line: string;
  if (record.formatError) {
    line = "??" + record.raw;
  } else {
    const host = format.logrecHostname || record.host || format.hostname;
    line = dateText(record.time) + " " + host + " " + record.tag + record.rest;
  }
  if (!format.extended) return line;
  const facility = FACILITY_NAMES[record.facility] ?? "?";
  const severity = SEVERITY_NAMES[record.severity] ?? "?";
  return facility + "." + severity + " " + line;
}
