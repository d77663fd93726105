/**
 * Starts an inetd connection's command directly with posix_spawn(3) through libc FFI, the
 * socket on its fds 0, 1 and 2 (docs/configuration.md, "inetd services"): the fast road, about as cheap as inetd's own
 * fork and exec.
 *
 * Why FFI: Deno.Command cannot put an arbitrary fd on a child's stdio. posix_spawn can
 * (file actions dup2 the socket; the original fd stays close-on-exec and vanishes at exec),
 * start a new session (POSIX_SPAWN_SETSID) and reset every signal to its default, which
 * matters because Deno ignores SIGPIPE and a child would inherit that. It cannot switch user,
 * so services with a uid or gid go through the `__inetd-exec` helper instead.
 *
 * Deno does not know this child: its exit is collected by the reaper (src/process/reaper.ts),
 * which reaps every zombie child the Spawner does not own; the caller subscribes to the pid
 * right after this returns, in the same synchronous turn, so the exit cannot be missed.
 */
import {
  POSIX_SPAWN_SETSID,
  POSIX_SPAWN_SETSIGDEF,
  POSIX_SPAWN_SETSIGMASK,
  SIGSET_SIZE,
} from "../sys/constants.ts";
import { errnoText } from "../sys/errno.ts";
import { libc } from "../sys/libc.ts";
import { cStringArray } from "./exec_with_socket.ts";

// glibc's posix_spawnattr_t is 336 bytes and posix_spawn_file_actions_t 80; room to spare.
const ATTR_SIZE = 512;
const ACTIONS_SIZE = 256;

const encoder = new TextEncoder();

/** What to start; argv[0] must be a path. */
export interface SocketSpawnRequest {
  readonly argv: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly cwd?: string | undefined;
}

/**
 * Starts `argv` in a new session with `fd` as its stdin, stdout and stderr; returns its pid.
 * Throws Error naming the program when it cannot be started (not found, not executable, a
 * bad directory).
 */
export function spawnWithSocket(fd: number, request: SocketSpawnRequest): number {
  const program = request.argv[0];
  if (program === undefined) throw new TypeError("Cannot spawn: argv is empty");
  const lib = libc();
  const attr = new Uint8Array(ATTR_SIZE);
  const actions = new Uint8Array(ACTIONS_SIZE);
  const all = new Uint8Array(SIGSET_SIZE);
  const none = new Uint8Array(SIGSET_SIZE);
  lib.posix_spawnattr_init(attr);
  lib.posix_spawn_file_actions_init(actions);
  try {
    lib.sigfillset(all);
    lib.sigemptyset(none);
    lib.posix_spawnattr_setsigdefault(attr, all);
    lib.posix_spawnattr_setsigmask(attr, none);
    lib.posix_spawnattr_setflags(
      attr,
      POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK,
    );
    for (const target of [0, 1, 2]) lib.posix_spawn_file_actions_adddup2(actions, fd, target);
    const keep: Uint8Array[] = [];
    if (request.cwd !== undefined) {
      const dir = encoder.encode(`${request.cwd}\0`);
      keep.push(dir);
      lib.posix_spawn_file_actions_addchdir_np(actions, dir);
    }
    const pid = new Int32Array(1);
    const argv = cStringArray(request.argv, keep);
    const envp = cStringArray(
      Object.entries(request.env).map(([k, v]) => `${k}=${v}`),
      keep,
    );
    const rc = lib.posix_spawn(pid, encoder.encode(`${program}\0`), actions, attr, argv, envp);
    if (rc !== 0) {
      // posix_spawn returns the error number instead of setting errno.
      throw new Error(`Cannot start "${program}": ${errnoText(rc)}`);
    }
    return pid[0]!;
  } finally {
    lib.posix_spawn_file_actions_destroy(actions);
    lib.posix_spawnattr_destroy(attr);
  }
}
