/**
 * How an exec probe starts its command: a port the probe room owns (the caller may adapt its
 * own process spawner to it) and the real implementation over Deno.Command.
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

/**
 * The real spawner: Deno.Command with `detached: true` (setsid: the command leads its own
 * session and process group), stdin and stdout null, stderr piped.
 *
 * Like src/process/spawn.ts's Spawner it remembers the pids Deno has not collected yet: while
 * Chaperone reaps orphans as PID 1, its reaper must skip them (`owns`), or Deno would never
 * learn how the command ended.
 */
export class DenoProbeSpawner implements ProbeSpawner {
  readonly #owned = new Set<number>();

  spawn(request: ProbeSpawnRequest): ProbeProcess {
    const [program, ...args] = request.argv;
    if (program === undefined) throw new TypeError("Cannot spawn: argv is empty");
    const options: Deno.CommandOptions = {
      args,
      env: { ...request.env },
      clearEnv: true,
      detached: true,
      stdin: "null",
      stdout: "null",
      stderr: "piped",
    };
    if (request.cwd !== undefined) options.cwd = request.cwd;
    if (request.uid !== undefined) options.uid = request.uid;
    if (request.gid !== undefined) options.gid = request.gid;
    const child = new Deno.Command(program, options).spawn();
    const pid = child.pid;
    this.#owned.add(pid);
    const status = child.status.then((s): ProbeExit => {
      this.#owned.delete(pid);
      // Deno reports a death by signal as its name with the code 128 + its number.
      return s.signal !== null
        ? { code: null, signal: s.code - 128 }
        : { code: s.code, signal: null };
    });
    return {
      pid,
      status,
      stderr: child.stderr,
      killGroup() {
        // The group keeps the leader's pid from being reused while any member lives; once
        // it is empty, ESRCH says there is no one left.
        try {
          Deno.kill(-pid, "SIGKILL");
        } catch {
          // ESRCH: the group is gone already.
        }
      },
    };
  }

  /** True while `pid` was started here and Deno has not yet collected it. */
  owns(pid: number): boolean {
    return this.#owned.has(pid);
  }
}
