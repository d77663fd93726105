import assert from "node:assert/strict";
import { parseSyslog, splitDatagram, splitLongRecord } from "../../src/syslog/parse.ts";

const NOW = new Date(2024, 5, 20, 12, 0, 0);

type Expect = {
  facility: number;
  severity: number;
  host?: string;
  tag: string;
  rest: string;
  formatError?: boolean;
  time?: Date;
};

const CASES: [string, string, Expect][] = [
  [
    "RFC 3164 with pid",
    "<38>Jun 15 02:09:33 sudo[12]: message",
    {
      facility: 4,
      severity: 6,
      tag: "sudo",
      rest: "[12]: message",
      time: new Date(2024, 5, 15, 2, 9, 33),
    },
  ],
  [
    "RFC 3164 with a host",
    "<14>Jun 15 02:09:33 hello world message",
    { facility: 1, severity: 6, host: "hello", tag: "world", rest: " message" },
  ],
  [
    "RFC 3164 with host and tag colon",
    "<13>Jun  5 02:09:33 myhost app: text here  \n",
    { facility: 1, severity: 5, host: "myhost", tag: "app", rest: ": text here" },
  ],
  [
    "RFC 3164 with an empty host field (nginx before it knows its host name)",
    "<189>Nov 28 12:46:08  nginx: 2026/11/28 12:46:08 [notice] 32#32: nginx/1.22.1",
    {
      facility: 23,
      severity: 5,
      tag: "nginx",
      rest: ": 2026/11/28 12:46:08 [notice] 32#32: nginx/1.22.1",
    },
  ],
  [
    "an absolute tag",
    "<30>Jun 15 02:09:33 /usr/sbin/foo[12]: x",
    { facility: 3, severity: 6, tag: "foo", rest: "[12]: x" },
  ],
  [
    "a tag with a slash",
    "<22>Jun 15 02:09:33 postfix/smtpd[7]: y",
    { facility: 2, severity: 6, tag: "postfix/smtpd", rest: "[7]: y" },
  ],
  [
    "an embedded newline",
    "<14>Jun 15 02:09:33 app: line1\nline2\n",
    { facility: 1, severity: 6, tag: "app", rest: ": line1\nline2" },
  ],
  [
    "RFC 5424 with structured data",
    '<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog 99 ID47 [exampleSDID@32473 iut="3" eventID="1011\\]"] \uFEFFAn application event',
    {
      facility: 20,
      severity: 5,
      host: "mymachine.example.com",
      tag: "evntslog",
      rest: "[99]: An application event",
      time: new Date(Date.UTC(2003, 9, 11, 22, 14, 15, 3)),
    },
  ],
  [
    "RFC 5424 with nil values",
    "<34>1 - - su - - - 'su root' failed",
    { facility: 4, severity: 2, tag: "su", rest: ": 'su root' failed", time: NOW },
  ],
  [
    "no timestamp",
    "<13>mytag: hi there",
    { facility: 1, severity: 5, tag: "mytag", rest: ": hi there", time: NOW },
  ],
  [
    "no timestamp, with pid",
    "<13>mytag[5]: hi",
    { facility: 1, severity: 5, tag: "mytag", rest: "[5]: hi" },
  ],
  ["no PRI", "Jun 15 02:09:33 app: x", {
    facility: 5,
    severity: 3,
    tag: "?",
    rest: "",
    formatError: true,
  }],
  [
    "an ISO timestamp",
    "<13>2024-01-01T00:00:00 host app: x",
    { facility: 5, severity: 3, tag: "?", rest: "", formatError: true },
  ],
  [
    "a tag with no text",
    "<13>Jun 15 02:09:33 app",
    { facility: 5, severity: 3, tag: "?", rest: "", formatError: true },
  ],
  ["random text", "\uFFFD\uFFFDxyz", {
    facility: 5,
    severity: 3,
    tag: "?",
    rest: "",
    formatError: true,
  }],
];

for (const [name, text, expected] of CASES) {
  Deno.test(`parseSyslog() parses ${name}`, () => {
    const r = parseSyslog(text, { now: NOW });
    assert.equal(r.facility, expected.facility);
    assert.equal(r.severity, expected.severity);
    assert.equal(r.host, expected.host);
    assert.equal(r.tag, expected.tag);
    assert.equal(r.rest, expected.rest);
    assert.equal(r.raw, text);
    assert.equal(r.formatError ?? false, expected.formatError ?? false);
    if (expected.time) assert.equal(r.time.getTime(), expected.time.getTime());
  });
}

Deno.test("parseSyslog() puts a December date in the previous year when received in January", () => {
  const r = parseSyslog("<13>Dec 31 23:59:59 app: x", { now: new Date(2025, 0, 1, 0, 0, 5) });
  assert.equal(r.time.getFullYear(), 2024);
  assert.equal(r.time.getMonth(), 11);
});

const SPLITS: [string, Uint8Array, string[]][] = [
  ["empty", new Uint8Array(), []],
  ["one message", new TextEncoder().encode("<13>a: b\n"), ["<13>a: b"]],
  ["NUL-separated", new TextEncoder().encode("<13>a: 1\0<13>b: 2 \0\0  \0<13>c: 3"), [
    "<13>a: 1",
    "<13>b: 2",
    "<13>c: 3",
  ]],
  ["invalid UTF-8", new Uint8Array([0x3c, 0x31, 0x33, 0x3e, 0x61, 0x3a, 0x20, 0xff, 0xc3, 0xa9]), [
    "<13>a: \uFFFD\u00e9",
  ]],
];

for (const [name, bytes, expected] of SPLITS) {
  Deno.test(`splitDatagram() returns the messages when the datagram is ${name}`, () => {
    assert.deepEqual(splitDatagram(bytes), expected);
  });
}

Deno.test("splitLongRecord() splits a long message and repeats its pid header", () => {
  const text = `<13>Jun 15 02:09:33 app[9]: ${"a".repeat(25)}`;
  const parts = splitLongRecord(parseSyslog(text, { now: NOW }), 15);
  assert.deepEqual(parts.map((p) => p.rest), [
    "[9]: aaaaaaaaaa",
    "[9]: aaaaaaaaaa",
    "[9]: aaaaa",
  ]);
  assert.ok(parts.every((p) => p.tag === "app"));
});

Deno.test("splitLongRecord() returns the record itself when it is short", () => {
  const r = parseSyslog("<13>Jun 15 02:09:33 app: x", { now: NOW });
  assert.deepEqual(splitLongRecord(r, 100), [r]);
});

Deno.test("splitLongRecord() splits a long format error into pieces of raw text", () => {
  const r = parseSyslog("x".repeat(30), { now: NOW });
  assert.deepEqual(splitLongRecord(r, 12).map((p) => p.raw), [
    "x".repeat(12),
    "x".repeat(12),
    "x".repeat(6),
  ]);
});
