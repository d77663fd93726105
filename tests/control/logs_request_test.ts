/** The `logs` command's words and JSON form (docs/ctl.md, `logs`). */
import assert from "node:assert/strict";
import {
  COMMAND_USAGE,
  decodeRequest,
  encode,
  parseCommandWords,
  ProtocolError,
} from "../../src/control/protocol.ts";
import { UsageError } from "../../src/text/usage_error.ts";

const parse = (...words: string[]) => parseCommandWords(["logs", ...words]);

Deno.test("logs words: names, -n and -f in any order, long forms and prefixes", () => {
  assert.deepEqual(parse(), { cmd: "logs", services: [] });
  assert.deepEqual(parse("web", "db.service"), { cmd: "logs", services: ["web", "db.service"] });
  assert.deepEqual(parse("-n", "5", "-f", "web"), {
    cmd: "logs",
    services: ["web"],
    lines: 5,
    follow: true,
  });
  assert.deepEqual(parse("web", "-n5"), { cmd: "logs", services: ["web"], lines: 5 });
  assert.deepEqual(parse("--lines=0", "--follow"), {
    cmd: "logs",
    services: [],
    lines: 0,
    follow: true,
  });
  assert.deepEqual(parse("--lin", "7", "--fol"), {
    cmd: "logs",
    services: [],
    lines: 7,
    follow: true,
  });
  // `--` ends the options: a service may be called `-f`.
  assert.deepEqual(parse("--", "-f"), { cmd: "logs", services: ["-f"] });
});

Deno.test("logs words: bad counts and unknown options are usage errors", () => {
  const bad: Array<[string[], RegExp]> = [
    [["-n"], /-n needs a number of lines/],
    [["-n", "x"], /-n needs a number of lines \(0 or more\), not "x"/],
    [["-n", "-1"], /not "-1"/],
    [["--lines"], /needs a number/],
    [["-x"], /"logs" does not accept the option "-x"/],
    [["--tail", "5"], /"logs" does not accept the option "--tail"/],
    [["--follow=yes"], /--follow takes no value/],
    [[""], /a service name cannot be empty/],
  ];
  for (const [words, pattern] of bad) {
    assert.throws(() => parse(...words), (e) => e instanceof UsageError && pattern.test(e.message));
  }
  assert.match(COMMAND_USAGE, /logs \[-n <lines>\] \[-f\] \[<service> \.\.\.\]/);
});

Deno.test("logs requests survive encoding and decoding", () => {
  for (const words of [[], ["-n", "3", "web"], ["-f"], ["-f", "-n", "0", "a", "b"]]) {
    const request = parse(...words);
    const line = new TextDecoder().decode(encode(request)).trimEnd();
    assert.deepEqual(decodeRequest(line), request);
  }
});

Deno.test("decodeRequest() checks the fields of a logs request", () => {
  const bad: Array<[string, RegExp]> = [
    [`{"cmd":"logs"}`, /"services" must be a list of strings/],
    [`{"cmd":"logs","services":[1]}`, /"services" must be a list of strings/],
    [`{"cmd":"logs","services":[],"lines":-1}`, /"lines" must be an integer >= 0/],
    [`{"cmd":"logs","services":[],"lines":1.5}`, /"lines" must be an integer >= 0/],
    [`{"cmd":"logs","services":[],"follow":"yes"}`, /"follow" must be a boolean/],
  ];
  for (const [line, pattern] of bad) {
    assert.throws(
      () => decodeRequest(line),
      (e) => e instanceof ProtocolError && pattern.test(e.message),
      line,
    );
  }
});
