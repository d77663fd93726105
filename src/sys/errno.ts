/**
 * errno: the values Chaperone tells apart (Linux, the same on x86_64 and arm64), reading it
 * after a failed libc call, and the error that carries it.
 */
import { libc } from "./libc.ts";

/** The errno values callers tell apart. */
export const Errno = {
  EPERM: 1,
  ENOENT: 2,
  ESRCH: 3,
  EINTR: 4,
  ENXIO: 6,
  EBADF: 9,
  EAGAIN: 11,
  EACCES: 13,
  EEXIST: 17,
  ENOTDIR: 20,
  ELOOP: 40,
  EADDRINUSE: 98,
  ECONNABORTED: 103,
  ECONNREFUSED: 111,
} as const;

/** A failed libc call: `errno` tells why, the message is strerror's. */
export class ErrnoError extends Error {
  override name = "ErrnoError";
  constructor(readonly errno: number, message: string) {
    super(message);
  }
}

/**
 * errno of this thread. Only meaningful right after a failed synchronous libc call: a call
 * declared `nonblocking` runs on another thread, whose errno this cannot see. Builds no
 * message, so a hot loop can test for EAGAIN cheaply.
 */
export function lastErrno(): number {
  const pointer = libc().__errno_location();
  return pointer === null ? 0 : new Deno.UnsafePointerView(pointer).getInt32();
}

/** strerror(errno) as text, or "errno N" when libc has no message. */
export function errnoText(errno: number): string {
  const text = libc().strerror(errno);
  return text === null ? `errno ${errno}` : Deno.UnsafePointerView.getCString(text);
}

/** errno after a failed synchronous libc call on this thread, with its message. */
export function lastError(): { errno: number; message: string } {
  const errno = lastErrno();
  return { errno, message: errnoText(errno) };
}
