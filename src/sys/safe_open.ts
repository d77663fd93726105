/**
 * Opening a file in a directory that someone else (a service's user) controls, as root: the
 * file may have been replaced by a symlink to a root-owned file or to /dev/zero, by a FIFO that
 * blocks open() forever, or by a device. Deno.open follows symlinks and blocks on FIFOs, so the
 * file is opened through libc (file_descriptor.ts) with O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, and
 * what was opened is checked to be a regular file before anything is read or written.
 */
import { AT_FDCWD, O, S_IFMT, S_IFREG } from "./constants.ts";
import { Errno, ErrnoError } from "./errno.ts";
import { FileDescriptor, fileTypeName } from "./file_descriptor.ts";

/** The path exists but is not a regular file Chaperone may use (a symlink, FIFO, device …). */
export class UnsafeFileError extends Error {
  override name = "UnsafeFileError";
}

// Opens `path` for reading with O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC; a regular file or a throw.
function openChecked(path: string): FileDescriptor {
  let file: FileDescriptor;
  try {
    file = FileDescriptor.openAt(AT_FDCWD, path, O.RDONLY | O.NOFOLLOW | O.NONBLOCK | O.CLOEXEC);
  } catch (err) {
    if (!(err instanceof ErrnoError)) throw err;
    if (err.errno === Errno.ENOENT) throw new Deno.errors.NotFound(`${path}: no such file`);
    if (err.errno === Errno.EACCES) {
      throw new Deno.errors.PermissionDenied(`${path}: permission denied`);
    }
    if (err.errno === Errno.ELOOP) throw new UnsafeFileError(`${path} is a symbolic link`);
    throw new Error(`Cannot open ${path}: ${err.message}`);
  }
  try {
    // fstat names exactly the file that was opened, whatever the path says now.
    const status = file.stat();
    if ((status.mode & S_IFMT) !== S_IFREG) {
      throw new UnsafeFileError(`${path} is ${fileTypeName(status)}`);
    }
    return file;
  } catch (err) {
    file.close();
    throw err;
  }
}

/**
 * Reads a small regular file (a pidfile) without following a symlink or blocking: at most
 * `maxBytes`; a longer file throws UnsafeFileError (as does a symlink or anything but a
 * regular file). Throws Deno.errors.NotFound, Deno.errors.PermissionDenied, or an Error with
 * strerror's text.
 */
export function readSmallFile(path: string, maxBytes: number): Uint8Array {
  const file = openChecked(path);
  try {
    const buffer = new Uint8Array(maxBytes + 1);
    let length = 0;
    while (length < buffer.length) {
      let n: number;
      try {
        n = file.readSync(buffer.subarray(length));
      } catch (err) {
        throw new Error(`Cannot read ${path}: ${(err as Error).message}`);
      }
      if (n === 0) break;
      length += n;
    }
    if (length > maxBytes) throw new UnsafeFileError(`${path} is larger than ${maxBytes} bytes`);
    return buffer.slice(0, length);
  } finally {
    file.close();
  }
}
