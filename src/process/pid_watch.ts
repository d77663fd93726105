/**
 * Following a process Chaperone did not spawn: a forking service's daemon found through its
 * pidfile, or a notify service's MAINPID (docs/configuration.md, `pidfile` and notify services). There is no status promise to
 * await for such a process. When it is our orphan (we are PID 1 or a subreaper), the reaper
 * collects it and reports its real status; otherwise its parent collects it and the status is
 * lost to us, so all we can learn is that it ended.
 *
 * A pidfd (pidfd_open(2), Linux 5.3) is used when the kernel has one: it refers to exactly that
 * process, so a pid reused by a new process after the old one ended cannot be mistaken for it,
 * and it becomes readable the moment the process ends. Without pidfds, /proc is read.
 */
import { POLLIN, SYS_PIDFD_OPEN } from "../sys/constants.ts";
import { Errno, lastErrno } from "../sys/errno.ts";
import { libc } from "../sys/libc.ts";
import { isGone, readProcess } from "./proc_table.ts";

/**
 * `running`; `exited`: ended, a zombie whose parent is Chaperone, so the reaper will collect
 * it and report its status; `gone`: ended and collected elsewhere (status unknown to us).
 */
export type FollowedState = "running" | "exited" | "gone";

/** A process followed until it ends. */
export interface FollowedPid {
  readonly pid: number;
  /** Where the process is now (cheap: one poll(2) or one /proc read). */
  state(): FollowedState;
  /** Releases the pidfd. */
  close(): void;
}

/** Where the process is according to /proc (also after a pidfd said it ended). */
function procState(pid: number): FollowedState {
  const info = readProcess(pid);
  if (info === null) return "gone";
  if (!isGone(info.state)) return "running";
  return info.ppid === Deno.pid ? "exited" : "gone";
}

/** Starts following `pid` (a pid that does not exist is `gone` at once). */
export function followPid(pid: number): FollowedPid {
  const lib = libc();
  const fd = Number(lib.syscall(SYS_PIDFD_OPEN, BigInt(pid), 0n));
  if (fd < 0) {
    // ESRCH: no such process. Anything else (ENOSYS on an old kernel, EINVAL for a thread):
    // fall back to /proc.
    const gone = lastErrno() === Errno.ESRCH;
    return { pid, state: () => gone ? "gone" : procState(pid), close: () => {} };
  }
  const pollfd = new Uint8Array(8);
  const view = new DataView(pollfd.buffer);
  let open = true;
  let ended = false;
  return {
    pid,
    state() {
      if (!open) return procState(pid);
      if (!ended) {
        view.setInt32(0, fd, true);
        view.setInt16(4, POLLIN, true);
        view.setInt16(6, 0, true);
        ended = lib.poll(pollfd, 1n, 0) === 1 && (view.getInt16(6, true) & POLLIN) !== 0;
      }
      if (!ended) return "running";
      // Ended. A zombie of ours is collected by the reaper; once collected, /proc either has
      // no such pid or a new process that reuses it: both mean gone.
      const now = procState(pid);
      return now === "exited" ? "exited" : "gone";
    },
    close() {
      if (!open) return;
      open = false;
      lib.close(fd);
    },
  };
}
