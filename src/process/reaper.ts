/**
 * Init duties that Deno.Command does not cover, through libc FFI (docs/configuration.md, `detect_exit`; docs/docker.md, "Stopping";
 * Decisions 9 and 12).
 *
 * Why FFI: as PID 1 (or a child subreaper) chaperone inherits every orphan in its namespace,
 * and Deno only ever waits for the children it spawned itself. Orphans would stay zombies
 * forever. Deno has no waitpid(), prctl() or kill(-1) of its own, so they come from libc
 * (src/sys/libc.ts).
 *
 * Why not waitpid(-1): it would also collect children of Deno.Command, whose
 * ChildProcess.status then never learns how they ended. So after each burst of SIGCHLD the
 * reaper reads our children lists (proc_table.ts childPids(), not a walk of all of /proc) and
 * calls waitpid(pid, WNOHANG) for each child whose pid the Spawner does not own (`isOwned`):
 * that collects exactly the unowned zombies and returns 0 for the rest. Every process started
 * by chaperone must therefore go through the Spawner while the reaper runs, unless the reaper
 * is meant to collect it (the inetd fast road, which subscribes to its pid).
 */

import { type ExitStatus, fromWaitStatus } from "./exit_status.ts";
import { childPids } from "./proc_table.ts";
import { PR_SET_CHILD_SUBREAPER, WNOHANG } from "../sys/constants.ts";
import { Errno, lastError } from "../sys/errno.ts";
import { libc } from "../sys/libc.ts";

/** What the reaper needs from its owner. */
export interface ReaperOptions {
  /** True for pids that Deno.Command spawned and still has to collect (Spawner.owns). */
  isOwned(pid: number): boolean;
  /** Called for each orphan reaped, with how it ended. */
  onReap(pid: number, status: ExitStatus): void;
  /** Stops the reaper when aborted. */
  signal?: AbortSignal;
}

/** A running reaper. */
export interface Reaper extends Disposable {
  /** Scans now and reaps every unowned zombie child; returns how many were reaped. */
  reapNow(): number;
  /** Zombies reaped so far (`chaperone_zombies_reaped_total` of the HTTP metrics). */
  readonly reaped: number;
  /** Calls `listener` when `pid` is reaped here; returns a function that unsubscribes. */
  subscribe(pid: number, listener: (status: ExitStatus) => void): () => void;
  /** Removes the SIGCHLD listener. */
  close(): void;
}

/**
 * Starts reaping orphaned zombies on every SIGCHLD (and once at start, for orphans that
 * arrived before). Never reaps a pid for which `isOwned(pid)` is true.
 */
export function startReaper(options: ReaperOptions): Reaper {
  const lib = libc();
  const statusBuffer = new Int32Array(1);
  const listeners = new Map<number, Set<(status: ExitStatus) => void>>();
  let scheduled: ReturnType<typeof setTimeout> | undefined;
  let closed = false;
  let total = 0;

  const reapNow = (): number => {
    let reaped = 0;
    for (const pid of childPids()) {
      if (options.isOwned(pid)) continue;
      const result = lib.waitpid(pid, statusBuffer, WNOHANG);
      // 0: still running; -1 (ECHILD): not our child any more, someone collected it first.
      if (result !== pid) continue;
      reaped++;
      total++;
      const status = fromWaitStatus(statusBuffer[0]!);
      options.onReap(pid, status);
      const waiting = listeners.get(pid);
      if (waiting) {
        listeners.delete(pid);
        for (const listener of waiting) listener(status);
      }
    }
    return reaped;
  };

  // SIGCHLDs arrive in bursts; one scan after the burst serves them all.
  const onSigchld = () => {
    if (closed || scheduled !== undefined) return;
    scheduled = setTimeout(() => {
      scheduled = undefined;
      if (!closed) reapNow();
    }, 0);
  };

  const close = () => {
    if (closed) return;
    closed = true;
    Deno.removeSignalListener("SIGCHLD", onSigchld);
    if (scheduled !== undefined) clearTimeout(scheduled);
    scheduled = undefined;
    options.signal?.removeEventListener("abort", close);
  };

  Deno.addSignalListener("SIGCHLD", onSigchld);
  options.signal?.addEventListener("abort", close, { once: true });
  if (options.signal?.aborted) close();
  else reapNow();

  return {
    reapNow,
    get reaped() {
      return total;
    },
    subscribe(pid, listener) {
      let set = listeners.get(pid);
      if (!set) listeners.set(pid, set = new Set());
      set.add(listener);
      return () => {
        const current = listeners.get(pid);
        current?.delete(listener);
        if (current?.size === 0) listeners.delete(pid);
      };
    },
    close,
    [Symbol.dispose]: close,
  };
}

/** True when this process is PID 1 of its PID namespace. */
export function isPid1(): boolean {
  return Deno.pid === 1;
}

/**
 * Marks this process as a child subreaper (prctl PR_SET_CHILD_SUBREAPER), so orphans of its
 * descendants are re-parented here instead of to the real init (Decision 12, `--force`).
 */
export function becomeSubreaper(): void {
  if (libc().prctl(PR_SET_CHILD_SUBREAPER, 1n, 0n, 0n, 0n) !== 0) {
    const { message } = lastError();
    throw new Error(`Cannot become a child subreaper: ${message}`);
  }
}

/**
 * kill(-1, sig): signals every process this one may signal, which inside a PID namespace is
 * everything except itself. Only allowed as PID 1 (Decision 9): outside a namespace the same
 * call would hit every process of the user, for root the whole host. Returns false when no
 * process was left to signal (ESRCH).
 */
export function killAll(sig: number): boolean {
  if (!isPid1()) {
    throw new Error("Refusing kill(-1): chaperone is not PID 1 of its namespace");
  }
  if (libc().kill(-1, sig) === 0) return true;
  const { errno, message } = lastError();
  if (errno === Errno.ESRCH) return false;
  throw new Error(`Cannot signal all processes: ${message}`);
}
