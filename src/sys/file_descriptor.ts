/**
 * File descriptors opened relative to an open directory and used through libc.
 *
 * Why FFI: Deno.open cannot pass O_NOFOLLOW, O_NONBLOCK or O_PATH, cannot open a name relative
 * to an open directory (openat), and has no fchmod/fchown/ftruncate/fcntl on a descriptor.
 * Opening a path that a less privileged user can change, without being fooled by a symlink, a
 * FIFO or a hard link planted there, needs each of them (src/syslog/open_log_file.ts,
 * src/sys/safe_open.ts).
 * File status comes from statx(2), whose layout is the same on x86_64 and arm64 (struct stat's
 * is not).
 */
import { errnoText, lastErrno, lazyLibc } from "./libc.ts";

/** openat()'s "relative to the working directory". */
export const AT_FDCWD = -100;
const AT_EMPTY_PATH = 0x1000;
const STATX_BASIC_STATS = 0x7ff;
const STATX_SIZE = 256;
const F_GETFL = 3;
const F_SETFL = 4;

const arm64 = Deno.build.arch === "aarch64";
/** open(2) flags for Linux (O_DIRECTORY and O_NOFOLLOW have other values on arm64). */
export const O = {
  RDONLY: 0,
  WRONLY: 1,
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

/** The errno values callers of this module tell apart. */
export const Errno = {
  ENOENT: 2,
  EINTR: 4,
  ENXIO: 6,
  EACCES: 13,
  EEXIST: 17,
  ENOTDIR: 20,
  ELOOP: 40,
} as const;

/** The file type bits of a mode and their values. */
export const S_IFMT = 0o170000;
export const S_IFREG = 0o100000;
export const S_IFDIR = 0o040000;
export const S_IFLNK = 0o120000;

const TYPE_NAMES: Readonly<Record<number, string>> = {
  [0o010000]: "FIFO",
  [0o020000]: "character device",
  [S_IFDIR]: "directory",
  [0o060000]: "block device",
  [S_IFREG]: "regular file",
  [S_IFLNK]: "symbolic link",
  [0o140000]: "socket",
};

/** What a file is and who owns it (from statx). */
export interface FileStatus {
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  readonly nlink: number;
  readonly devMajor: number;
  readonly devMinor: number;
  readonly ino: bigint;
}

/** `a FIFO`, `a regular file`, ...: the type of a file for a message. */
export function fileTypeName(status: FileStatus): string {
  const name = TYPE_NAMES[status.mode & S_IFMT] ?? "file of unknown type";
  return `${/^[aeiou]/.test(name) ? "an" : "a"} ${name}`;
}

/** Whether two statuses describe the same file (device and inode). */
export function sameFile(a: FileStatus, b: FileStatus): boolean {
  return a.ino === b.ino && a.devMajor === b.devMajor && a.devMinor === b.devMinor;
}

/** A failed libc call: `errno` tells why, the message is strerror's. */
export class ErrnoError extends Error {
  override name = "ErrnoError";
  constructor(readonly errno: number, message: string) {
    super(message);
  }
}

const openLibc = lazyLibc({
  openat: { parameters: ["i32", "buffer", "i32", "u32"], result: "i32" },
  mkdirat: { parameters: ["i32", "buffer", "u32"], result: "i32" },
  statx: { parameters: ["i32", "buffer", "i32", "u32", "buffer"], result: "i32" },
  read: { parameters: ["i32", "buffer", "usize"], result: "isize" },
  write: { parameters: ["i32", "buffer", "usize"], result: "isize" },
  fchmod: { parameters: ["i32", "u32"], result: "i32" },
  fchown: { parameters: ["i32", "u32", "u32"], result: "i32" },
  ftruncate: { parameters: ["i32", "i64"], result: "i32" },
  fcntl: { parameters: ["i32", "i32", "i32"], result: "i32" },
  close: { parameters: ["i32"], result: "i32" },
});

const encoder = new TextEncoder();
const EMPTY = new Uint8Array(1);
// Calls are synchronous, so one statx buffer serves every call.
const STATX = new Uint8Array(STATX_SIZE);
const STATX_VIEW = new DataView(STATX.buffer);

function cString(text: string): Uint8Array {
  return encoder.encode(text + "\0");
}

function fail(lib: ReturnType<typeof openLibc>): never {
  const errno = lastErrno(lib);
  throw new ErrnoError(errno, errnoText(lib, errno));
}

function statx(dirfd: number, path: Uint8Array, flags: number): FileStatus {
  const lib = openLibc();
  if (lib.statx(dirfd, path, flags, STATX_BASIC_STATS, STATX) !== 0) fail(lib);
  const v = STATX_VIEW;
  return {
    nlink: v.getUint32(16, true),
    uid: v.getUint32(20, true),
    gid: v.getUint32(24, true),
    mode: v.getUint16(28, true),
    ino: v.getBigUint64(32, true),
    devMajor: v.getUint32(136, true),
    devMinor: v.getUint32(140, true),
  };
}

/** The status of what `path` names, symlinks followed (stat(2)); throws ErrnoError. */
export function statPath(path: string): FileStatus {
  return statx(AT_FDCWD, cString(path), 0);
}

/** Where openAt()/mkdirAt() resolve a name: an open directory or AT_FDCWD. */
export type DirectoryRef = FileDescriptor | typeof AT_FDCWD;

function dirFd(dir: DirectoryRef): number {
  return dir === AT_FDCWD ? AT_FDCWD : dir.fd;
}

/** mkdirat(2): creates directory `name` in `dir` with `mode` (less the umask); throws ErrnoError. */
export function mkdirAt(dir: DirectoryRef, name: string, mode: number): void {
  const lib = openLibc();
  if (lib.mkdirat(dirFd(dir), cString(name), mode) !== 0) fail(lib);
}

/** An open file descriptor, closed by close(). */
export class FileDescriptor {
  #fd: number;

  private constructor(fd: number) {
    this.#fd = fd;
  }

  /** openat(2) with `flags` (from O) and `mode` for a created file; throws ErrnoError. */
  static openAt(dir: DirectoryRef, name: string, flags: number, mode = 0): FileDescriptor {
    const lib = openLibc();
    const fd = lib.openat(dirFd(dir), cString(name), flags, mode);
    if (fd < 0) fail(lib);
    return new FileDescriptor(fd);
  }

  /** Takes over `fd`, an open descriptor; close() closes it. */
  static adopt(fd: number): FileDescriptor {
    return new FileDescriptor(fd);
  }

  /** The descriptor number (-1 once closed). */
  get fd(): number {
    return this.#fd;
  }

  /** fstat(2), through statx with AT_EMPTY_PATH so that O_PATH descriptors work too. */
  stat(): FileStatus {
    return statx(this.#fd, EMPTY, AT_EMPTY_PATH);
  }

  /** read(2) into `buffer` (EINTR retried): the number of bytes read, 0 at the end. */
  readSync(buffer: Uint8Array): number {
    const lib = openLibc();
    for (;;) {
      const n = Number(lib.read(this.#fd, buffer, BigInt(buffer.length)));
      if (n >= 0) return n;
      const errno = lastErrno(lib);
      if (errno !== Errno.EINTR) throw new ErrnoError(errno, errnoText(lib, errno));
    }
  }

  /** write(2) of as much of `data` as the kernel takes (EINTR retried); throws ErrnoError. */
  writeSync(data: Uint8Array): number {
    const lib = openLibc();
    for (;;) {
      const n = Number(lib.write(this.#fd, data, BigInt(data.length)));
      if (n >= 0) return n;
      const errno = lastErrno(lib);
      if (errno !== Errno.EINTR) throw new ErrnoError(errno, errnoText(lib, errno));
    }
  }

  /** fchmod(2): sets the mode exactly (the umask does not apply). */
  chmod(mode: number): void {
    const lib = openLibc();
    if (lib.fchmod(this.#fd, mode) !== 0) fail(lib);
  }

  /** fchown(2); an undefined gid stays as it is. */
  chown(uid: number, gid?: number): void {
    const lib = openLibc();
    if (lib.fchown(this.#fd, uid, gid ?? 0xffffffff) !== 0) fail(lib);
  }

  /** ftruncate(2) to length 0. */
  truncate(): void {
    const lib = openLibc();
    if (lib.ftruncate(this.#fd, 0n) !== 0) fail(lib);
  }

  /** Clears O_NONBLOCK: later writes wait instead of failing with EAGAIN. */
  setBlocking(): void {
    const lib = openLibc();
    const flags = lib.fcntl(this.#fd, F_GETFL, 0);
    if (flags < 0 || lib.fcntl(this.#fd, F_SETFL, flags & ~O.NONBLOCK) !== 0) fail(lib);
  }

  /** Hands the descriptor number over: this object no longer closes it. */
  release(): number {
    const fd = this.#fd;
    this.#fd = -1;
    return fd;
  }

  /** Closes the descriptor (again: nothing). */
  close(): void {
    if (this.#fd < 0) return;
    openLibc().close(this.#fd);
    this.#fd = -1;
  }
}
