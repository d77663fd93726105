/**
 * How an exec probe starts its command: a port the probe room owns. The run adapts the
 * services' Spawner to it (src/cli/probe_adapter.ts), so that the reaper, which skips the pids
 * that Spawner owns, never collects a probe command's exit status.
 *
 * The command runs in a process group of its own, so an attempt can end it with everything it
 * started (`killGroup`), and its stderr is piped so a failure can say what the command said.
 */

/** What to start for one exec attempt. */
export interface ProbeSpawnRequest {
  /** Program and arguments; argv[0] is looked up in the PATH of `env`. */
  readonly argv: readonly string[];
  /** The complete environment of the command. */
  readonly env: Readonly<Record<string, string>>;
  readonly cwd?: string;
  readonly uid?: number;
  readonly gid?: number;
}

/** How a command ended: exactly one is non-null, or both when it could not be known. */
export interface ProbeExit {
  readonly code: number | null;
  /** Number of the signal that ended it. */
  readonly signal: number | null;
}

/** A started command, leader of its own process group (pgid = pid). */
export interface ProbeProcess {
  readonly pid: number;
  /** Resolves once the command has ended and been collected. */
  readonly status: Promise<ProbeExit>;
  /** The command's stderr; the caller reads or cancels it. */
  readonly stderr: ReadableStream<Uint8Array> | null;
  /** SIGKILL to the whole process group; nothing when it is gone. Never throws. */
  killGroup(): void;
}

/** Starts exec probes' commands. */
export interface ProbeSpawner {
  /** Starts `request` in a new process group; throws when it cannot be started. */
  spawn(request: ProbeSpawnRequest): ProbeProcess;
}
