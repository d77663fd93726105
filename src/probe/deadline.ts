/**
 * The bound of one probe attempt: a signal that aborts when the attempt's time is up (a timer
 * of the Clock) or when the caller cancels it (the service is stopping). Every operation of an
 * attempt takes this signal, so nothing of it outlives the attempt.
 */
import type { Clock } from "../sys/clock.ts";
import { probeFailed, type ProbeResult } from "./probe_result.ts";

/** Why an attempt ended early. */
export type DeadlineReason = "timeout" | "cancelled";

/** A running deadline; dispose() it when the attempt is over. */
export interface Deadline extends Disposable {
  /** Aborts at the deadline or on cancellation. */
  readonly signal: AbortSignal;
  /** Resolves when the signal aborts (never, when the attempt ends first). */
  readonly ended: Promise<void>;
  /** Why the signal aborted, or undefined while it has not. */
  reason(): DeadlineReason | undefined;
  /** The failed result's words: `timed out after 2 s` or `cancelled`. */
  describe(): string;
  /**
   * `work`'s result, or the deadline's failure when the deadline comes first (or `work`
   * failed because of it). `work` must not reject.
   */
  bound(work: Promise<ProbeResult>): Promise<ProbeResult>;
}

/** Starts the deadline of an attempt of `timeoutMs`, on `clock`, also ended by `cancel`. */
export function startDeadline(clock: Clock, timeoutMs: number, cancel?: AbortSignal): Deadline {
  const controller = new AbortController();
  let reason: DeadlineReason | undefined;
  const end = (why: DeadlineReason) => {
    if (reason !== undefined) return;
    reason = why;
    controller.abort(why);
  };
  const ended = new Promise<void>((resolve) => {
    controller.signal.addEventListener("abort", () => resolve(), { once: true });
  });
  const onCancel = () => end("cancelled");
  const timer = clock.setTimeout(() => end("timeout"), timeoutMs);
  if (cancel?.aborted) end("cancelled");
  else cancel?.addEventListener("abort", onCancel, { once: true });
  const describe = () =>
    reason === "cancelled" ? "cancelled" : `timed out after ${seconds(timeoutMs)} s`;
  return {
    signal: controller.signal,
    ended,
    reason: () => reason,
    describe,
    async bound(work) {
      const outcome = await Promise.race([work, ended.then(() => undefined)]);
      if (outcome === undefined || (!outcome.ok && reason !== undefined)) {
        return probeFailed(describe());
      }
      return outcome;
    },
    [Symbol.dispose]() {
      clock.clearTimeout(timer);
      cancel?.removeEventListener("abort", onCancel);
    },
  };
}

/** Milliseconds as seconds for a message: 2000 → `2`, 500 → `0.5`. */
function seconds(ms: number): string {
  return String(Math.round(ms) / 1000);
}
