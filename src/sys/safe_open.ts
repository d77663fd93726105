/**
 * Opening a file in a directory that someone else (a service's user) controls, as root: the
 * file may have been replaced by a symlink to a root-owned file or to /dev/zero, by a FIFO that
 * blocks open() forever, or by a device. Deno.open follows symlinks and blocks on FIFOs, so
 * open(2) comes from libc with O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, and what was opened is
 * checked to be a regular file before anything is read or written.
 */
import { errnoText, lastErrno, lastError, lazyLibc } from "./libc.ts";

export const O_RDONLY = 0;
export const O_WRONLY = 0o1;
export const O_CREAT = 0o100;
export const O_APPEND = 0o2000;
const O_NONBLOCK = 0o4000;
const O_NOFOLLOW = 0o400000;
const O_CLOEXEC = 0o2000000;

const ENOENT = 2;
const EACCES = 13;
const ELOOP = 40;

const openLibc = lazyLibc({
  // open(2) is variadic; the mode is always passed, as the calling convention allows.
  open: { parameters: ["buffer", "i32", "u32"], result: "i32" },
  read: { parameters: ["i32", "buffer", "usize"], result: "isize" },
  close: { parameters: ["i32"], result: "i32" },
});

/** The path exists but is not a regular file Chaperone may use (a symlink, FIFO, device …). */
export class UnsafeFileError extends Error {
  override name = "UnsafeFileError";
}

function kindOf(info: Deno.FileInfo): string {
  if (info.isDirectory) return "a directory";
  if (info.isFifo) return "a FIFO";
  if (info.isCharDevice) return "a character device";
  if (info.isBlockDevice) return "a block device";
  if (info.isSocket) return "a socket";
  return "not a regular file";
}

/**
 * Opens `path` with `flags` (O_RDONLY, O_WRONLY | O_APPEND | O_CREAT, …) plus O_NOFOLLOW,
 * O_NONBLOCK and O_CLOEXEC; returns the fd of a regular file. Throws Deno.errors.NotFound,
 * Deno.errors.PermissionDenied, UnsafeFileError (a symlink or anything but a regular file; the
 * fd is closed again), or an Error with strerror's text.
 */
export function openRegularFile(path: string, flags: number, mode = 0o600): number {
  const lib = openLibc();
  const fd = lib.open(
    new TextEncoder().encode(`${path}\0`),
    flags | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC,
    mode,
  );
  if (fd < 0) {
    const errno = lastErrno(lib);
    if (errno === ENOENT) throw new Deno.errors.NotFound(`${path}: no such file`);
    if (errno === EACCES) throw new Deno.errors.PermissionDenied(`${path}: permission denied`);
    if (errno === ELOOP) throw new UnsafeFileError(`${path} is a symbolic link`);
    throw new Error(`Cannot open ${path}: ${errnoText(lib, errno)}`);
  }
  let info: Deno.FileInfo;
  try {
    // /proc/self/fd/N names exactly the file that was opened, whatever the path says now.
    info = Deno.statSync(`/proc/self/fd/${fd}`);
  } catch (err) {
    lib.close(fd);
    throw err;
  }
  if (!info.isFile) {
    lib.close(fd);
    throw new UnsafeFileError(`${path} is ${kindOf(info)}`);
  }
  return fd;
}

/** Closes an fd from openRegularFile(). */
export function closeFd(fd: number): void {
  openLibc().close(fd);
}

/**
 * Reads a small regular file (a pidfile) without following a symlink or blocking: at most
 * `maxBytes`; a longer file throws UnsafeFileError. Other errors as openRegularFile().
 */
export function readSmallFile(path: string, maxBytes: number): Uint8Array {
  const lib = openLibc();
  const fd = openRegularFile(path, O_RDONLY);
  try {
    const buffer = new Uint8Array(maxBytes + 1);
    let length = 0;
    while (length < buffer.length) {
      const n = Number(lib.read(fd, buffer.subarray(length), BigInt(buffer.length - length)));
      if (n < 0) throw new Error(`Cannot read ${path}: ${lastError(lib).message}`);
      if (n === 0) break;
      length += n;
    }
    if (length > maxBytes) throw new UnsafeFileError(`${path} is larger than ${maxBytes} bytes`);
    return buffer.slice(0, length);
  } finally {
    lib.close(fd);
  }
}
