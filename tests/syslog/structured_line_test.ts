import assert from "node:assert/strict";
import type { LogRecord } from "../../src/log/record.ts";
import {
  formatStructured,
  logfmtValue,
  recordMessage,
  recordPid,
  rfc3339,
} from "../../src/syslog/structured_line.ts";
import { parseSyslog, splitDatagram } from "../../src/syslog/parse.ts";
import { LogRouter } from "../../src/syslog/router.ts";
import { parseLogfmt } from "../_helpers/logfmt.ts";
import { loggingSpec, MemoryStream, record } from "./helpers.ts";

const T = new Date(2024, 6, 6, 2, 53, 54, 7);
const base: LogRecord = {
  time: T,
  facility: 10,
  severity: 6,
  tag: "sudo",
  rest: "[12]: message text",
  raw: "<86>Jul  6 02:53:54 sudo[12]: message text",
};
const FORMAT = { hostname: "box" };

function zone(d: Date): string {
  const off = -d.getTimezoneOffset();
  const abs = Math.abs(off);
  const hh = String(Math.floor(abs / 60)).padStart(2, "0");
  return `${off < 0 ? "-" : "+"}${hh}:${String(abs % 60).padStart(2, "0")}`;
}

Deno.test("rfc3339() writes local time with milliseconds and the local offset", () => {
  const text = rfc3339(T);
  assert.equal(text, `2024-07-06T02:53:54.007${zone(T)}`);
  assert.equal(Date.parse(text), T.getTime());
  const winter = new Date(2023, 11, 31, 23, 59, 59, 999);
  assert.equal(Date.parse(rfc3339(winter)), winter.getTime());
});

Deno.test("recordPid() and recordMessage() split `[pid]: text`, `: text` and ` text`", () => {
  assert.equal(recordPid(base), 12);
  assert.equal(recordMessage(base), "message text");
  const noPid = { ...base, rest: ": plain" };
  assert.equal(recordPid(noPid), undefined);
  assert.equal(recordMessage(noPid), "plain");
  assert.equal(recordMessage({ ...base, rest: " spaced" }), "spaced");
  assert.equal(recordPid({ ...base, rest: "[abc]: x" }), undefined);
  assert.equal(recordMessage({ ...base, rest: "[abc]: x" }), "[abc]: x");
  const error = { ...base, tag: "?", rest: "", raw: "[12] garbage", formatError: true };
  assert.equal(recordPid(error), undefined);
  assert.equal(recordMessage(error), "[12] garbage");
});

Deno.test("formatStructured() writes the keys in order, pid and service only when known", () => {
  const json = formatStructured(base, "json", FORMAT, "web.service");
  assert.equal(
    json,
    `{"time":"${
      rfc3339(T)
    }","host":"box","facility":"authpriv","severity":"info","tag":"sudo","pid":12,` +
      `"service":"web.service","message":"message text"}`,
  );
  assert.deepEqual(Object.keys(JSON.parse(json)), [
    "time",
    "host",
    "facility",
    "severity",
    "tag",
    "pid",
    "service",
    "message",
  ]);
  const logfmt = formatStructured({ ...base, rest: ": hi" }, "logfmt", FORMAT, undefined);
  assert.equal(
    logfmt,
    `time=${rfc3339(T)} host=box facility=authpriv severity=info tag=sudo message=hi`,
  );
});

Deno.test("formatStructured() takes the host from logrec_hostname, then the record, then the machine", () => {
  const host = (r: LogRecord, f: { hostname: string; logrecHostname?: string }) =>
    JSON.parse(formatStructured(r, "json", f, undefined)).host;
  assert.equal(host(base, FORMAT), "box");
  assert.equal(host({ ...base, host: "other" }, FORMAT), "other");
  assert.equal(host({ ...base, host: "other" }, { ...FORMAT, logrecHostname: "fixed" }), "fixed");
});

