import assert from "node:assert/strict";
import { ServiceTimers } from "../../src/supervisor/service_timers.ts";
import { ManualClock } from "../_helpers/fakes.ts";

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
