import assert from "node:assert/strict";
import { createRuntime, machineSpecOf, ServiceTimers } from "../../src/supervisor/runtime.ts";
import { ManualClock, spec } from "../_helpers/fakes.ts";

Deno.test("machineSpecOf() gives durations in ms and the restart policy", () => {
  const m = machineSpecOf(
    spec("a.service", { restart: true, restartLimit: 2, restartDelay: 0.25, startupPause: 1 }),
    8,
  );
  assert.deepEqual(m.restart, {
    mode: "on-failure",
    limit: 2,
    delayMs: 250,
    backoff: 1,
    maxDelayMs: 60_000,
  });
  assert.equal(m.startupPauseMs, 1000);
  assert.equal(m.processTimeoutMs, 30_000);
});

Deno.test("machineSpecOf() gives a notify service's watchdog in ms", () => {
  const m = machineSpecOf(spec("n.service", { type: "notify", watchdogTimeout: 1.5 }), 8);
  assert.equal(m.watchdogMs, 1500);
  assert.equal(m.stopTimeoutMs, 8000);
  assert.equal(m.command, "n");
});

Deno.test("machineSpecOf() ignores a watchdog on other service types", () => {
  const m = machineSpecOf(spec("s.service", { watchdogTimeout: 2 }), 8);
  assert.equal(m.watchdogMs, undefined);
});

Deno.test("createRuntime() starts idle, with the configured enabled flag and restart budget", async () => {
  const clock = new ManualClock();
  await clock.advance(1234);
  const r = createRuntime(spec("a.service", { enabled: false, restartLimit: 3 }), 5, clock);
  assert.equal(r.snap.state, "idle");
  assert.equal(r.snap.since, 1234);
  assert.equal(r.snap.restartsLeft, 3);
  assert.equal(r.snap.enabled, false);
  assert.deepEqual(r.timers.armed, []);
  assert.equal(r.connections.size, 0);
  assert.equal(r.machine.stopTimeoutMs, 5000);
});

Deno.test("ServiceTimers fires a timer once and forgets it", async () => {
  const clock = new ManualClock();
  const timers = new ServiceTimers(clock);
  const fired: string[] = [];
  timers.set("restart", 100, () => fired.push("restart"));
  assert.deepEqual(timers.armed, ["restart"]);
  await clock.advance(99);
  assert.deepEqual(fired, []);
  await clock.advance(1);
  assert.deepEqual(fired, ["restart"]);
  assert.deepEqual(timers.armed, []);
});

Deno.test("ServiceTimers replaces a timer of the same name when set again", async () => {
  const clock = new ManualClock();
  const timers = new ServiceTimers(clock);
  const fired: number[] = [];
  timers.set("kill", 100, () => fired.push(1));
  timers.set("kill", 300, () => fired.push(2));
  await clock.advance(1000);
  assert.deepEqual(fired, [2]);
});

Deno.test("ServiceTimers cancels one timer or all of them", async () => {
  const clock = new ManualClock();
  const timers = new ServiceTimers(clock);
  const fired: string[] = [];
  timers.set("kill", 100, () => fired.push("kill"));
  timers.set("watchdog", 100, () => fired.push("watchdog"));
  timers.set("restart", 100, () => fired.push("restart"));
  timers.cancel("kill");
  timers.cancel("process-timeout");
  await clock.advance(50);
  timers.cancelAll();
  assert.deepEqual(timers.armed, []);
  await clock.advance(1000);
  assert.deepEqual(fired, []);
});
