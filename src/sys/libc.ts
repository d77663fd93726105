/**
 * libc, opened once: the one table of every C function Chaperone calls through FFI.
 *
 * Why FFI at all, call by call (what Deno's own API cannot do):
 * - Reaping (src/process/reaper.ts): as PID 1 chaperone inherits every orphan, and Deno only
 *   waits for children it spawned: waitpid(), prctl(PR_SET_CHILD_SUBREAPER), kill(-1).
 * - Following and probing processes (src/process/pid_watch.ts, proc_table.ts): pidfd_open
 *   (through syscall()) to follow a pid that is not our child without mistaking a reused pid;
 *   poll() to ask the pidfd whether it ended; kill(-pgid, 0), a signal Deno.kill cannot send.
 * - Files in directories a service owns (src/sys/file_descriptor.ts): openat with O_NOFOLLOW,
 *   O_NONBLOCK or O_PATH, mkdirat, statx, fchmod, fchown, ftruncate and fcntl on a descriptor.
 * - The FIFO of the control endpoints (src/control/server.ts): mkfifo(); spawning mkfifo(1)
 *   would make an external binary a runtime requirement of minimal images.
 * - `selftest` asking whether a directory is writable without writing in it
 *   (src/cli/selftest_sockets.ts): access(), which Deno does not have.
 * - /dev/log (src/syslog/listener.ts): recvmmsg() takes up to 64 datagrams per call, where
 *   Deno.listenDatagram delivers one per promise, far below what programs log.
 * - sd_notify (src/notify/): abstract sockets (`@name`), which Deno cannot address, and
 *   sending from an unbound socket: socket(), bind(), recv(), sendto().
 * - inetd (src/inetd/): the accepted socket itself becomes the command's fds 0-2, so it must
 *   be a plain fd: socket(), setsockopt(), bind(), listen(), accept4(), getsockname(), and
 *   posix_spawn() with dup2 file actions, or dup2() and execve() in the helper mode.
 * - Waiting for any of these fds without blocking the event loop (src/sys/wakeable_wait.ts):
 *   ppoll() on a worker thread, woken through an eventfd().
 * - errno and its message for every failure: __errno_location(), strerror().
 *
 * Calls run on the main thread unless declared `nonblocking` (then on a worker thread, whose
 * errno is out of reach); only ppoll() is, because only it may wait.
 *
 * Assumes glibc on Linux, LP64 (x86_64 or arm64; the images are Debian 12).
 */

/** The file dlopen() loads: glibc's soname. */
const LIBC_PATH = "libc.so.6";

const SYMBOLS = {
  // errno (src/sys/errno.ts)
  __errno_location: { parameters: [], result: "pointer" },
  strerror: { parameters: ["i32"], result: "pointer" },
  // File descriptors
  openat: { parameters: ["i32", "buffer", "i32", "u32"], result: "i32" },
  mkdirat: { parameters: ["i32", "buffer", "u32"], result: "i32" },
  statx: { parameters: ["i32", "buffer", "i32", "u32", "buffer"], result: "i32" },
  read: { parameters: ["i32", "buffer", "usize"], result: "isize" },
  write: { parameters: ["i32", "buffer", "usize"], result: "isize" },
  fchmod: { parameters: ["i32", "u32"], result: "i32" },
  fchown: { parameters: ["i32", "u32", "u32"], result: "i32" },
  ftruncate: { parameters: ["i32", "i64"], result: "i32" },
  fcntl: { parameters: ["i32", "i32", "i32"], result: "i32" },
  dup2: { parameters: ["i32", "i32"], result: "i32" },
  close: { parameters: ["i32"], result: "i32" },
  mkfifo: { parameters: ["buffer", "u32"], result: "i32" },
  access: { parameters: ["buffer", "i32"], result: "i32" },
  // Sockets
  socket: { parameters: ["i32", "i32", "i32"], result: "i32" },
  bind: { parameters: ["i32", "buffer", "u32"], result: "i32" },
  listen: { parameters: ["i32", "i32"], result: "i32" },
  accept4: { parameters: ["i32", "buffer", "buffer", "i32"], result: "i32" },
  getsockname: { parameters: ["i32", "buffer", "buffer"], result: "i32" },
  setsockopt: { parameters: ["i32", "i32", "i32", "buffer", "u32"], result: "i32" },
  recv: { parameters: ["i32", "buffer", "usize", "i32"], result: "isize" },
  recvmmsg: { parameters: ["i32", "buffer", "u32", "i32", "pointer"], result: "i32" },
  sendto: { parameters: ["i32", "buffer", "usize", "i32", "buffer", "u32"], result: "isize" },
  // Waiting: ppoll blocks, so it runs off the event loop; poll is only ever asked with a
  // timeout of 0 (a pidfd's state).
  eventfd: { parameters: ["u32", "i32"], result: "i32" },
  ppoll: { parameters: ["buffer", "u64", "pointer", "buffer"], result: "i32", nonblocking: true },
  poll: { parameters: ["buffer", "u64", "i32"], result: "i32" },
  // Processes
  waitpid: { parameters: ["i32", "buffer", "i32"], result: "i32" },
  prctl: { parameters: ["i32", "u64", "u64", "u64", "u64"], result: "i32" },
  kill: { parameters: ["i32", "i32"], result: "i32" },
  syscall: { parameters: ["i64", "i64", "i64"], result: "i64" },
  execve: { parameters: ["buffer", "buffer", "buffer"], result: "i32" },
  posix_spawn: {
    parameters: ["buffer", "buffer", "buffer", "buffer", "buffer", "buffer"],
    result: "i32",
  },
  posix_spawnattr_init: { parameters: ["buffer"], result: "i32" },
  posix_spawnattr_destroy: { parameters: ["buffer"], result: "i32" },
  posix_spawnattr_setflags: { parameters: ["buffer", "i16"], result: "i32" },
  posix_spawnattr_setsigdefault: { parameters: ["buffer", "buffer"], result: "i32" },
  posix_spawnattr_setsigmask: { parameters: ["buffer", "buffer"], result: "i32" },
  posix_spawn_file_actions_init: { parameters: ["buffer"], result: "i32" },
  posix_spawn_file_actions_destroy: { parameters: ["buffer"], result: "i32" },
  posix_spawn_file_actions_adddup2: { parameters: ["buffer", "i32", "i32"], result: "i32" },
  posix_spawn_file_actions_addchdir_np: { parameters: ["buffer", "buffer"], result: "i32" },
  sigfillset: { parameters: ["buffer"], result: "i32" },
  sigemptyset: { parameters: ["buffer"], result: "i32" },
} as const satisfies Deno.ForeignLibraryInterface;

/** Every libc function Chaperone calls. */
export type Libc = Deno.DynamicLibrary<typeof SYMBOLS>["symbols"];

let opened: Libc | undefined;

/**
 * libc's symbols, opened on the first call and shared afterwards, so that importing a module
 * that uses FFI needs no FFI permission until it really calls libc.
 */
export function libc(): Libc {
  return opened ??= Deno.dlopen(LIBC_PATH, SYMBOLS).symbols;
}
