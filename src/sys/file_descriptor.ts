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
import {
  AT_EMPTY_PATH,
  AT_FDCWD,
  F_GETFL,
  F_SETFL,
  O,
  S_IFBLK,
  S_IFCHR,
  S_IFDIR,
  S_IFIFO,
  S_IFLNK,
  S_IFMT,
  S_IFREG,
  S_IFSOCK,
  STATX_BASIC_STATS,
} from "./constants.ts";
import { Errno, ErrnoError, errnoText, lastErrno } from "./errno.ts";
import { libc } from "./libc.ts";

const STATX_SIZE = 256;

const TYPE_NAMES: Readonly<Record<number, string>> = {
  [S_IFIFO]: "FIFO",
  [S_IFCHR]: "character device",
  [S_IFDIR]: "directory",
  [S_IFBLK]: "block device",
  [S_IFREG]: "regular file",
  [S_IFLNK]: "symbolic link",
  [S_IFSOCK]: "socket",
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

const encoder = new TextEncoder();
const EMPTY = new Uint8Array(1);
// Calls are synchronous, so one statx buffer serves every call.
const STATX = new Uint8Array(STATX_SIZE);
const STATX_VIEW = new DataView(STATX.buffer);

function cString(text: string): Uint8Array {
  return encoder.encode(text + "\0");
}

function fail(): never {
  const errno = lastErrno();
  throw new ErrnoError(errno, errnoText(errno));
}

function statx(dirfd: number, path: Uint8Array, flags: number): FileStatus {
  if (libc().statx(dirfd, path, flags, STATX_BASIC_STATS, STATX) !== 0) fail();
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
  if (libc().mkdirat(dirFd(dir), cString(name), mode) !== 0) fail();
}

/** An open file descriptor, closed by close(). */
export class FileDescriptor {
  #fd: number;

  private constructor(fd: number) {
    this.#fd = fd;
  }

  /** openat(2) with `flags` (from O) and `mode` for a created file; throws ErrnoError. */
  static openAt(dir: DirectoryRef, name: string, flags: number, mode = 0): FileDescriptor {
    const lib = libc();
    const fd = lib.openat(dirFd(dir), cString(name), flags, mode);
    if (fd < 0) fail();
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
    const lib = libc();
    for (;;) {
      const n = Number(lib.read(this.#fd, buffer, BigInt(buffer.length)));
      if (n >= 0) return n;
      if (lastErrno() !== Errno.EINTR) fail();
    }
  }

  /** write(2) of as much of `data` as the kernel takes (EINTR retried); throws ErrnoError. */
  writeSync(data: Uint8Array): number {
    const lib = libc();
    for (;;) {
      const n = Number(lib.write(this.#fd, data, BigInt(data.length)));
      if (n >= 0) return n;
      if (lastErrno() !== Errno.EINTR) fail();
    }
  }

  /** fchmod(2): sets the mode exactly (the umask does not apply). */
  chmod(mode: number): void {
    if (libc().fchmod(this.#fd, mode) !== 0) fail();
  }

  /** fchown(2); an undefined gid stays as it is. */
  chown(uid: number, gid?: number): void {
    if (libc().fchown(this.#fd, uid, gid ?? 0xffffffff) !== 0) fail();
  }

  /** ftruncate(2) to length 0. */
  truncate(): void {
    if (libc().ftruncate(this.#fd, 0n) !== 0) fail();
  }

  /** Clears O_NONBLOCK: later writes wait instead of failing with EAGAIN. */
  setBlocking(): void {
    const lib = libc();
    const flags = lib.fcntl(this.#fd, F_GETFL, 0);
    if (flags < 0 || lib.fcntl(this.#fd, F_SETFL, flags & ~O.NONBLOCK) !== 0) fail();
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
    libc().close(this.#fd);
    this.#fd = -1;
  }
}
