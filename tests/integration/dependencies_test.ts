/**
 * Black-box tests of dependency-ordered parallel start-up (`after`, `before`, `service_groups`
 * and `idle_delay` in docs/configuration.md; Decision 4 in docs/migration.md).
 */
import assert from "node:assert/strict";
import { canRunAsPid1 } from "../_helpers/pid1.ts";
import { DEBUG_LOG, withScenario } from "./_scenario.ts";

const ignore = !canRunAsPid1;

/** A oneshot command that records its start and end times (seconds) in $T/<name>. */
function timed(name: string, seconds: number): string {
  return `bash -c 'date +%s.%N >$T/${name}; sleep ${seconds}; date +%s.%N >>$T/${name}'`;
}

function times(text: string): [number, number] {
  const [a, b] = text.trim().split("\n").map(Number);
  return [a!, b!];
}

Deno.test({
  name: "independent oneshots start in parallel: two 1 s oneshots finish in under 1.8 s",
  ignore,
  fn: () =>
    withScenario(
      `a.service: { type: oneshot, command: "${timed("a", 1)}" }
b.service: { type: oneshot, command: "${timed("b", 1)}" }
`,
      {},
      async ({ run, read }) => {
        assert.equal(await run.waitExit(), 0, run.output);
        const [aStart, aEnd] = times(read("a"));
        const [bStart, bEnd] = times(read("b"));
        const total = Math.max(aEnd, bEnd) - Math.min(aStart, bStart);
        assert.ok(total < 1.8, `both took ${total} s`);
        assert.ok(bStart < aEnd && aStart < bEnd, "the runs overlap");
      },
    ),
});

Deno.test({
  name: "an after: chain (and a before:) runs strictly in order",
  ignore,
  fn: () =>
    withScenario(
      `c.service: { type: oneshot, after: b.service, command: "bash -c 'echo c >>$T/log'" }
b.service: { type: oneshot, after: a.service, command: "bash -c 'sleep 0.2; echo b >>$T/log'" }
a.service: { type: oneshot, command: "bash -c 'sleep 0.3; echo a >>$T/log'" }
first.service: { type: oneshot, before: a.service, command: "bash -c 'sleep 0.3; echo first >>$T/log'" }
`,
      {},
      async ({ run, read }) => {
        assert.equal(await run.waitExit(), 0, run.output);
        assert.equal(read("log"), "first\na\nb\nc\n");
      },
    ),
});

Deno.test({
  name: "INIT services start first and IDLE services last, after idle_delay",
  ignore,
  fn: () =>
    withScenario(
      `settings: { idle_delay: 0.6 }
idle.service: { type: oneshot, service_groups: IDLE, command: "bash -c 'date +%s.%N >$T/idle-at; echo idle >>$T/log'" }
normal.service: { type: oneshot, command: "bash -c 'sleep 0.2; echo normal >>$T/log; date +%s.%N >$T/normal-at'" }
init.service: { type: oneshot, service_groups: INIT, command: "bash -c 'sleep 0.3; echo init >>$T/log'" }
${DEBUG_LOG}`,
      {},
      async ({ run, read }) => {
        assert.equal(await run.waitExit(), 0, run.output);
        assert.equal(read("log"), "init\nnormal\nidle\n");
        const gap = Number(read("idle-at")) - Number(read("normal-at"));
        assert.ok(gap >= 0.55, `IDLE started ${gap} s after the last normal service`);
        assert.match(run.stdout, /IDLE transition hit\.\s+delaying for 0\.6 seconds/);
      },
    ),
});

Deno.test({
  name: "a group after: delays only the member that names it (Decision 4)",
  ignore,
  fn: () =>
    withScenario(
      `setup.service: { type: oneshot, service_groups: setup, command: "bash -c 'sleep 1; echo setup >>$T/log'" }
three.service: { type: oneshot, service_groups: checks, after: setup, command: "bash -c 'echo three >>$T/log'" }
four.service: { type: oneshot, service_groups: checks, command: "bash -c 'echo four >>$T/log'" }
`,
      {},
      async ({ run, read }) => {
        assert.equal(await run.waitExit(), 0, run.output);
        assert.equal(read("log"), "four\nsetup\nthree\n");
      },
    ),
});

Deno.test({
  name: "a failing prerequisite aborts start-up with a non-zero exit naming the service",
  ignore,
  fn: () =>
    withScenario(
      `base.service: { type: oneshot, command: "bash -c 'echo base >>$T/log; exit 2'" }
up.service: { command: "bash -c 'echo up >>$T/log; exec sleep 60'" }
top.service: { type: oneshot, after: base.service, command: "bash -c 'echo top >>$T/log'" }
`,
      {},
      async ({ run, read }) => {
        const code = await run.waitExit();
        assert.notEqual(code, 0, run.output);
        assert.equal(code, 1);
        // The dependent never ran; the independent service was started and then stopped.
        assert.doesNotMatch(read("log"), /top/);
        // Without a logging section Chaperone's messages reach stdout too (Decision 19).
        assert.match(run.output, /system startup cancelled due to error: .*base\.service/);
        assert.match(run.output, /exit_status=2/);
      },
    ),
});
