import assert from "node:assert/strict";
import { formatLine, type LineFormat } from "../../src/syslog/format_line.ts";
import type { LogRecord } from "../../src/log/record.ts";

const T = new Date(2024, 6, 6, 2, 53, 54);
const base: LogRecord = {
  time: T,
  facility: 10,
  severity: 6,
  tag: "sudo",
  rest: "[12]: message",
  raw: "<86>Jul  6 02:53:54 sudo[12]: message",
};

const CASES: [string, LogRecord, LineFormat, string][] = [
  [
    "the machine hostname",
    base,
    { extended: false, hostname: "box" },
    "Jul  6 02:53:54 box sudo[12]: message",
  ],
  [
    "the record's host",
    { ...base, host: "other" },
    { extended: false, hostname: "box" },
    "Jul  6 02:53:54 other sudo[12]: message",
  ],
  [
    "logrec_hostname over the record's host",
    { ...base, host: "other" },
    { extended: false, hostname: "box", logrecHostname: "fixed" },
    "Jul  6 02:53:54 fixed sudo[12]: message",
  ],
  [
    "extended",
    base,
    { extended: true, hostname: "box" },
    "authpriv.info Jul  6 02:53:54 box sudo[12]: message",
  ],
  [
    "a format error",
    { ...base, facility: 5, severity: 3, tag: "?", rest: "", raw: "garbage", formatError: true },
    { extended: false, hostname: "box" },
    "??garbage",
  ],
  [
    "an extended format error",
    { ...base, facility: 5, severity: 3, tag: "?", rest: "", raw: "garbage", formatError: true },
    { extended: true, hostname: "box" },
    "syslog.err ??garbage",
  ],
  [
    "an out-of-range facility",
    { ...base, facility: 30, severity: 4 },
    { extended: true, hostname: "box" },
    "?.warn Jul  6 02:53:54 box sudo[12]: message",
  ],
  [
    "a space after the tag",
    { ...base, tag: "world", rest: " message" },
    { extended: false, hostname: "box" },
    "Jul  6 02:53:54 box world message",
  ],
];

for (const [name, record, format, expected] of CASES) {
  Deno.test(`formatLine() writes the line as §4.6 says when given ${name}`, () => {
    assert.equal(formatLine(record, format), expected);
  });
}
