/**
 * Turns /dev/log datagrams into LogRecords (docs/logging.md, "Message formats"; Decision 6 in
 * docs/migration.md). Pure: no I/O.
 * RFC 3164 is matched with the original's regex; RFC 5424 (`<PRI>1 ...`) and timestamp-less
 * messages (`<PRI>tag: msg`) are accepted too; anything else becomes a format-error record.
 */
import { Facility, type LogRecord, Severity } from "../log/record.ts";

/**
 * Messages longer than this (in UTF-16 units) are split into several records (Decision 6 in
 * docs/migration.md).
 */
export const MAX_MESSAGE_LENGTH = 8192;

// The original's regex, `s` so an embedded newline stays inside one record; it also takes an
// empty host field (two spaces), which nginx sends before it knows its host name and which the
// original turned into format errors that lost the tag.
const RFC3164 =
  /^<(\d{1,3})>(\w{3} [ 0-9][0-9] \d\d:\d\d:\d\d) (?:([^ :[]+) | )?([^ :[]+)([:[ ].+)$/s;
// `<PRI>1 TIMESTAMP HOST APP PROCID MSGID ` then structured data and the message.
const RFC5424 = /^<(\d{1,3})>1 (\S+) (\S+) (\S+) (\S+) (\S+) /;
// `<PRI>tag: msg` or `<PRI>tag[pid]: msg`, as some minimal syslog() implementations send.
// The tag may not start with a digit, so an ISO timestamp (`<13>2024-01-01T...`) stays a format error.
const NO_TIMESTAMP = /^<(\d{1,3})>([^ :[<\d][^ :[<]*)([:[].*)$/s;

const MONTHS: Readonly<Record<string, number>> = {
  Jan: 0,
  Feb: 1,
  Mar: 2,
  Apr: 3,
  May: 4,
  Jun: 5,
  Jul: 6,
  Aug: 7,
  Sep: 8,
  Oct: 9,
  Nov: 10,
  Dec: 11,
};

const decoder = new TextDecoder("utf-8", { fatal: false, ignoreBOM: true });

/** Options for parseSyslog. */
export interface ParseOptions {
  /** Receipt time: the record's time when the message has none, and the year reference. */
  now: Date;
}

/** Decodes one datagram (UTF-8, invalid bytes replaced) into its NUL-separated messages, trailing whitespace stripped, empty ones dropped. */
export function splitDatagram(bytes: Uint8Array): string[] {
  const text = decoder.decode(bytes);
  const out: string[] = [];
  let start = 0;
  while (start <= text.length) {
    let end = text.indexOf("\0", start);
    if (end < 0) end = text.length;
    const part = text.slice(start, end).trimEnd();
    if (part.length > 0) out.push(part);
    start = end + 1;
  }
  return out;
}

/** Parses one message; never throws: unparseable text becomes a format-error record. */
export function parseSyslog(text: string, options: ParseOptions): LogRecord {
  const { now } = options;
  // Trimming first lets the patterns end in a greedy `.+$` instead of the original's lazy
  // `.+?\s*$`, which tries the tail at every character (same matches, measured faster).
  const trimmed = text.trimEnd();
  let m = RFC3164.exec(trimmed);
  if (m) {
    const pri = Number(m[1]);
    return {
      time: dateFrom3164(m[2]!, now),
      facility: pri >> 3,
      severity: pri & 7,
      // Always present (possibly undefined) so every record has one shape for V8.
      host: m[3],
      tag: baseTag(m[4]!),
      rest: m[5]!,
      raw: text,
    };
  }
  m = RFC5424.exec(trimmed);
  if (m) {
    const record = parse5424(trimmed, text, m, now);
    if (record) return record;
  }
  m = NO_TIMESTAMP.exec(trimmed);
  if (m) {
    const pri = Number(m[1]);
    return {
      time: now,
      facility: pri >> 3,
      severity: pri & 7,
      host: undefined,
      tag: baseTag(m[2]!),
      rest: m[3]!,
      raw: text,
    };
  }
  return formatError(text, now);
}

/**
 * Splits a record whose text is longer than `limit` into records of at most `limit` characters
 * of message each, repeating its `[pid]: ` header (Decision 6 in docs/migration.md).
 */
export function splitLongRecord(record: LogRecord, limit = MAX_MESSAGE_LENGTH): LogRecord[] {
  const body = record.formatError ? record.raw : record.rest;
  if (body.length <= limit) return [record];
  // Keep a short header such as `[123]: ` on every piece so each line still reads as the tag's.
  const colon = record.formatError ? -1 : body.indexOf(": ");
  const header = colon >= 0 && colon < 64 ? body.slice(0, colon + 2) : "";
  const text = body.slice(header.length);
  const step = Math.max(1, limit - header.length);
  const out: LogRecord[] = [];
  for (let i = 0; i < text.length; i += step) {
    const piece = header + text.slice(i, i + step);
    out.push(
      record.formatError
        ? { ...record, raw: piece }
        : { ...record, rest: piece, raw: i === 0 ? record.raw.slice(0, limit) : piece },
    );
  }
  return out;
}

function formatError(text: string, now: Date): LogRecord {
  return {
    time: now,
    facility: Facility.SYSLOG,
    severity: Severity.ERR,
    tag: "?",
    rest: "",
    raw: text,
    formatError: true,
  };
}

// A tag written as an absolute path (`/usr/sbin/cron`) is reduced to its basename; other
// slashes are meaningful (`postfix/smtpd`).
function baseTag(tag: string): string {
  return tag.startsWith("/") ? tag.slice(tag.lastIndexOf("/") + 1) : tag;
}

// Consecutive messages nearly always carry the same timestamp text: reuse the Date.
let lastStamp = "";
let lastYear = -1;
let lastDate = new Date(0);

// `Mmm dd hh:mm:ss` in local time; the year is the receipt year unless that puts the date
// more than a month ahead (a December message received in January).
function dateFrom3164(stamp: string, now: Date): Date {
  const year = now.getFullYear();
  if (stamp === lastStamp && year === lastYear) return lastDate;
  const month = MONTHS[stamp.slice(0, 3)];
  if (month === undefined) return now;
  const day = Number(stamp.slice(4, 6));
  const hh = Number(stamp.slice(7, 9));
  const mm = Number(stamp.slice(10, 12));
  const ss = Number(stamp.slice(13, 15));
  let date = new Date(year, month, day, hh, mm, ss);
  if (date.getTime() - now.getTime() > 31 * 86_400_000) {
    date = new Date(year - 1, month, day, hh, mm, ss);
  }
  lastStamp = stamp;
  lastYear = year;
  lastDate = date;
  return date;
}

function parse5424(
  text: string,
  raw: string,
  m: RegExpExecArray,
  now: Date,
): LogRecord | undefined {
  const pri = Number(m[1]);
  const [stamp, host, app, procid] = [m[2]!, m[3]!, m[4]!, m[5]!];
  let time = now;
  if (stamp !== "-") {
    const t = Date.parse(stamp);
    if (Number.isNaN(t)) return undefined;
    time = new Date(t);
  }
  // Structured data: `-` or one or more `[id k="v" ...]` elements, where `\]` may appear in values.
  let i = m[0].length;
  if (text[i] === "-") {
    i += 1;
  } else if (text[i] === "[") {
    while (text[i] === "[") {
      let inQuote = false;
      i += 1;
      for (; i < text.length; i++) {
        const c = text[i];
        if (c === "\\") i += 1;
        else if (c === '"') inQuote = !inQuote;
        else if (c === "]" && !inQuote) break;
      }
      if (i >= text.length) return undefined;
      i += 1;
    }
  } else {
    return undefined;
  }
  let msg = text.slice(i).replace(/^ /, "");
  if (msg.startsWith("\uFEFF")) msg = msg.slice(1);
  const tag = app === "-" ? "-" : baseTag(app);
  return {
    time,
    facility: pri >> 3,
    severity: pri & 7,
    host: host === "-" ? undefined : host,
    tag,
    rest: `${procid === "-" ? "" : `[${procid}]`}: ${msg}`,
    raw,
  };
}
