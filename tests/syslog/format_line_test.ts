import assert from "node:assert/strict";
import {
  escapeControls,
  escapeRecord,
  formatLine,
  type LineFormat,
} from "../../src/syslog/format_line.ts";
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
  [
    "an embedded newline (a forged second line)",
    { ...base, tag: "evil", rest: ": x\nowned::0:0:root:/root:/bin/bash" },
    { extended: false, hostname: "box" },
    "Jul  6 02:53:54 box evil: x#012owned::0:0:root:/root:/bin/bash",
  ],
  [
    "control characters in the host, the tag and a format error",
    { ...base, host: "h\r", tag: "t\x1b[2J" },
    { extended: false, hostname: "box" },
    "Jul  6 02:53:54 h#015 t#033[2J[12]: message",
  ],
  [
    "a format error with a newline and DEL",
    { ...base, tag: "?", rest: "", raw: "a\nb\x7f", formatError: true },
    { extended: true, hostname: "box" },
    "authpriv.info ??a#012b#177",
  ],
];

for (const [name, record, format, expected] of CASES) {
  Deno.test(`formatLine() writes the line as docs/logging.md says when given ${name}`, () => {
    assert.equal(formatLine(escapeRecord(record), format), expected);
  });
}

Deno.test("escapeControls() writes C0, DEL and C1 controls but TAB as #ooo and leaves other text alone", () => {
  assert.equal(
    escapeControls("\0\x01\x08\t\n\r\x1b\x1f \x7f\x80\x9b\xa0é€"),
    "#000#001#010\t#012#015#033#037 #177#200#233\xa0é€",
  );
  const plain = "Jul  6 02:53:54 box sudo[12]: message";
  assert.equal(escapeControls(plain), plain);
});

Deno.test("escapeRecord() returns a record without control characters as it is, and escapes a copy otherwise", () => {
  assert.equal(escapeRecord(base), base);
  const evil = { ...base, rest: ": a\nb" };
  const shown = escapeRecord(evil);
  assert.notEqual(shown, evil);
  assert.equal(shown.rest, ": a#012b");
  assert.equal(evil.rest, ": a\nb", "the received record is left as it is");
});
