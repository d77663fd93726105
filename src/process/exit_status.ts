/**
 * How a process ended: an exit code or a terminating signal. Built from Deno's
 * ChildProcess status or from a raw waitpid() status (the reaper's orphans), and rendered the
 * way the original's ProcStatus was (log lines and `ctl status` depend on these strings).
 */

import { signalName, SIGNALS } from "./signals.ts";

/**
 * How a process ended: exactly one of `code` and `signal` is non-null, or both are null when
 * the status could not be collected (UNKNOWN_EXIT).
 */
export interface ExitStatus {
  /** Exit code 0–255, or null when a signal ended the process. */
  readonly code: number | null;
  /** Number of the signal that ended the process, or null for a normal exit. */
  readonly signal: number | null;
}

/**
 * The end of a process whose status Chaperone cannot know: an attached main pid that was not
 * its child, collected by its own parent. Counted as abnormal (the service's main process is
 * gone without saying it succeeded), so the restart policy applies.
 */
export const UNKNOWN_EXIT: ExitStatus = Object.freeze({ code: null, signal: null });

/** True for UNKNOWN_EXIT (or any status with neither a code nor a signal). */
export function isUnknownExit(status: ExitStatus): boolean {
  return status.code === null && status.signal === null;
}

/** An ExitStatus from Deno.CommandStatus (Deno reports a signal death as a name plus code 128+n). */
export function fromCommandStatus(status: Deno.CommandStatus): ExitStatus {
  if (status.signal !== null) {
    // Deno's table covers exactly the names signals.ts knows; fall back to the code it reports.
    const signo = SIGNALS[status.signal] ?? status.code - 128;
    return { code: null, signal: signo };
  }
  return { code: status.code, signal: null };
}

/**
 * An ExitStatus from a raw wait status (the `int` that waitpid() fills in), decoded as
 * WIFEXITED/WEXITSTATUS and WIFSIGNALED/WTERMSIG do on Linux.
 */
export function fromWaitStatus(raw: number): ExitStatus {
  const low = raw & 0x7f;
  if (low === 0) return { code: (raw >> 8) & 0xff, signal: null };
  if (low !== 0x7f) return { code: null, signal: low };
  // 0x7f is "stopped", which a reaper never asks for; report it as the stop signal.
  return { code: null, signal: (raw >> 8) & 0xff };
}

/**
 * The exit code a shell (and tini) would report: the code itself, or 128 + signal number; 1
 * for an unknown status (a failure, as it counts).
 */
export function toExitCode(status: ExitStatus): number {
  if (status.signal !== null) return 128 + status.signal;
  return status.code ?? 1;
}

/** Options for formatProcStatus(). */
export interface FormatProcStatusOptions {
  /** An errno attached to the failure, rendered first as in the original. */
  errno?: number;
}

/**
 * `<ProcStatus exit_status=N>` or `<ProcStatus signal=N>` (`<ProcStatus unknown>`), optionally
 * with `errno=N` first.
 */
export function formatProcStatus(
  status: ExitStatus,
  options: FormatProcStatusOptions = {},
): string {
  const parts: string[] = [];
  if (options.errno !== undefined) parts.push(`errno=${options.errno}`);
  if (status.signal !== null) parts.push(`signal=${status.signal}`);
  else if (status.code === null) parts.push("unknown");
  else parts.push(`exit_status=${status.code}`);
  return `<ProcStatus ${parts.join(" ")}>`;
}

/** The brief form used in status tables: `exit(N)`, the signal name (`SIGTERM`) or `exit(?)`. */
export function briefStatus(status: ExitStatus): string {
  if (status.signal !== null) return signalName(status.signal);
  return `exit(${status.code ?? "?"})`;
}

/** True only for an exit with code 0; a signal death is never normal. */
export function isNormalExit(status: ExitStatus): boolean {
  return status.signal === null && status.code === 0;
}
