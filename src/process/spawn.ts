/**
 * Starting service processes over Deno.Command, and resolving argv[0] the way the original
 * did before a service may start (docs/configuration.md, "Finding the program").
 *
 * Checked on Deno 2.9.6 (and kept in tests/process/spawn_test.ts):
 * - `detached: true` runs setsid() in the child: its pid is its own process group id and
 *   session id, so a stop signal sent to `-pid` reaches everything the service started.
 * - `uid`/`gid` switch identity and also call setgroups(0), so a service started as another
 *   user does not keep root's supplementary groups (Decision 5); no exec helper is needed.
 *
 * The Spawner remembers the pids it started until Deno has collected their status. The
 * reaper asks `owns(pid)` so that it never reaps one of them: a waitpid() by anyone else
 * would leave ChildProcess.status without an exit status.
 */

import { isAbsolute, join, resolve } from "../text/posix_path.ts";
import { type ExitStatus, fromCommandStatus } from "./exit_status.ts";
import { denoSignal } from "./signals.ts";

/** What to start and how. `argv[0]` should already be resolved (see resolveExecutable()). */
export interface SpawnRequest {
  /** Program and arguments; argv[0] is the program path. */
  readonly argv: readonly string[];
  /** The complete environment of the child (nothing is inherited implicitly). */
  readonly env: Readonly<Record<string, string>>;
  /** Working directory; chaperone's own when absent. */
  readonly cwd?: string;
  /** User id to switch to (supplementary groups are dropped). */
  readonly uid?: number;
  /** Group id to switch to. */
  readonly gid?: number;
  /** Start the child in its own session and process group (pgid = sid = pid). */
  readonly detached: boolean;
  readonly stdin: "inherit" | "null";
  readonly stdout: "piped" | "inherit" | "null";
  readonly stderr: "piped" | "inherit" | "null";
}

/** Options for ChildHandle.kill(). */
export interface KillOptions {
  /** Signal the whole process group `-pid` (meaningful for detached children). */
  readonly group?: boolean;
}

/** A started child process. */
export interface ChildHandle {
  readonly pid: number;
  /** Resolves once the child has ended; the Spawner stops owning the pid at that moment. */
  readonly status: Promise<ExitStatus>;
  /** The child's stdout when piped, else null. The caller must consume or cancel it. */
  readonly stdout: ReadableStream<Uint8Array> | null;
  /** The child's stderr when piped, else null. The caller must consume or cancel it. */
  readonly stderr: ReadableStream<Uint8Array> | null;
  /**
   * Sends signal number `sig` to the child (or its group). Returns false when there was no
   * one left to signal; a child whose status has resolved is never signalled by pid, because
   * its pid may already belong to someone else.
   */
  kill(sig: number, options?: KillOptions): boolean;
}

/** Starts children over Deno.Command and tracks the pids whose status Deno still owes us. */
export class Spawner {
  #owned = new Set<number>();

  /**
   * Starts a child. Throws synchronously when it cannot be started (Deno.errors.NotFound,
   * Deno.errors.PermissionDenied, …).
   */
  spawn(request: SpawnRequest): ChildHandle {
    const [program, ...args] = request.argv;
    if (program === undefined) throw new TypeError("Cannot spawn: argv is empty");
    const options: Deno.CommandOptions = {
      args,
      env: { ...request.env },
      clearEnv: true,
      detached: request.detached,
      stdin: request.stdin,
      stdout: request.stdout,
      stderr: request.stderr,
    };
    if (request.cwd !== undefined) options.cwd = request.cwd;
    if (request.uid !== undefined) options.uid = request.uid;
    if (request.gid !== undefined) options.gid = request.gid;
    const child = new Deno.Command(program, options).spawn();
    const pid = child.pid;
    // Filled in the same synchronous turn as spawn(), before any SIGCHLD callback can run.
    this.#owned.add(pid);
    let ended = false;
    const status = child.status.then((s) => {
      ended = true;
      this.#owned.delete(pid);
      return fromCommandStatus(s);
    });
    return {
      pid,
      status,
      stdout: request.stdout === "piped" ? child.stdout : null,
      stderr: request.stderr === "piped" ? child.stderr : null,
      kill(sig: number, killOptions: KillOptions = {}): boolean {
        const name = denoSignal(sig);
        if (!killOptions.group && ended) return false;
        try {
          Deno.kill(killOptions.group ? -pid : pid, name);
          return true;
        } catch (error) {
          if (error instanceof Deno.errors.NotFound) return false;
          // ESRCH is reported with a plain Error on some Deno versions.
          if (error instanceof Error && /ESRCH|No such process/.test(error.message)) return false;
          throw error;
        }
      },
    };
  }

