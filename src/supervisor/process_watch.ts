/**
 * Pollers for processes the supervisor does not learn about through a child's exit status: a
 * pidfile a forking service writes, a pid it attached, and a process group that must be gone
 * before a stop ends. Plain functions over a small context; each stops polling as soon as
 * `active()` turns false, so the caller decides when a watch is obsolete.
 */
import { readSmallFile, UnsafeFileError } from "../sys/safe_open.ts";
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
  /** The pidfile named a pid (whose it is, and whether it lives, is the caller's question). */
  onPid(pid: number): void;
  /** The pidfile is a symlink, a FIFO, a device or too long to be a pidfile: never read. */
  onRefused(why: string): void;
  /** The pidfile exists but holds no number (yet); called once. */
  onGarbage?(): void;
}

/** A pidfile holds a pid and a newline; anything longer is not one. */
export const PIDFILE_MAX_BYTES = 64;

/** Longest pause between two reads of a pidfile (ms). */
const PIDFILE_MAX_DELAY = 1000;
/** Interval of the poll of an attached pid (ms): one poll(2) of its pidfd each. */
const ATTACHED_POLL = 250;
/** Longest pause between two checks of a process group (ms). */
const GROUP_MAX_DELAY = 100;

/**
 * Reads the pidfile with a backoff from 20 ms to 1 s until it holds a number. The file is in a
 * directory the service may own, so it is read the safe way (sys/safe_open.ts: no symlink, no
 * FIFO, no device, at most 64 bytes); anything else is refused and ends the watch. A missing,
 * unreadable or garbled file means "not yet written".
 */
export function watchPidfile(w: PidfileWatch): void {
  let delay = 20;
  let garbled = false;
  const poll = () => {
    if (!w.active()) return;
    let text: string | undefined;
    try {
      text = new TextDecoder().decode(readSmallFile(w.file, PIDFILE_MAX_BYTES));
    } catch (err) {
      if (err instanceof UnsafeFileError) {
        w.onRefused(err.message);
        return;
      }
      text = undefined;
    }
    if (text !== undefined) {
      const pid = Number.parseInt(text.trim(), 10);
      if (Number.isSafeInteger(pid) && pid > 0 && /^\s*\d+\s*$/.test(text)) {
        w.onPid(pid);
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
 * Follows an attached pid that may not be our child (ProcessPort.follow: a pidfd, else /proc).
 * Once it is our orphan (as PID 1 or a subreaper) its exit reaches us through the reaper with
 * the real status, which ends the watch; while it is a zombie of ours the watch waits for
 * that. When it ended and someone else collected it, `onGone` is called: its status is lost.
 */
export function watchAttached(w: WatchContext, pid: number, onGone: () => void): void {
  const followed = w.processes.follow(pid);
  const poll = () => {
    if (!w.active()) {
      followed.close();
      return;
    }
    if (followed.state() === "gone") {
      followed.close();
      onGone();
      return;
    }
    w.clock.setTimeout(poll, ATTACHED_POLL);
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
