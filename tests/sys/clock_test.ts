import assert from "node:assert/strict";
import { longDelayClock, MAX_TIMER_MS, systemClock } from "../../src/sys/clock.ts";

/**
 * Base timers that behave as JavaScript's: a delay of 2^31 ms or more overflows and fires after
 * 1 ms. Time moves only through advance(); every armed delay is recorded.
 */
class OverflowingBase {
  time = 0;
  /** How late each timer fires (a busy event loop). */
  lateBy = 0;
  delays: number[] = [];
  #seq = 0;
  #timers = new Map<number, { at: number; fn: () => void }>();
  now = () => this.time;
  setTimeout = (fn: () => void, ms: number) => {
    this.delays.push(ms);
    const id = ++this.#seq;
    this.#timers.set(id, { at: this.time + (ms > MAX_TIMER_MS ? 1 : ms), fn });
    return id;
  };
  clearTimeout = (id: number) => void this.#timers.delete(id);
  get pending(): number {
    return this.#timers.size;
  }
  /** Moves time forward by `ms`, firing due timers in order. */
  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      let next: [number, { at: number; fn: () => void }] | undefined;
      for (const e of this.#timers) if (e[1].at <= end && (!next || e[1].at < next[1].at)) next = e;
      if (!next) break;
      this.#timers.delete(next[0]);
      this.time = Math.max(this.time, next[1].at + this.lateBy);
      next[1].fn();
    }
    this.time = Math.max(this.time, end);
  }
}

const DAY = 86_400_000;

Deno.test("a 30-day delay does not fire early: it is chained in timers of at most 2^31 - 1 ms", () => {
  const base = new OverflowingBase();
  const clock = longDelayClock(base);
  let fired = 0;
  clock.setTimeout(() => fired++, 30 * DAY);
  base.advance(1);
  assert.equal(fired, 0, "fired after 1 ms (the overflow)");
  base.advance(30 * DAY - 2);
  assert.equal(fired, 0, "fired before its deadline");
  base.advance(1);
  assert.equal(fired, 1);
  assert.ok(base.delays.every((d) => d <= MAX_TIMER_MS), base.delays.join(", "));
  assert.equal(base.delays.length, 2, "30 days is two chained timers");
  assert.equal(base.pending, 0);
});

Deno.test("a year-long delay fires exactly once, at its deadline", () => {
  const base = new OverflowingBase();
  const clock = longDelayClock(base);
  const at: number[] = [];
  clock.setTimeout(() => at.push(base.time), 365 * DAY);
  for (let i = 0; i < 400; i++) base.advance(DAY);
  assert.deepEqual(at, [365 * DAY]);
  assert.ok(base.delays.every((d) => d <= MAX_TIMER_MS));
});

Deno.test("clearing a long delay between two of its chained timers cancels it", () => {
  const base = new OverflowingBase();
  const clock = longDelayClock(base);
  let fired = 0;
  const id = clock.setTimeout(() => fired++, 60 * DAY);
  base.advance(25 * DAY); // past the first chained timer
  assert.equal(base.pending, 1);
  clock.clearTimeout(id);
  assert.equal(base.pending, 0);
  base.advance(60 * DAY);
  assert.equal(fired, 0);
});

Deno.test("short delays are one base timer; negative and NaN fire at once; Infinity never", () => {
  const base = new OverflowingBase();
  const clock = longDelayClock(base);
  const order: string[] = [];
  clock.setTimeout(() => order.push("500"), 500);
  clock.setTimeout(() => order.push("negative"), -5);
  clock.setTimeout(() => order.push("nan"), Number.NaN);
  clock.setTimeout(() => order.push("never"), Infinity);
  assert.deepEqual(base.delays, [500, 0, 0]);
  base.advance(1000 * DAY);
  assert.deepEqual(order, ["negative", "nan", "500"]);
});

Deno.test("a chained timer measures what is left against the base clock (a late base timer)", () => {
  const base = new OverflowingBase();
  const clock = longDelayClock(base, 1000);
  let fired = 0;
  clock.setTimeout(() => fired++, 2500);
  // The first chunk fires 300 ms late: 1,200 ms are left, not 1,500.
  base.lateBy = 300;
  base.advance(1000);
  base.lateBy = 0;
  assert.equal(base.time, 1300);
  assert.deepEqual(base.delays, [1000, 1000], "re-armed with at most the chunk");
  base.advance(1000);
  assert.equal(fired, 0);
  assert.deepEqual(base.delays, [1000, 1000, 200]);
  base.advance(199);
  assert.equal(fired, 0);
  base.advance(1);
  assert.equal(fired, 1);
});

Deno.test("the system clock is monotonic and its timers fire", async () => {
  const a = systemClock.now();
  await new Promise<void>((resolve) => systemClock.setTimeout(resolve, 20));
  assert.ok(systemClock.now() - a >= 19);
  let fired = false;
  const id = systemClock.setTimeout(() => fired = true, 10);
  systemClock.clearTimeout(id);
  await new Promise((r) => setTimeout(r, 30));
  assert.equal(fired, false);
});
