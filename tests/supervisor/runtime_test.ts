import assert from "node:assert/strict";
import { createRuntime, machineSpecOf } from "../../src/supervisor/runtime.ts";
import { ManualClock, spec } from "../_helpers/fakes.ts";

Deno.test("machineSpecOf() gives a notify service's watchdog in ms", () => {
  const m = machineSpecOf(spec("n.service", { type: "notify", watchdogTimeout: 1.5 }), 8);
  assert.equal(m.watchdogMs, 1500);
  assert.equal(m.stopTimeout, 8);
  assert.equal(m.command, "n");
});

Deno.test("machineSpecOf() ignores a watchdog on other service types", () => {
  const m = machineSpecOf(spec("s.service", { watchdogTimeout: 2 }), 8);
  assert.equal("watchdogMs" in m, false);
});

Deno.test("createRuntime() starts idle, with the configured enabled flag and restart budget", async () => {
  const clock = new ManualClock();
  await clock.advance(1234);
  const r = createRuntime(spec("a.service", { enabled: false, restartLimit: 3 }), 5, clock);
  assert.equal(r.snap.state, "idle");
  assert.equal(r.snap.since, 1234);
  assert.equal(r.snap.restartsLeft, 3);
  assert.equal(r.enabled, false);
  assert.deepEqual(r.timers.armed, []);
  assert.equal(r.inetdChildren.size, 0);
  assert.equal(r.machine.stopTimeout, 5);
});
