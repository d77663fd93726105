/**
 * Waiting for the end of a process that chaperone did not spawn: a forking service's daemon
 * found through its pidfile, or a notify service's MAINPID (spec §5.2.2, §5.3). Such a process
 * is not a Deno.Command child, so there is no status promise to await. When it is our orphan
 * (we are PID 1 or a subreaper), the reaper collects it and reports its status; otherwise
 * /proc is polled with a backoff from 20 ms up to 1 s.
 */

import type { ExitStatus } from "./exit_status.ts";
import { isGone, readProcess } from "./proc_table.ts";

/** The part of the Reaper that pid_watch needs: a notification when a pid is reaped. */
export interface ReapNotifier {
  /** Calls `listener` once when `pid` is reaped; returns a function that unsubscribes. */
  subscribe(pid: number, listener: (status: ExitStatus) => void): () => void;
}

/** Options for watchPid(). */
export interface WatchPidOptions {
  /** Stops watching; the promise then rejects with the signal's reason. */
  signal?: AbortSignal;
  /** The reaper, so that the exit status of an adopted orphan is known. */
  reaper?: ReapNotifier;
  /** First poll interval in ms (default 20); doubles up to `maxIntervalMs`. */
  intervalMs?: number;
  /** Longest poll interval in ms (default 1000). */
  maxIntervalMs?: number;
}

/**
 * Resolves when `pid` is gone: with its ExitStatus when the reaper collected it, or null when
 * it simply disappeared (or became someone else's zombie), so its status is unknown.
 */
export function watchPid(pid: number, options: WatchPidOptions = {}): Promise<ExitStatus | null> {
  const { signal, reaper } = options;
  const maxInterval = options.maxIntervalMs ?? 1000;
  let interval = options.intervalMs ?? 20;
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    let unsubscribe = () => {};
    const finish = (result: ExitStatus | null) => {
      if (timer !== undefined) clearTimeout(timer);
      unsubscribe();
      signal?.removeEventListener("abort", onAbort);
      resolve(result);
    };
    const onAbort = () => {
      if (timer !== undefined) clearTimeout(timer);
      unsubscribe();
      reject(signal?.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
    if (reaper) unsubscribe = reaper.subscribe(pid, (status) => finish(status));
    const poll = () => {
      timer = undefined;
      const info = readProcess(pid);
      if (info === null) return finish(null);
      if (isGone(info.state)) {
        // Our own zombie is about to be reaped, which brings its status; wait for that.
        if (!(reaper && info.ppid === Deno.pid)) return finish(null);
      }
      timer = setTimeout(poll, interval);
      interval = Math.min(interval * 2, maxInterval);
    };
    poll();
  });
}
