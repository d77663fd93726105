/**
 * A read-only view of the process table from /proc (Linux). Used to find our children (the
 * orphaned zombies to reap, the leftovers of a shutdown), to watch pids we did not spawn, and
 * to see whether a process group still has members during shutdown. Reads are synchronous on
 * purpose: /proc reads do not block on I/O, and a scan that cannot interleave with other
 * callbacks gives a consistent snapshot.
 *
 * Each question reads as little as answers it: our children come from the kernel's children
 * lists (one small file per thread), never from a walk of all of /proc; a group is probed
 * with kill(-pgid, 0) and its leader's stat first, and walked only when it outlived its
 * leader, because its members may then be anywhere in the namespace.
 */
import { Errno, lastErrno } from "../sys/errno.ts";
import { libc } from "../sys/libc.ts";

/** Where the process table is read: /proc and our pid, replaceable in tests. */
export interface ProcSource {
  /** The proc file system's mount point (default /proc). */
  readonly root?: string;
  /** The process whose children are asked for (default this one). */
  readonly self?: number;
}

/** One process as /proc/<pid>/stat describes it. */
export interface ProcessInfo {
  readonly pid: number;
  readonly ppid: number;
  readonly pgid: number;
  readonly sid: number;
  /** One-letter state: R, S, D, Z (zombie), T, t, X (dead), I … */
  readonly state: string;
  /** The command name (up to 15 bytes; may contain spaces and parentheses). */
  readonly comm: string;
}

/**
 * Parses the text of /proc/<pid>/stat. The command name sits between the first "(" and the
 * LAST ")", because the name itself may contain ")" and spaces. Returns null when malformed.
 */
export function parseProcStat(text: string): ProcessInfo | null {
  const open = text.indexOf("(");
  const close = text.lastIndexOf(")");
  if (open < 1 || close < open) return null;
  const pid = Number(text.slice(0, open).trim());
  const rest = text.slice(close + 1).trim().split(" ");
  if (rest.length < 4 || !Number.isInteger(pid)) return null;
  const [state, ppid, pgid, sid] = rest as [string, string, string, string];
  const numbers = [ppid, pgid, sid].map(Number);
  if (numbers.some((n) => !Number.isInteger(n)) || !/^[A-Za-z]$/.test(state)) return null;
  return {
    pid,
    ppid: numbers[0]!,
    pgid: numbers[1]!,
    sid: numbers[2]!,
    state,
    comm: text.slice(open + 1, close),
  };
}

/** Reads one process from /proc, or null if it does not exist (any more). */
export function readProcess(pid: number, root = "/proc"): ProcessInfo | null {
  try {
    return parseProcStat(Deno.readTextFileSync(`${root}/${pid}/stat`));
  } catch (error) {
    // The process may exit between listing and reading; ESRCH surfaces as NotFound or a read error.
    if (error instanceof Deno.errors.NotFound || error instanceof Deno.errors.PermissionDenied) {
      return null;
    }
    if (isNoSuchProcess(error)) return null;
    throw error;
  }
}

/** ESRCH, which Deno reports as a plain Error when a process ends while its file is read. */
function isNoSuchProcess(error: unknown): boolean {
  return error instanceof Error && /ESRCH|No such process/.test(error.message);
}

/** Every process visible in /proc (those that vanish while being read are skipped). */
export function listProcesses(root = "/proc"): ProcessInfo[] {
  const result: ProcessInfo[] = [];
  for (const entry of Deno.readDirSync(root)) {
    const pid = Number(entry.name);
    if (!Number.isInteger(pid) || pid <= 0) continue;
    const info = readProcess(pid, root);
    if (info !== null) result.push(info);
  }
  return result;
}

/** True for the states of a process that has already ended (zombie or dead). */
export function isGone(state: string): boolean {
  return state === "Z" || state === "X" || state === "x";
}

/** True while the process exists and has not ended; a zombie counts as gone. */
export function pidAlive(pid: number): boolean {
  const info = readProcess(pid);
  return info !== null && !isGone(info.state);
}

