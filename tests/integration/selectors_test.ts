/**
 * Selectors' `/regex/` terms are Python regular expressions, as in the original: a section whose
 * selector uses `(?P<name>…)`, `(?P=name)` and `\A` loads, and picks out what it names from
 * /dev/log, as PID 1.
 */
import assert from "node:assert/strict";
import { canRunAsPid1 } from "../_helpers/pid1.ts";
import { withScenario } from "./_scenario.ts";

const CONFIG = `
ready.service: { command: "bash -c 'echo up >$T/up; exec sleep 100'" }
py.logging: { selector: "/\\\\A<\\\\d+>.*(?P<w>job)-(?P=w)/.*", file: "$(T)/py.log" }
all.logging: { selector: "[probe].*", file: "$(T)/all.log" }
`;

Deno.test({
  name: "a Python-dialect /regex/ selector loads and selects as PID 1",
  ignore: !canRunAsPid1,
  fn: () =>
    withScenario(CONFIG, {}, async (s) => {
      await s.waitForFile("up", /up/);
      for (const text of ["JOB-job done", "job-other", "job-job again", "last"]) {
        const r = await s.run.exec(["logger", "--socket-errors=on", "-t", "probe", text]);
        assert.equal(r.code, 0, r.stderr);
      }
      // Datagrams are taken in order: once the last one is logged, the others were routed.
      await s.waitForFile("all.log", /probe: last$/m);
      const lines = s.read("py.log").trimEnd().split("\n");
      assert.deepEqual(lines.map((l) => l.replace(/^.* probe: /, "")), [
        "JOB-job done",
        "job-job again",
      ]);
    }),
});
