/**
 * Sending sd_notify messages to a NOTIFY_SOCKET (docs/docker.md, "Telling the host";
 * docs/command-line.md, "Utilities"): chaperone telling its
 * own host READY/STOPPING/STATUS/ERRNO, and the sdnotify utilities.
 *
 * Why FFI (libc socket/sendto/close): NOTIFY_SOCKET may name an abstract socket (`@name`),
 * which Deno cannot address at all, and for a filesystem path Deno can only send from a
 * socket that is itself bound to a path (Deno.listenDatagram), which would leave a file per
 * sender to clean up. An unbound AF_UNIX datagram socket from libc serves both, exactly as
 * sd_notify(3) does. The socket is opened per message and sent with MSG_DONTWAIT, so a full
 * or dead receiver produces an error instead of blocking the event loop.
 */

import { AF_UNIX, MSG_DONTWAIT, MSG_NOSIGNAL, SOCK_CLOEXEC, SOCK_DGRAM } from "../sys/constants.ts";
import { Errno, lastError } from "../sys/errno.ts";
import { libc } from "../sys/libc.ts";
import { sockaddrUn } from "../sys/unix_socket.ts";

/**
 * Builds a sockaddr_un for a NOTIFY_SOCKET value: a path, or `@name` for the abstract
 * namespace (a leading NUL byte, no terminator). Throws RangeError when it does not fit.
 */
export function notifySocketAddress(spec: string): Uint8Array {
  if (spec === "" || spec === "@") {
    throw new RangeError(`Invalid notify socket "${spec}": empty name`);
  }
  return spec.startsWith("@") ? sockaddrUn(spec.slice(1), { abstract: true }) : sockaddrUn(spec);
}

/** errno after a failed libc call, as the matching Deno error class. */
function sendError(context: string): Error {
  const { errno, message: reason } = lastError();
  const message = `${context}: ${reason}`;
  switch (errno) {
    case Errno.ENOENT:
      return new Deno.errors.NotFound(message);
    case Errno.EACCES:
    case Errno.EPERM:
      return new Deno.errors.PermissionDenied(message);
    case Errno.ECONNREFUSED:
      return new Deno.errors.ConnectionRefused(message);
    case Errno.EAGAIN:
      return new Deno.errors.WouldBlock(message);
    default:
      return new Error(message);
  }
}

/**
 * Sends `message` (e.g. "READY=1", several lines allowed) as one datagram to the notify
 * socket `socketSpec` (a path, or `@name` for an abstract socket). Throws NotFound,
 * ConnectionRefused, PermissionDenied, WouldBlock (receiver's queue full) or Error.
 */
export function sendNotify(socketSpec: string, message: string): void {
  const address = notifySocketAddress(socketSpec);
  const data = new TextEncoder().encode(message);
  const lib = libc();
  const context = `Cannot send to notify socket "${socketSpec}"`;
  const fd = lib.socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw sendError(context);
  try {
    const sent = lib.sendto(
      fd,
      data,
      BigInt(data.length),
      MSG_DONTWAIT | MSG_NOSIGNAL,
      address,
      address.length,
    );
    if (sent < 0) throw sendError(context);
  } finally {
    lib.close(fd);
  }
}
