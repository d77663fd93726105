/**
 * The one restart decision: whether the end of a run is followed by another run, after which
 * delay, and how much of the budget is left (docs/configuration.md, "Restart policies and
 * backoff"). Every run that ends goes through here, whatever kind of service it was and
 * wherever it failed: before its exec, in its startup pause, at its timeout, or later.
 */
import { type ExitStatus, isNormalExit } from "../process/exit_status.ts";

/** A run that stayed up this long refills the restart budget (Decision 10). */
export const BUDGET_REFILL_MS = 60_000;

/** When a run that ended is run again: `restart:` (`true` is on-failure, `false` never). */
export type RestartMode = "on-failure" | "always" | "never";

/** The restart directives of a service. */
export interface RestartPolicy {
  readonly mode: RestartMode;
  /** `restart_limit`: failed runs in a row that are retried. */
  readonly limit: number;
  /** `restart_delay` in ms: the delay after the first failure of a budget. */
  readonly delayMs: number;
  /** `restart_backoff`: each further consecutive failure multiplies the delay (>= 1). */
  readonly backoff: number;
  /** `restart_delay_max` in ms: the delay never grows past this. */
  readonly maxDelayMs: number;
}

/** What the decision needs to know of the service's past. */
export interface RestartHistory {
  /** Restarts left in the current budget. */
  readonly left: number;
  /** When the run that just ended started (ms), if it started. */
  readonly runStartedAt?: number | undefined;
  /** Failed runs in a row before this one. */
  readonly failures: number;
}

/**
 * Run again after `delayMs` (with `left` restarts left after this one), or not; `failures` is
 * the count of failed runs in a row, this one included (0 after a clean exit).
 */
export type RestartDecision =
  & { readonly left: number; readonly failures: number }
  & ({ readonly restart: true; readonly delayMs: number } | { readonly restart: false });

/**
 * Decides what follows the end of a run with `exit`; `failed` says whether the run counts as a
 * failure (a non-zero exit, a signal, a failed start, a failed health probe). The budget counts
 * consecutive failed runs (Decision 10): a clean exit, or a run that stayed up
 * `BUDGET_REFILL_MS`, refills it, and the delay starts again from `restart_delay`. Under
 * `always` a clean exit is run again after `restart_delay` without using the budget.
 */
export function decideRestart(
  policy: RestartPolicy,
  history: RestartHistory,
  failed: boolean,
  now: number,
): RestartDecision {
  const longRun = history.runStartedAt !== undefined &&
    now - history.runStartedAt >= BUDGET_REFILL_MS;
  const refilled = longRun || !failed;
  const left = refilled ? policy.limit : history.left;
  const failures = !failed ? 0 : longRun ? 1 : history.failures + 1;
  if (policy.mode === "never") return { restart: false, left, failures };
  if (!failed) {
    return policy.mode === "always"
      ? { restart: true, delayMs: policy.delayMs, left, failures }
      : { restart: false, left, failures };
  }
  if (left <= 0) return { restart: false, left, failures };
  const delayMs = backoffDelay(policy, policy.limit - left);
  return { restart: true, delayMs, left: left - 1, failures };
}

/**
 * The delay after `used` restarts of the current budget: restart_delay × backoff^used, never
 * longer than restart_delay_max (whose default is 60 s, or restart_delay when that is longer,
 * so that an existing `restart_delay: 120` keeps its meaning: config/resolve_restart.ts).
 */
export function backoffDelay(policy: RestartPolicy, used: number): number {
  const grown = policy.delayMs * Math.pow(Math.max(1, policy.backoff), Math.max(0, used));
  return Math.round(Math.min(grown, policy.maxDelayMs));
}

/** A run's end counts as a failure: anything but a clean exit. */
export function isFailedExit(exit: ExitStatus | undefined): boolean {
  return exit === undefined || !isNormalExit(exit);
}
