/**
 * `format: json` and `format: logfmt` as PID 1 (docs/logging.md, "Line formats"): a service's
 * output lines and a `logger` line sent from inside the service carry `service`; a line sent
 * from outside any service and Chaperone's own lines do not; hostile bytes sent to /dev/log
 * (embedded newline, quotes, backslashes, ESC, NUL, invalid UTF-8) still give lines that a
 * JSON parser and a strict logfmt parser read back to the message.
 */
import assert from "node:assert/strict";
import { canRunAsPid1 } from "../_helpers/pid1.ts";
import { parseLogfmt } from "../_helpers/logfmt.ts";
import { withScenario } from "./_scenario.ts";

const CONFIG = `settings: { shutdown_timeout: 5 }
talker.service: { command: "$(T)/talker.sh" }
json.logging: { selector: "*.*", file: "$(T)/all.json", format: json }
logfmt.logging: { selector: "*.*", file: "$(T)/all.logfmt", format: logfmt }
`;

// The background subshell logs with its own pid (a member of the service's process group, not
// its leader), then stays alive as the sleep it execs.
const TALKER = `#!/bin/bash
echo 'out line with "quotes" and \\backslash'
printf 'colour \\033[31mred\\033[0m\\n'
echo "err line" >&2
( logger --id=$BASHPID -t inside "from inside the service"; exec sleep 1000 ) &
echo up >"$T/up"
exec sleep 1000
`;

const HOSTILE_PY = `import socket
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.sendto(b'<14>hostile[77]: nl\\nquote" bs\\\\ esc\\x1b[31m nul\\x00<14>hostile: after-nul bad\\xff\\xfe\\xc3(', '/dev/log')
`;

// deno-lint-ignore no-control-regex
const RAW_CONTROL = /[\x00-\x1f\x7f-\x9f\u2028\u2029]/;

type Line = Record<string, unknown>;

function lines(text: string): string[] {
  assert.ok(text.endsWith("\n"), "the file ends with a whole line");
  return text.slice(0, -1).split("\n");
}

function only(all: Line[], where: (l: Line) => boolean, what: string): Line {
  const found = all.filter(where);
  assert.equal(found.length, 1, `one line ${what}: ${JSON.stringify(found)}`);
  return found[0]!;
}

Deno.test({
  name:
    "json and logfmt files as PID 1: service output and a logger line from inside carry service, hostile bytes parse",
  ignore: !canRunAsPid1,
  fn: () =>
    withScenario(
      CONFIG,
      { files: { "talker.sh": TALKER, "hostile.py": HOSTILE_PY } },
      async ({ run, dir, read, waitForFile }) => {
        await waitForFile("up", /up/);
        await waitForFile("all.json", /from inside the service/);
        const outside = await run.exec(["bash", "-c", "logger --id=$$ -t outside 'from outside'"]);
        assert.equal(outside.code, 0, outside.stderr);
        const hostile = await run.exec(["python3", `${dir}/hostile.py`]);
        assert.equal(hostile.code, 0, hostile.stderr);
        await waitForFile("all.json", /after-nul/);
        await waitForFile("all.logfmt", /after-nul/);
        await run.kill("SIGTERM");
        assert.equal(await run.waitExit(), 0, run.output);

        const jsonText = read("all.json");
        const logfmtText = read("all.logfmt");
        for (const line of [...lines(jsonText), ...lines(logfmtText)]) {
          assert.doesNotMatch(line, RAW_CONTROL, `raw control character: ${JSON.stringify(line)}`);
        }
        const json: Line[] = lines(jsonText).map((l) => JSON.parse(l));
        const logfmt: Line[] = lines(logfmtText).map(parseLogfmt);
        assert.equal(json.length, logfmt.length, "both sections select everything");
        for (const [i, j] of json.entries()) {
          const keys = Object.keys(j);
          assert.deepEqual(keys, Object.keys(logfmt[i]!), "the same keys in the same order");
          assert.deepEqual(keys.filter((k) => k !== "pid" && k !== "service"), [
            "time",
            "host",
            "facility",
            "severity",
            "tag",
            "message",
          ]);
          assert.equal(logfmt[i]!.message, j.message);
          assert.equal(logfmt[i]!.service, j.service);
          assert.match(String(j.time), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d$/);
          assert.ok(Number.isFinite(Date.parse(String(j.time))));
        }

        const out = only(json, (l) =>
          l.tag === "talker" && l.severity === "info" &&
          String(l.message).startsWith("out line"), "of stdout");
        assert.equal(out.message, 'out line with "quotes" and \\backslash');
        assert.equal(out.service, "talker.service");
        assert.equal(out.facility, "daemon");
        assert.equal(typeof out.pid, "number");
        const colour = only(json, (l) => String(l.message).startsWith("colour"), "with ESC");
        assert.equal(colour.message, "colour \x1b[31mred\x1b[0m");
        assert.equal(colour.service, "talker.service");
        const err = only(json, (l) => l.message === "err line", "of stderr");
        assert.equal(err.severity, "warn");
        assert.equal(err.service, "talker.service");

        const inside = only(json, (l) => l.tag === "inside", "from logger inside the service");
        assert.equal(inside.message, "from inside the service");
        assert.equal(inside.service, "talker.service");
        assert.notEqual(inside.pid, out.pid, "the logger's pid is not the service's own");
        assert.equal(inside.facility, "user");

        const from = only(json, (l) => l.tag === "outside", "from outside");
        assert.equal(from.message, "from outside");
        assert.equal(from.service, undefined);

        const ready = only(json, (l) =>
          /^chaperone version .*, ready\.$/.test(String(l.message)), "ready");
        assert.equal(ready.tag, "chaperone");
        assert.equal(ready.pid, 1);
        assert.equal(ready.service, undefined);
        assert.equal(ready.facility, "local5");

        const nl = only(json, (l) =>
          l.tag === "hostile" && l.pid === 77, "hostile, first");
        assert.equal(nl.message, 'nl\nquote" bs\\ esc\x1b[31m nul');
        const after = only(json, (l) =>
          l.tag === "hostile" && l.pid === undefined, "after NUL");
        assert.equal(after.message, "after-nul bad\ufffd\ufffd\ufffd(");
        const afterLogfmt = only(logfmt, (l) => l.tag === "hostile" && l.pid === undefined, "");
        assert.equal(afterLogfmt.message, "after-nul bad\ufffd\ufffd\ufffd(");
      },
    ),
});
