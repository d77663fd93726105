/**
 * The one clock every timer of Chaperone goes through. Two things plain `setTimeout` gets wrong
 * for a supervisor:
 *
 * - A JavaScript timer holds its delay in a signed 32-bit integer: anything from 2^31 ms (24.9
 *   days) on overflows and fires after about 1 ms. A `process_timeout` or `ctl shutdown` of 30
 *   days would act at once. Long delays are therefore chained: the clock arms the longest timer
 *   it may, and on each firing re-arms for what is left until the deadline is reached.
 * - `Date.now()` jumps when the wall clock is stepped (NTP, a host resuming); an interval
 *   measured with it stretches or collapses. `now()` is the monotonic clock instead.
 *
 * Wall time is only for what means a date (`_CHAP_SERVICE_TIME`, strftime names, cron).
 */

/** A timer handle; stable across the chained timers of one long delay. */
export type TimerId = number;

/** Time, replaceable in tests. */
export interface Clock {
  /** Monotonic milliseconds (not the wall clock: only differences mean anything). */
  now(): number;
  /** Calls `fn` once after `ms` milliseconds, however long that is. */
  setTimeout(fn: () => void, ms: number): TimerId;
  clearTimeout(id: TimerId): void;
}

/** The short-ranged timers a long-delay clock is built on. */
export interface BaseTimers<H> {
  now(): number;
  setTimeout(fn: () => void, ms: number): H;
  clearTimeout(handle: H): void;
}

/** The longest delay one JavaScript timer takes correctly: 2^31 - 1 ms. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * A Clock over `base` whose delays may be of any length: a delay above `maxDelay` is split
 * into base timers of at most `maxDelay`, each measuring what is left against `base.now()`.
 * A negative or NaN delay fires as soon as possible; an infinite one never.
 */
export function longDelayClock<H>(base: BaseTimers<H>, maxDelay = MAX_TIMER_MS): Clock {
  const armed = new Map<TimerId, H>();
  let seq = 0;
  return {
    now: () => base.now(),
    setTimeout(fn, ms) {
      const id = ++seq;
      const delay = Number.isNaN(ms) ? 0 : Math.max(0, ms);
      if (delay === Infinity) return id;
      const deadline = base.now() + delay;
      const step = (left: number) => {
        armed.set(
          id,
          base.setTimeout(() => {
            const rest = deadline - base.now();
            // Base timers may fire a little early or late; only a chunk boundary re-arms.
            if (rest > 1 && left > maxDelay) {
              step(rest);
              return;
            }
            armed.delete(id);
            fn();
          }, Math.min(left, maxDelay)),
        );
      };
      step(delay);
      return id;
    },
    clearTimeout(id) {
      const handle = armed.get(id);
      if (handle === undefined) return;
      armed.delete(id);
      base.clearTimeout(handle);
    },
  };
}

/** The real clock: monotonic time, JavaScript timers chained for long delays. */
export const systemClock: Clock = longDelayClock<ReturnType<typeof setTimeout>>({
  now: () => performance.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle),
});
