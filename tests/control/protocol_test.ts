import assert from "node:assert/strict";
import {
  type ControlRequest,
  type ControlResponse,
  decodeRequest,
  decodeResponse,
  encode,
  LINE_TOO_LONG,
  parseCommandWords,
  ProtocolError,
} from "../../src/control/protocol.ts";
import { readLines } from "../../src/text/line_reader.ts";
import { UsageError } from "../../src/text/usage_error.ts";

const PARSE_CASES: { words: string[]; want: ControlRequest }[] = [
  { words: ["status"], want: { cmd: "status" } },
  { words: ["status", "--json"], want: { cmd: "status", json: true } },
  { words: ["status", "--j"], want: { cmd: "status", json: true } },
  { words: ["health"], want: { cmd: "health" } },
  { words: ["health", "--level", "alive"], want: { cmd: "health", level: "alive" } },
  { words: ["health", "--lev=ready"], want: { cmd: "health", level: "ready" } },
  { words: ["run", "backup"], want: { cmd: "run", services: ["backup"] } },
  { words: ["reload"], want: { cmd: "reload" } },
  { words: ["reload", "--dry"], want: { cmd: "reload", dryRun: true } },
  { words: ["dependencies"], want: { cmd: "dependencies" } },
  { words: ["loglevel"], want: { cmd: "loglevel" } },
  { words: ["loglevel", "info"], want: { cmd: "loglevel", level: "info" } },
  { words: ["loglevel", "*.WARNING"], want: { cmd: "loglevel", level: "warning" } },
  { words: ["loglevel", "emerg"], want: { cmd: "loglevel", level: "emerg" } },
  { words: ["shutdown"], want: { cmd: "shutdown" } },
  { words: ["shutdown", "now"], want: { cmd: "shutdown" } },
  { words: ["shutdown", "NOW"], want: { cmd: "shutdown" } },
  { words: ["shutdown", "5"], want: { cmd: "shutdown", delay: 5 } },
  { words: ["shutdown", "2.5"], want: { cmd: "shutdown", delay: 2.5 } },
  { words: ["shutdown", ".5"], want: { cmd: "shutdown", delay: 0.5 } },
  { words: ["shutdown", "1e1"], want: { cmd: "shutdown", delay: 10 } },
  { words: ["shutdown", "--", "-3"], want: { cmd: "shutdown", delay: 0 } },
  { words: ["shutdown", "+4"], want: { cmd: "shutdown", delay: 4 } },
  { words: ["enable"], want: { cmd: "enable", services: [] } },
  { words: ["enable", "a", "b.service"], want: { cmd: "enable", services: ["a", "b.service"] } },
  { words: ["disable", "CONSOLE"], want: { cmd: "disable", services: ["CONSOLE"] } },
  {
    words: ["start", "web"],
    want: { cmd: "start", services: ["web"] },
  },
  {
    words: ["start", "--force", "--wait", "--enable", "a", "b"],
    want: { cmd: "start", services: ["a", "b"], force: true, wait: true, enable: true },
  },
  {
    words: ["start", "a", "--en", "b"],
    want: { cmd: "start", services: ["a", "b"], enable: true },
  },
  {
    words: ["start"],
    want: { cmd: "start", services: [] },
  },
  {
    words: ["stop", "--disable", "--wait", "x"],
    want: { cmd: "stop", services: ["x"], wait: true, disable: true },
  },
  {
    words: ["stop", "--", "--odd-name"],
    want: { cmd: "stop", services: ["--odd-name"] },
  },
  {
    words: ["reset", "--force", "a"],
    want: { cmd: "reset", services: ["a"], force: true },
  },
  {
    words: ["restart", "--wait", "a", "b"],
    want: { cmd: "restart", services: ["a", "b"], wait: true },
  },
  {
    words: ["restart", "--f", "a"],
    want: { cmd: "restart", services: ["a"], force: true },
  },
];

for (const c of PARSE_CASES) {
  Deno.test(`parseCommandWords() parses ${JSON.stringify(c.words.join(" "))}`, () => {
    assert.deepEqual(parseCommandWords(c.words), c.want);
  });
}

const USAGE_CASES: { words: string[]; message: RegExp }[] = [
  { words: [], message: /no command given/ },
  { words: [""], message: /no command given/ },
  { words: ["frobnicate"], message: /unknown command "frobnicate"/ },
  { words: ["STATUS"], message: /unknown command/ },
  { words: ["status", "extra"], message: /"status" takes no arguments/ },
  { words: ["status", "--force"], message: /"status" does not accept the option "--force"/ },
  { words: ["health", "x"], message: /takes no arguments/ },
  { words: ["health", "--level"], message: /--level needs a value/ },
  {
    words: ["health", "--level", "up"],
    message: /--level must be one of ready, alive \(got "up"\)/,
  },
  { words: ["run"], message: /"run" needs at least one service name/ },
  { words: ["dependencies", "--json"], message: /does not accept/ },
  { words: ["loglevel", "info", "debug"], message: /at most one level/ },
  { words: ["loglevel", "loud"], message: /^Not a valid log level: loud$/ },
  { words: ["shutdown", "soon"], message: /^Specified delay is not a valid decimal number: soon$/ },
  { words: ["shutdown", "inf"], message: /not a valid decimal number/ },
  { words: ["shutdown", "1", "2"], message: /at most one delay/ },
  { words: ["shutdown", "-3"], message: /does not accept the option "-3"/ },
  { words: ["start", "--disable", "a"], message: /"start" does not accept the option "--disable"/ },
  { words: ["stop", "--enable", "a"], message: /does not accept/ },
  { words: ["reset", "--enable", "a"], message: /does not accept/ },
  { words: ["enable", "--force", "a"], message: /does not accept/ },
  { words: ["start", "--force=yes", "a"], message: /does not accept/ },
  { words: ["start", "-f", "a"], message: /does not accept the option "-f"/ },
  { words: ["stop", "--", ""], message: /cannot be empty/ },
  { words: ["restart"], message: /"restart" needs at least one service name/ },
  { words: ["restart", "--wait"], message: /needs at least one service name/ },
];

