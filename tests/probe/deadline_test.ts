/** The bound of a probe attempt: the Clock's timer, cancellation, and the words of each. */
import assert from "node:assert/strict";
import { startDeadline } from "../../src/probe/deadline.ts";
import { longDelayClock } from "../../src/sys/clock.ts";
import { ManualClock } from "../_helpers/fakes.ts";

Deno.test("startDeadline(): aborts when the Clock reaches the timeout, and says so", async () => {
  const clock = new ManualClock();
  using deadline = startDeadline(clock, 2000);
  await clock.advance(1999);
  assert.equal(deadline.signal.aborted, false);
  assert.equal(deadline.reason(), undefined);
  await clock.advance(1);
  assert.equal(deadline.signal.aborted, true);
  assert.equal(deadline.reason(), "timeout");
  assert.equal(deadline.describe(), "timed out after 2 s");
  await deadline.ended;
});

Deno.test("startDeadline(): fractional seconds read as written", () => {
  const clock = new ManualClock();
  using a = startDeadline(clock, 500);
  using b = startDeadline(clock, 1250);
  assert.equal(a.describe(), "timed out after 0.5 s");
  assert.equal(b.describe(), "timed out after 1.25 s");
});

Deno.test("startDeadline(): cancellation aborts at once, even when it came first", async () => {
  const clock = new ManualClock();
  const cancel = new AbortController();
  using deadline = startDeadline(clock, 2000, cancel.signal);
  cancel.abort();
  assert.equal(deadline.reason(), "cancelled");
  assert.equal(deadline.describe(), "cancelled");
  // The timeout firing later does not change why it ended.
  await clock.advance(5000);
  assert.equal(deadline.reason(), "cancelled");
  using early = startDeadline(clock, 2000, cancel.signal);
  assert.equal(early.reason(), "cancelled");
});

Deno.test("startDeadline(): disposing clears the timer and stops listening for cancellation", async () => {
  const clock = new ManualClock();
  const cancel = new AbortController();
  const deadline = startDeadline(clock, 2000, cancel.signal);
  deadline[Symbol.dispose]();
  cancel.abort();
  await clock.advance(5000);
  assert.equal(deadline.reason(), undefined);
  assert.equal(deadline.signal.aborted, false);
});

Deno.test("startDeadline(): bound() gives the work's result, or the deadline's when it came first", async () => {
  const clock = new ManualClock();
  {
    using deadline = startDeadline(clock, 1000);
    assert.deepEqual(await deadline.bound(Promise.resolve({ ok: true })), { ok: true });
  }
  {
    using deadline = startDeadline(clock, 1000);
    const never = new Promise<never>(() => {});
    const bounded = deadline.bound(never);
    await clock.advance(1000);
    assert.deepEqual(await bounded, { ok: false, error: "timed out after 1 s" });
  }
  {
    // Work that failed because the deadline aborted it reports the deadline, not its error.
    using deadline = startDeadline(clock, 1000);
    const aborted = new Promise<{ ok: false; error: string }>((resolve) =>
      deadline.signal.addEventListener("abort", () => resolve({ ok: false, error: "aborted" }))
    );
    const bounded = deadline.bound(aborted);
    await clock.advance(1000);
    assert.deepEqual(await bounded, { ok: false, error: "timed out after 1 s" });
  }
});

Deno.test("startDeadline(): a timeout beyond a JavaScript timer's range does not fire early", async () => {
  // A long-delay Clock over ManualClock with a small chunk, as the real one chains timers.
  const base = new ManualClock();
  const clock = longDelayClock(base, 1000);
  using deadline = startDeadline(clock, 3500);
  await base.advance(3499);
  assert.equal(deadline.reason(), undefined);
  await base.advance(1);
  assert.equal(deadline.reason(), "timeout");
});
