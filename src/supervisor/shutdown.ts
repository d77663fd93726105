/**
 * Signals at the end of a service and of the system: who receives a service's stop or kill
 * signal (`signalPlan`), and the last phase of a shutdown (`finalSweep`, Decision 11): once
 * every service is down, processes that are left (orphans, daemons that escaped their group)
 * get SIGTERM, then SIGKILL when the shutdown deadline passes. As PID 1 that is kill(-1);
 * otherwise each leftover pid in turn.
 */
import type { Logger } from "../log/logger.ts";
import type { Clock, ProcessPort } from "./ports.ts";
import { SIGNO } from "../process/signals.ts";

/** What the final sweep needs. */
export interface FinalSweepContext {
  readonly clock: Clock;
  readonly processes: ProcessPort;
  readonly logger: Logger;
  /** Chaperone is PID 1 of its namespace: signal everything with kill(-1). */
  readonly isPid1: boolean;
  /** kill(-1, signo): only called when isPid1. */
  killAll(signo: number): void;
  /** The whole shutdown's budget (s). */
  readonly shutdownTimeout: number;
  /** When the shutdown began (ms, clock time). */
  readonly shutdownStartedAt: number;
  /** Called once nothing is left. */
  onDone(): void;
}

/** Terminates whatever is left, polling until it is gone, then calls `onDone`. */
export function finalSweep(ctx: FinalSweepContext): void {
  const procs = ctx.processes;
  const left = () =>
    ctx.isPid1 ? procs.hasChildren() || procs.leftovers().length > 0 : procs.leftovers().length > 0;
  if (!left()) {
    ctx.logger.debug("No processes remain when attempting to kill system, just stop.");
    ctx.onDone();
    return;
  }
  const signalLeft = (signo: number) => {
    if (ctx.isPid1) ctx.killAll(signo);
    else for (const pid of procs.leftovers()) procs.signal(pid, signo, { group: false });
  };
  signalLeft(SIGNO.SIGTERM);
  // One shutdown_timeout bounds the whole shutdown (Decision 11): leftovers get what remains
  // of it, and at least a second when the services' own stop already used it up (as the
  // original waited 1 s after a stop phase that had waited).
  const budget = ctx.shutdownTimeout * 1000;
  const deadline = Math.max(
    ctx.shutdownStartedAt + budget,
    ctx.clock.now() + Math.min(1000, budget),
  );
  let killed = false;
  let delay = 5;
  const poll = () => {
    if (!left()) {
      ctx.onDone();
      return;
    }
    if (!killed && ctx.clock.now() >= deadline) {
      killed = true;
      ctx.logger.info(`Some processes remain after ${ctx.shutdownTimeout}secs.  Forcing kill`);
      signalLeft(SIGNO.SIGKILL);
    }
    ctx.clock.setTimeout(poll, delay);
    delay = Math.min(delay * 2, 100);
  };
  poll();
}

/** One kill(2) to make. */
export interface SignalTarget {
  readonly pid: number;
  readonly signo: number;
  readonly group: boolean;
}

/** The processes of one service that a signal reaches. */
export interface SignalSubject {
  readonly pid?: number | undefined;
  readonly mainPid?: number | undefined;
  /** Process group of the spawned process (undefined when it shares ours, as an interactive CONSOLE). */
  readonly pgid?: number | undefined;
}

/** The kills that deliver `signo` to a service; `sweepGroup` adds the group SIGKILL. */
export function signalPlan(
  subject: SignalSubject,
  signo: number,
  sweepGroup: boolean,
): SignalTarget[] {
  const plan: SignalTarget[] = [];
  if (subject.pid !== undefined) {
    plan.push({ pid: subject.pid, signo, group: subject.pgid !== undefined });
  }
  if (subject.mainPid !== undefined) plan.push({ pid: subject.mainPid, signo, group: false });
  if (sweepGroup && subject.pgid !== undefined) {
    plan.push({ pid: subject.pgid, signo: SIGNO.SIGKILL, group: true });
  }
  return plan;
}