Deno.test("formatStructured() writes a format error's raw text as the message, tag ?", () => {
  const error: LogRecord = {
    time: T,
    facility: 5,
    severity: 3,
    tag: "?",
    rest: "",
    raw: "no pri here",
    formatError: true,
  };
  const parsed = JSON.parse(formatStructured(error, "json", FORMAT, undefined));
  assert.equal(parsed.facility, "syslog");
  assert.equal(parsed.severity, "err");
  assert.equal(parsed.tag, "?");
  assert.equal(parsed.message, "no pri here");
  assert.equal(parsed.pid, undefined);
});

Deno.test("formatStructured() names an out-of-range facility by its number", () => {
  const parsed = parseLogfmt(formatStructured({ ...base, facility: 42 }, "logfmt", FORMAT, "x"));
  assert.equal(parsed.facility, "42");
});

Deno.test("logfmtValue() quotes only what needs it", () => {
  assert.equal(logfmtValue("plain"), "plain");
  assert.equal(logfmtValue(""), '""');
  assert.equal(logfmtValue("two words"), '"two words"');
  assert.equal(logfmtValue("a=b"), '"a=b"');
  assert.equal(logfmtValue('say "hi"'), '"say \\"hi\\""');
  assert.equal(logfmtValue("C:\\dir"), '"C:\\\\dir"');
  assert.equal(logfmtValue("a\nb\tc\x1b[31m\0"), '"a\\nb\\tc\\u001b[31m\\u0000"');
  assert.equal(logfmtValue("bad \ufffd byte"), '"bad \ufffd byte"');
  assert.equal(logfmtValue("ünïcödé"), "ünïcödé");
});

// Datagrams as hostile senders write them; NUL separates messages inside one datagram.
const enc = new TextEncoder();
const HOSTILE: Uint8Array[] = [
  enc.encode("<14>Jul  6 02:53:54 evil[9]: x\nowned::0:0:root:/root:/bin/bash"),
  enc.encode('<14>evil: "quoted" and \\backslash\\ and a=b'),
  enc.encode("<14>evil[10]: \x1b[31mred\x1b[0m and a bell \x07 and DEL \x7f"),
  enc.encode("<14>evil: before NUL\0<14>evil: after NUL"),
  new Uint8Array([...enc.encode("<14>evil: bad bytes "), 0xff, 0xfe, 0xc3, 0x28, 0x80]),
  enc.encode("<14>evil: C1 \u0085 next line \u2028 line separator \u2029 tab\there"),
  enc.encode("<14>evil\x1b]0;title\x07: tag with escapes"),
  enc.encode("\x1b[2Jnot syslog at all\r\n\r\nsecond"),
  enc.encode("<165>1 2003-10-11T22:14:15.003Z host\x01 app 99 ID47 - five\n4 2 4"),
];

function hostileRecords(): LogRecord[] {
  const now = new Date(2024, 6, 6, 2, 53, 54);
  return HOSTILE.flatMap((d) => splitDatagram(d)).map((m) => parseSyslog(m, { now }));
}

// No raw byte that ends a line or drives a terminal may reach a structured line.
// deno-lint-ignore no-control-regex
const RAW_CONTROL = /[\x00-\x1f\x7f-\x9f\u2028\u2029]/;

Deno.test("every json and logfmt line of hostile datagrams parses back to the message", async () => {
  const records = hostileRecords();
  assert.equal(records.length, 10, "the NUL splits one datagram into two messages");
  const json = new MemoryStream();
  const logfmt = new MemoryStream();
  const router = new LogRouter([
    loggingSpec("j", { stdout: true, format: "json" }),
    loggingSpec("l", { stderr: true, format: "logfmt" }),
  ], { hostname: "box", stdout: json, stderr: logfmt });
  for (const r of records) router.write(r);
  await router.close();
  const jsonLines = json.text.split("\n");
  const logfmtLines = logfmt.text.split("\n");
  assert.equal(jsonLines.pop(), "");
  assert.equal(logfmtLines.pop(), "");
  assert.equal(jsonLines.length, records.length, json.text);
  assert.equal(logfmtLines.length, records.length, logfmt.text);
  records.forEach((r, i) => {
    for (const line of [jsonLines[i]!, logfmtLines[i]!]) {
      assert.doesNotMatch(line, RAW_CONTROL, `raw control character in ${JSON.stringify(line)}`);
    }
    const j = JSON.parse(jsonLines[i]!);
    const l = parseLogfmt(logfmtLines[i]!);
    assert.equal(j.message, recordMessage(r), jsonLines[i]);
    assert.equal(l.message, recordMessage(r), logfmtLines[i]);
    assert.equal(j.tag, r.tag);
    assert.equal(l.tag, r.tag);
    assert.equal(l.time, j.time);
    assert.equal(Date.parse(j.time), r.time.getTime());
  });
  const messages = records.map(recordMessage);
  assert.ok(messages.includes("x\nowned::0:0:root:/root:/bin/bash"));
  assert.ok(messages.some((m) => m.includes("bad bytes \ufffd\ufffd")), "invalid UTF-8 replaced");
  assert.ok(messages.includes("\x1b[2Jnot syslog at all\r\n\r\nsecond"), "a format error, whole");
});