/**
 * True while some live (non-zombie) process belongs to process group `pgid`. Stopping 500
 * services polls each group several times, so the cheap answers come first: kill(-pgid, 0)
 * says whether the group has any member at all (zombies included), and a live leader answers
 * most polls. Only a group that outlived its leader, or holds only zombies, is looked for in
 * all of /proc: its members may be grandchildren re-parented anywhere, so no children list
 * finds them.
 */
export function groupAlive(pgid: number): boolean {
  if (!groupExists(pgid)) return false;
  const leader = readProcess(pgid);
  if (leader !== null && leader.pgid === pgid && !isGone(leader.state)) return true;
  return listProcesses().some((p) => p.pgid === pgid && !isGone(p.state));
}

/** kill(-pgid, 0): false only when no process (zombies included) is left in the group. */
function groupExists(pgid: number): boolean {
  if (libc().kill(-pgid, 0) === 0) return true;
  // EPERM and the like: the group exists but is not ours to signal.
  return lastErrno() !== Errno.ESRCH;
}

/** How often childPids() reads the lists before it settles for what it has seen. */
const MAX_CHILD_READS = 5;

/**
 * The pids of our direct children, zombies included: the children lists of every thread of
 * ours (/proc/<self>/task/<tid>/children; a child belongs to the thread that forked it, an
 * adopted orphan to the one the kernel chose).
 *
 * A list read while a child in it is being reaped elsewhere (Deno collecting its own child)
 * may skip the entry after it, so the lists are read until two readings agree, and every pid
 * seen is returned: a pid that has gone since is harmless to each caller, a missed zombie
 * would never be reaped. A kernel without children lists (CONFIG_PROC_CHILDREN off) gets a
 * walk of /proc for processes whose parent we are.
 */
export function childPids(source: ProcSource = {}): number[] {
  const root = source.root ?? "/proc";
  const self = source.self ?? Deno.pid;
  let previous = readChildLists(root, self);
  if (previous === undefined) {
    return listProcesses(root).filter((p) => p.ppid === self).map((p) => p.pid);
  }
  const seen = new Set(previous);
  for (let i = 1; i < MAX_CHILD_READS; i++) {
    const next = readChildLists(root, self) ?? [];
    for (const pid of next) seen.add(pid);
    if (sameMembers(previous, next)) break;
    previous = next;
  }
  return [...seen];
}

/** Our children that still run (zombies left out). */
export function liveChildren(source: ProcSource = {}): number[] {
  const root = source.root ?? "/proc";
  return childPids(source).filter((pid) => {
    const info = readProcess(pid, root);
    return info !== null && !isGone(info.state);
  });
}

// Every thread's children list, or undefined when the kernel has none (the main thread, which
// lives as long as we do, has no `children` file).
function readChildLists(root: string, self: number): number[] | undefined {
  const task = `${root}/${self}/task`;
  const main = readPids(`${task}/${self}/children`);
  if (main === undefined) return undefined;
  const pids = main;
  for (const entry of Deno.readDirSync(task)) {
    if (entry.name === String(self)) continue;
    // A thread that ended meanwhile has no children left to list.
    pids.push(...readPids(`${task}/${entry.name}/children`) ?? []);
  }
  return pids;
}

function readPids(path: string): number[] | undefined {
  let text: string;
  try {
    text = Deno.readTextFileSync(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound || isNoSuchProcess(error)) return undefined;
    throw error;
  }
  return text.split(/\s+/).map(Number).filter((pid) => Number.isInteger(pid) && pid > 0);
}

function sameMembers(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  const set = new Set(a);
  return b.every((pid) => set.has(pid));
}

/**
 * The real uid of a process (the `Uid:` line of /proc/<pid>/status), or undefined when it does
 * not exist. The real uid, because a setuid program started by a user keeps that user's.
 */
export function realUid(pid: number): number | undefined {
  let text: string;
  try {
    text = Deno.readTextFileSync(`/proc/${pid}/status`);
  } catch {
    return undefined;
  }
  const m = /^Uid:\s+(\d+)/m.exec(text);
  return m ? Number(m[1]) : undefined;
}
