/**
 * AF_UNIX addresses and datagram sockets through libc: Deno cannot address the abstract
 * namespace, and cannot bind a datagram socket whose fd recvmmsg(2) or an eventfd-woken wait
 * may use (src/syslog/listener.ts, src/notify/).
 */
import { AF_UNIX, SOCK_CLOEXEC, SOCK_DGRAM } from "./constants.ts";
import { Errno, lastError } from "./errno.ts";
import { libc } from "./libc.ts";

/** sizeof(sockaddr_un.sun_path) on Linux. */
const SUN_PATH_MAX = 108;

/** Options for sockaddrUn(). */
export interface SockaddrUnOptions {
  /** Address the Linux abstract namespace: a leading NUL byte, no file, no terminator. */
  abstract?: boolean;
}

/**
 * Builds a `struct sockaddr_un` for `path` (NUL-terminated), or for the abstract name `path`
 * with `{ abstract: true }`; its length is the address length to pass to bind()/sendto().
 * Throws RangeError when the name is empty or does not fit in sun_path.
 */
export function sockaddrUn(path: string, options: SockaddrUnOptions = {}): Uint8Array {
  const abstract = options.abstract ?? false;
  const shown = abstract ? `@${path}` : path;
  if (path === "") throw new RangeError(`Invalid Unix socket address "${shown}": empty name`);
  const name = new TextEncoder().encode(path);
  // Either form spends one byte of sun_path on a NUL: leading for abstract names, trailing
  // for paths.
  if (name.length + 1 > SUN_PATH_MAX) {
    throw new RangeError(
      `Invalid Unix socket address "${shown}": longer than ${SUN_PATH_MAX - 1} bytes`,
    );
  }
  const address = new Uint8Array(2 + 1 + name.length);
  new DataView(address.buffer).setUint16(0, AF_UNIX, true);
  address.set(name, abstract ? 3 : 2);
  return address;
}

/**
 * A close-on-exec AF_UNIX datagram socket bound to `address` (from sockaddrUn()); returns its
 * fd. Throws an Error naming `what` (Deno.errors.AddrInUse when the address is taken).
 */
export function bindUnixDatagram(address: Uint8Array, what: string): number {
  const lib = libc();
  const fd = lib.socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw new Error(`Cannot create ${what}: ${lastError().message}`);
  if (lib.bind(fd, address, address.length) !== 0) {
    const { errno, message } = lastError();
    lib.close(fd);
    const text = `Cannot bind ${what}: ${message}`;
    throw errno === Errno.EADDRINUSE ? new Deno.errors.AddrInUse(text) : new Error(text);
  }
  return fd;
}
