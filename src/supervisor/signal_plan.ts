/**
 * Who receives a service's stop or kill signal: the process we spawned (its whole group when
 * it has one), the pid it attached (alone: it may not lead a group of ours), and, for SIGKILL,
 * the group again so that children whose leader already left are killed too.
 */

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

const SIGKILL = 9;

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
    plan.push({ pid: subject.pgid, signo: SIGKILL, group: true });
  }
  return plan;
}
