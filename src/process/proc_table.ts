/**
 * A read-only view of the process table from /proc (Linux). Used to find orphaned zombies
 * to reap, to watch pids we did not spawn, and to see whether a process group still has
 * members during shutdown. Reads are synchronous on purpose: /proc reads do not block on I/O,
 * and a scan that cannot interleave with other callbacks gives a consistent snapshot.
 */

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
export function readProcess(pid: number): ProcessInfo | null {
  try {
    return parseProcStat(Deno.readTextFileSync(`/proc/${pid}/stat`));
  } catch (error) {
    // The process may exit between listing and reading; ESRCH surfaces as NotFound or a read error.
    if (error instanceof Deno.errors.NotFound || error instanceof Deno.errors.PermissionDenied) {
      return null;
    }
    if (error instanceof Error && /ESRCH|No such process/.test(error.message)) return null;
    throw error;
  }
}

/** Every process visible in /proc (those that vanish while being read are skipped). */
export function listProcesses(): ProcessInfo[] {
  const result: ProcessInfo[] = [];
  for (const entry of Deno.readDirSync("/proc")) {
    const pid = Number(entry.name);
    if (!Number.isInteger(pid) || pid <= 0) continue;
    const info = readProcess(pid);
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

/** True while some live (non-zombie) process belongs to process group `pgid`. */
export function groupAlive(pgid: number): boolean {
  return listProcesses().some((p) => p.pgid === pgid && !isGone(p.state));
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