for (const c of USAGE_CASES) {
  Deno.test(`parseCommandWords() rejects ${JSON.stringify(c.words.join(" "))}`, () => {
    assert.throws(() => parseCommandWords(c.words), (error: unknown) => {
      assert.ok(error instanceof UsageError);
      assert.match(error.message, c.message);
      return true;
    });
  });
}

Deno.test("encode() then decodeRequest() round-trips every request form", () => {
  for (const c of PARSE_CASES) {
    const line = new TextDecoder().decode(encode(c.want));
    assert.ok(line.endsWith("\n"));
    assert.equal(line.indexOf("\n"), line.length - 1);
    assert.deepEqual(decodeRequest(line.slice(0, -1)), c.want);
  }
});

Deno.test("encode() keeps a multi-line reply on one line", () => {
  const response: ControlResponse = { ok: true, text: "a\nb\n", data: { x: [1, "y\nz"] } };
  const line = new TextDecoder().decode(encode(response));
  assert.equal(line.split("\n").length, 2);
  assert.deepEqual(decodeResponse(line.trimEnd()), response);
});

const BAD_REQUESTS: { line: string; message: RegExp }[] = [
  { line: "", message: /not JSON/ },
  { line: "status", message: /not JSON/ },
  { line: "[1,2]", message: /not a JSON object/ },
  { line: "null", message: /not a JSON object/ },
  { line: "{}", message: /unknown "cmd"/ },
  { line: '{"cmd":"explode"}', message: /unknown "cmd" "explode"/ },
  { line: '{"cmd":"toString"}', message: /unknown "cmd"/ },
  { line: '{"cmd":"start"}', message: /"services" must be a list of strings/ },
  { line: '{"cmd":"stop","services":[1]}', message: /list of strings/ },
  { line: '{"cmd":"start","services":[],"force":"yes"}', message: /"force" must be a boolean/ },
  { line: '{"cmd":"status","json":1}', message: /"json" must be a boolean/ },
  { line: '{"cmd":"shutdown","delay":"5"}', message: /"delay" must be a number/ },
  { line: '{"cmd":"shutdown","delay":-1}', message: /"delay" must be a number/ },
  { line: '{"cmd":"loglevel","level":3}', message: /"level" must be a string/ },
];

for (const c of BAD_REQUESTS) {
  Deno.test(`decodeRequest() throws ProtocolError on ${JSON.stringify(c.line)}`, () => {
    assert.throws(() => decodeRequest(c.line), (error: unknown) => {
      assert.ok(error instanceof ProtocolError);
      assert.ok(error instanceof SyntaxError);
      assert.match(error.message, c.message);
      return true;
    });
  });
}

Deno.test("decodeRequest() drops unknown keys and flags other commands do not have", () => {
  assert.deepEqual(
    decodeRequest('{"cmd":"reset","services":["a"],"enable":true,"extra":1}'),
    { cmd: "reset", services: ["a"] },
  );
});

const BAD_RESPONSES = [
  "",
  "{}",
  '{"ok":"yes"}',
  '{"ok":false}',
  '{"ok":false,"error":5}',
  '{"ok":true,"text":5}',
];

for (const line of BAD_RESPONSES) {
  Deno.test(`decodeResponse() throws ProtocolError on ${JSON.stringify(line)}`, () => {
    assert.throws(() => decodeResponse(line), ProtocolError);
  });
}

Deno.test("decodeResponse() accepts an error response", () => {
  assert.deepEqual(decodeResponse('{"ok":false,"error":"no"}'), { ok: false, error: "no" });
});

/** A reader that hands out the given chunks one per read. */
function chunks(...parts: string[]) {
  const encoded = parts.map((p) => new TextEncoder().encode(p));
  return {
    read(buffer: Uint8Array): Promise<number | null> {
      const next = encoded.shift();
      if (next === undefined) return Promise.resolve(null);
      buffer.set(next);
      return Promise.resolve(next.length);
    },
  };
}

Deno.test("LINE_TOO_LONG makes a line over the limit a ProtocolError, before its newline", async () => {
  const lines = readLines(chunks("ok\n", "0123456789", "0123456789"), {
    maxBytes: 15,
    tooLong: LINE_TOO_LONG,
  });
  assert.equal((await lines.next()).value, "ok");
  await assert.rejects(() => lines.next(), ProtocolError);
});
