/**
 * The one restart decision: whether a failed run of a service is run again, after which
 * delay, and how much of the budget is left. Every failed run goes through here, whatever
 * kind of service it was and wherever the run failed.
 */
import { type ExitStatus, isNormalExit } from "../process/exit_status.ts";

/** A run that stayed up this long refills the restart budget (Decision 10). */
export const BUDGET_REFILL_MS = 60_000;

/** The restart directives of a service. */
export interface RestartPolicy {
  /** `restart: true`. */
  readonly enabled: boolean;
  /** `restart_limit`: failed runs in a row that are retried. */
  readonly limit: number;
  /** `restart_delay` in ms. */
  readonly delayMs: number;
}

/** What the decision needs to know of the service's past. */
export interface RestartHistory {
  /** Restarts left in the current budget. */
  readonly left: number;
  /** When the run that just ended started (ms), if it started. */
  readonly runStartedAt?: number | undefined;
}

/** Run again after `delayMs` (with `left` restarts left after this one), or give up. */
export type RestartDecision =
  | { readonly restart: true; readonly delayMs: number; readonly left: number }
  | { readonly restart: false; readonly left: number };

/**
 * Decides what follows the end of a run with `exit` (undefined: the run never started, a
 * failed spawn). The budget counts consecutive failed runs (Decision 10): a clean exit, or a
 * run that stayed up `BUDGET_REFILL_MS`, refills it; a failed run uses one restart.
 */
export function decideRestart(
  policy: RestartPolicy,
  history: RestartHistory,
  exit: ExitStatus | undefined,
  now: number,
): RestartDecision {
  const longRun = history.runStartedAt !== undefined &&
    now - history.runStartedAt >= BUDGET_REFILL_MS;
  const left = longRun || (exit !== undefined && isNormalExit(exit)) ? policy.limit : history.left;
  if (exit !== undefined && isNormalExit(exit)) return { restart: false, left };
  if (!policy.enabled || left <= 0) return { restart: false, left };
  return { restart: true, delayMs: policy.delayMs, left: left - 1 };
}