Deno.test("LogRouter asks serviceOfPid once per record, only for structured sections", async () => {
  const asked: number[] = [];
  const serviceOfPid = (pid: number) => {
    asked.push(pid);
    return pid === 7 ? "app.service" : undefined;
  };
  const text = new MemoryStream();
  const textOnly = new LogRouter([loggingSpec("t", { stdout: true })], {
    hostname: "box",
    stdout: text,
    serviceOfPid,
  });
  textOnly.write(record("a", "hello"));
  await textOnly.close();
  assert.deepEqual(asked, [], "text sections never ask");

  const out = new MemoryStream();
  const router = new LogRouter([
    loggingSpec("j", { stdout: true, format: "json" }),
    loggingSpec("j2", { stdout: true, format: "json", logrecHostname: "h2" }),
    loggingSpec("l", { stdout: true, format: "logfmt" }),
  ], { hostname: "box", stdout: out, serviceOfPid });
  router.write(record("a", "from pid 7"));
  router.write({ ...record("b", "from pid 8"), rest: "[8]: from pid 8" });
  router.write({ ...record("web", "own output"), rest: "[9]: own output", service: "web.service" });
  router.write({ ...record("c", "no pid"), rest: ": no pid" });
  await router.close();
  assert.deepEqual(asked, [7, 8], "one question per record with a pid and no service");
  const lines = out.text.trim().split("\n");
  assert.equal(lines.length, 12);
  const services = lines.slice(0, 12).map((l, i) =>
    i % 3 === 2 ? parseLogfmt(l).service : JSON.parse(l).service
  );
  assert.deepEqual(services, [
    "app.service",
    "app.service",
    "app.service",
    undefined,
    undefined,
    undefined,
    "web.service",
    "web.service",
    "web.service",
    undefined,
    undefined,
    undefined,
  ]);
});

Deno.test("LogRouter writes a line without service when serviceOfPid throws", async () => {
  const out = new MemoryStream();
  const router = new LogRouter([loggingSpec("j", { stdout: true, format: "json" })], {
    hostname: "box",
    stdout: out,
    serviceOfPid: () => {
      throw new Error("proc gone");
    },
  });
  router.write(record("a", "still written"));
  await router.close();
  const parsed = JSON.parse(out.text);
  assert.equal(parsed.message, "still written");
  assert.equal(parsed.service, undefined);
});

Deno.test("LogRouter sends structured lines to a remote host with the <PRI> header", async () => {
  const receiver = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
  const port = (receiver.addr as Deno.NetAddr).port;
  const router = new LogRouter([
    loggingSpec("r", { syslogHost: `127.0.0.1:${port}`, format: "logfmt" }),
  ], { hostname: "box" });
  try {
    router.write(record("app", "over udp", 3, 4));
    const [data] = await receiver.receive();
    const text = new TextDecoder().decode(data);
    assert.match(text, /^<28>time=/);
    const parsed = parseLogfmt(text.slice("<28>".length));
    assert.equal(parsed.facility, "daemon");
    assert.equal(parsed.severity, "warn");
    assert.equal(parsed.message, "over udp");
  } finally {
    await router.close();
    receiver.close();
  }
});
