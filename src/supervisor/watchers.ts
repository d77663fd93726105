/**
 * Pollers for processes the supervisor does not learn about through a child's exit status: a
 * pidfile a forking service writes, a pid it attached, and a process group that must be gone
 * before a stop ends. Plain functions over a small context; each stops polling as soon as
 * `active()` turns false, so the caller decides when a watch is obsolete.
 */
import type { Clock, ProcessPort } from "./ports.ts";

/** What every watcher needs. */
export interface WatchContext {
  readonly clock: Clock;
  readonly processes: ProcessPort;
  /** False once the watch no longer matters (the service moved on). */
  active(): boolean;
}

/** What a pidfile watch reports. */
export interface PidfileWatch extends WatchContext {
  readonly file: string;
  /** The pidfile named a live process. */
  onPid(pid: number): void;
  /** The pidfile named a pid that does not exist. */
  onDead(pid: number): void;
  /** The pidfile exists but holds no number (yet); called once. */
  onGarbage?(): void;
}

/** Longest pause between two reads of a pidfile (ms). */
const PIDFILE_MAX_DELAY = 1000;
/** Interval of the slow poll of an attached pid (ms). */
const ATTACHED_POLL = 1000;
/** Grace for the reaper to deliver an attached pid's real status first (ms). */
const REAPER_GRACE = 100;
/** Longest pause between two checks of a process group (ms). */
const GROUP_MAX_DELAY = 100;

/**
 * Reads the pidfile with a backoff from 20 ms to 1 s until it holds a number. A number whose
 * process does not exist ends the watch too; unreadable or garbled content means "not yet
 * written".
 */
export function watchPidfile(w: PidfileWatch): void {
  let delay = 20;
  let garbled = false;
  const poll = () => {
    if (!w.active()) return;
    let text: string | undefined;
    try {
      text = Deno.readTextFileSync(w.file);
    } catch {
      text = undefined;
    }
    if (text !== undefined) {
      const pid = Number.parseInt(text.trim(), 10);
      if (Number.isInteger(pid) && pid > 0 && /^\s*\d+\s*$/.test(text)) {
        if (w.processes.pidAlive(pid)) {
          w.onPid(pid);
          return;
        }
        w.onDead(pid);
        return;
      }
      if (!garbled) {
        garbled = true;
        w.onGarbage?.();
      }
    }
    w.clock.setTimeout(poll, delay);
    delay = Math.min(delay * 2, PIDFILE_MAX_DELAY);
  };
  poll();
}

/**
 * Watches an attached pid that may not be our child. As PID 1 (or a subreaper) its exit
 * reaches us through the reaper with the real status; otherwise this slow poll notices it and
 * calls `onGone` (after a grace, if the watch is still active then).
 */
export function watchAttached(w: WatchContext, pid: number, onGone: () => void): void {
  const poll = () => {
    if (!w.active()) return;
    if (w.processes.pidAlive(pid)) {
      w.clock.setTimeout(poll, ATTACHED_POLL);
      return;
    }
    w.clock.setTimeout(() => {
      if (w.active()) onGone();
    }, REAPER_GRACE);
  };
  w.clock.setTimeout(poll, ATTACHED_POLL);
}

/**
 * Stopping ends when the whole process group is gone, not only its leader: polls with a backoff
 * from 5 ms to 100 ms and calls `onGone` once no process of `pgid` lives (at once without one).
 */
export function watchGroup(w: WatchContext, pgid: number | undefined, onGone: () => void): void {
  let delay = 5;
  const poll = () => {
    if (!w.active()) return;
    if (pgid === undefined || !w.processes.groupAlive(pgid)) {
      onGone();
      return;
    }
    w.clock.setTimeout(poll, delay);
    delay = Math.min(delay * 2, GROUP_MAX_DELAY);
  };
  poll();
}