  /** True while `pid` was spawned here and Deno has not yet delivered its status. */
  owns(pid: number): boolean {
    return this.#owned.has(pid);
  }
}

/** Options for resolveExecutable(). */
export interface ResolveExecutableOptions {
  /** Directory that relative names and empty/relative PATH entries are resolved against. */
  readonly cwd?: string;
  /** HOME used for `~` (chaperone's own HOME, as in the original). */
  readonly home?: string;
}

/** PATH used when the service environment has none (glibc's default search path). */
export const DEFAULT_PATH = "/usr/local/bin:/usr/bin:/bin";

/**
 * Resolves argv[0] to an absolute path as docs/configuration.md ("Finding the program") describes: `~` expands to `home`; a name
 * without "/" is searched in `path` (the first executable regular file wins); otherwise it is
 * taken relative to `cwd`. Throws Deno.errors.NotFound `executable '<x>' not found` when no
 * regular file exists, or Deno.errors.PermissionDenied when the file is not executable.
 */
export function resolveExecutable(
  argv0: string,
  path: string | undefined,
  options: ResolveExecutableOptions = {},
): string {
  const cwd = options.cwd ?? Deno.cwd();
  let name = argv0;
  if (name === "~" || name.startsWith("~/")) {
    const home = options.home ?? Deno.env.get("HOME");
    if (home !== undefined) name = home + name.slice(1);
  }
  if (name === "") throw new Deno.errors.NotFound(`executable '${argv0}' not found`);
  if (name.includes("/")) {
    const full = isAbsolute(name) ? name : resolve(cwd, name);
    const check = checkFile(full);
    switch (check) {
      case "executable":
        return full;
      case "not-executable":
        throw new Deno.errors.PermissionDenied(
          `executable '${argv0}' is not executable (permission denied)`,
        );
      case "missing":
        throw new Deno.errors.NotFound(`executable '${argv0}' not found`);
      default: {
        const _exhaustive: never = check;
        throw new TypeError(`Unexpected file check ${_exhaustive}`);
      }
    }
  }
  let notExecutable = false;
  for (const entry of (path ?? DEFAULT_PATH).split(":")) {
    const dir = entry === "" ? cwd : resolve(cwd, entry);
    const candidate = join(dir, name);
    const check = checkFile(candidate);
    if (check === "executable") return candidate;
    if (check === "not-executable") notExecutable = true;
  }
  if (notExecutable) {
    throw new Deno.errors.PermissionDenied(
      `executable '${argv0}' is not executable (permission denied)`,
    );
  }
  throw new Deno.errors.NotFound(`executable '${argv0}' not found`);
}

type FileCheck = "executable" | "not-executable" | "missing";

/** Whether `file` is a regular file this process may execute (access(X_OK) by mode bits). */
function checkFile(file: string): FileCheck {
  let info: Deno.FileInfo;
  try {
    info = Deno.statSync(file);
  } catch {
    return "missing";
  }
  if (!info.isFile) return "missing";
  const mode = info.mode ?? 0;
  const uid = Deno.uid();
  let allowed: boolean;
  if (uid === 0) {
    // root may execute a file when any execute bit is set.
    allowed = (mode & 0o111) !== 0;
  } else if (info.uid === uid) {
    allowed = (mode & 0o100) !== 0;
  } else if (info.gid === Deno.gid()) {
    allowed = (mode & 0o010) !== 0;
  } else {
    allowed = (mode & 0o001) !== 0;
  }
  return allowed ? "executable" : "not-executable";
}
