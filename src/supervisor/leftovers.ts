/**
 * What is left of a service's previous run, to be killed before its next run starts
 * (docs/configuration.md, "Clean restarts"): every live process in a process group or session
 * of the run (the pid Chaperone spawned, the main pids it attached: a daemon that called
 * setsid leads its own session, and its workers are in it), and their descendants found through
 * the process table. A process that belongs to another service (its pids, groups, sessions) is
 * never taken, nor PID 1 or Chaperone, nor, for a service with a user, another user's process:
 * a pid of the old run that the kernel has given to someone else since must not be hit.
 */
import type { ProcessEntry } from "./ports.ts";
import type { ServiceProcesses } from "./main_pid_refusal.ts";

/** What the search needs. */
export interface LeftoverSearch {
  /** The pids of the previous run whose groups and sessions were its own. */
  readonly runPids: readonly number[];
  /** The live process table. */
  readonly table: readonly ProcessEntry[];
  /** The processes of every other service. */
  readonly others: readonly ServiceProcesses[];
  /** Chaperone's own pid. */
  readonly self: number;
  /** The real uid of a pid, when the service runs as a user other than root; else undefined. */
  uidOf?(pid: number): number | undefined;
  /** The service's uid (any uid when undefined: a root service). */
  readonly uid?: number | undefined;
}

/** The pids to kill, parents before their children. */
export function findLeftovers(search: LeftoverSearch): number[] {
  const { runPids, table, others, self } = search;
  if (runPids.length === 0) return [];
  const ours = new Set(runPids);
  const held = (p: ProcessEntry) =>
    others.some((o) =>
      o.pids.includes(p.pid) ||
      (o.pgid !== undefined && (p.pgid === o.pgid || p.sid === o.pgid))
    );
  const children = new Map<number, ProcessEntry[]>();
  for (const p of table) {
    const list = children.get(p.ppid);
    if (list) list.push(p);
    else children.set(p.ppid, [p]);
  }
  const found: number[] = [];
  const seen = new Set<number>();
  const take = (p: ProcessEntry) => {
    if (seen.has(p.pid) || p.pid === self || p.pid <= 1 || held(p)) return;
    if (search.uid !== undefined && search.uidOf?.(p.pid) !== search.uid) return;
    seen.add(p.pid);
    found.push(p.pid);
    for (const child of children.get(p.pid) ?? []) take(child);
  };
  for (const p of table) {
    if (ours.has(p.pid) || ours.has(p.pgid) || ours.has(p.sid)) take(p);
  }
  return found;
}
