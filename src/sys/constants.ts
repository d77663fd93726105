/**
 * The Linux ABI values passed to libc (src/sys/libc.ts): flags and option numbers, in one
 * place. They are the kernel's generic values, shared by x86_64 and arm64 except where said.
 * Errno values are in src/sys/errno.ts, signal numbers in src/process/signals.ts.
 */

const arm64 = Deno.build.arch === "aarch64";

/** open(2) flags (O_DIRECTORY and O_NOFOLLOW have other values on arm64). */
export const O = {
  RDONLY: 0,
  WRONLY: 1,
  RDWR: 2,
  CREAT: 0o100,
  EXCL: 0o200,
  NOCTTY: 0o400,
  APPEND: 0o2000,
  NONBLOCK: 0o4000,
  DIRECTORY: arm64 ? 0o40000 : 0o200000,
  NOFOLLOW: arm64 ? 0o100000 : 0o400000,
  CLOEXEC: 0o2000000,
  PATH: 0o10000000,
} as const;

/** openat()'s "relative to the working directory". */
export const AT_FDCWD = -100;
/** statx() of the descriptor itself when the path is empty. */
export const AT_EMPTY_PATH = 0x1000;
/** statx() mask: everything stat(2) returns. */
export const STATX_BASIC_STATS = 0x7ff;

/** access(2) modes. */
export const X_OK = 1;
export const W_OK = 2;

/** The file type bits of a mode and their values. */
export const S_IFMT = 0o170000;
export const S_IFIFO = 0o010000;
export const S_IFCHR = 0o020000;
export const S_IFDIR = 0o040000;
export const S_IFBLK = 0o060000;
export const S_IFREG = 0o100000;
export const S_IFLNK = 0o120000;
export const S_IFSOCK = 0o140000;

/** fcntl(2) commands and the descriptor flag. */
export const F_GETFD = 1;
export const F_SETFD = 2;
export const F_GETFL = 3;
export const F_SETFL = 4;
export const FD_CLOEXEC = 1;

/** Address families and socket types; SOCK_NONBLOCK/SOCK_CLOEXEC are O_NONBLOCK/O_CLOEXEC. */
export const AF_UNIX = 1;
export const AF_INET = 2;
export const SOCK_STREAM = 1;
export const SOCK_DGRAM = 2;
export const SOCK_NONBLOCK = O.NONBLOCK;
export const SOCK_CLOEXEC = O.CLOEXEC;

/** Socket options. */
export const SOL_SOCKET = 1;
export const SO_REUSEADDR = 2;
export const SO_RCVBUF = 8;

/** send/recv flags. */
export const MSG_TRUNC = 0x20;
export const MSG_DONTWAIT = 0x40;
export const MSG_NOSIGNAL = 0x4000;

/** poll(2) events. */
export const POLLIN = 1;

/** eventfd(2) flags (O_NONBLOCK and O_CLOEXEC again). */
export const EFD_NONBLOCK = O.NONBLOCK;
export const EFD_CLOEXEC = O.CLOEXEC;

/** waitpid(2): return at once when no child has ended. */
export const WNOHANG = 1;
/** prctl(2) option that makes orphans of descendants ours. */
export const PR_SET_CHILD_SUBREAPER = 36;
/** The pidfd_open(2) syscall number: 434 on every architecture (the unified syscall table). */
export const SYS_PIDFD_OPEN = 434n;

/** sizeof(sigset_t) in glibc (the kernel's is 8 bytes; glibc reserves room for more). */
export const SIGSET_SIZE = 128;

/** posix_spawnattr_setflags(3) flags (glibc). */
export const POSIX_SPAWN_SETSIGDEF = 0x04;
export const POSIX_SPAWN_SETSIGMASK = 0x08;
export const POSIX_SPAWN_SETSID = 0x80;
