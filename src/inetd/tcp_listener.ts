/**
 * A TCP listening socket made through libc FFI, for inetd services (docs/configuration.md, "inetd services").
 *
 * Why FFI: the original hands the accepted socket itself to the service as fds 0, 1 and 2,
 * so half-close, getpeername() and end of file behave exactly as for a program started by
 * inetd. Deno.listen() hides the file descriptor of an accepted connection (a Deno.TcpConn
 * has a resource id, not an fd), so it could only be proxied through pipes. Here the
 * listening socket and every accepted one are plain fds that a child can inherit.
 *
 * Every fd is made close-on-exec, so no other child inherits a connection by accident;
 * `withInheritedFd()` clears the flag only around the synchronous spawn that must get it.
 * Waiting for a connection is src/sys/wakeable_wait.ts (off the event loop, woken by close());
 * accept4() itself runs on the main thread on the non-blocking socket, so errno is ours.
 */
import {
  AF_INET,
  F_GETFD,
  F_SETFD,
  FD_CLOEXEC,
  SO_REUSEADDR,
  SOCK_CLOEXEC,
  SOCK_NONBLOCK,
  SOCK_STREAM,
  SOL_SOCKET,
} from "../sys/constants.ts";
import { Errno, lastErrno, lastError } from "../sys/errno.ts";
import { libc } from "../sys/libc.ts";
import { WakeableWait } from "../sys/wakeable_wait.ts";

const SOCKADDR_IN_SIZE = 16;

/** An IPv4 endpoint. */
export interface TcpEndpoint {
  readonly hostname: string;
  readonly port: number;
}

/** An accepted connection: a close-on-exec fd that chaperone must close (closeFd). */
export interface AcceptedSocket {
  readonly fd: number;
  readonly remote: TcpEndpoint;
  readonly local: TcpEndpoint;
}

/** A listening socket; iterate `accept()` for connections. */
export interface TcpListener {
  /** The port it is bound to (useful when asked for port 0). */
  readonly port: number;
  /** Accepted connections until close(). */
  accept(): AsyncIterableIterator<AcceptedSocket>;
  /** Stops listening (a pending accept() iteration ends); resolves once the fds are closed. */
  close(): Promise<void>;
}

function encodeSockaddr(hostname: string, port: number): Uint8Array {
  const parts = hostname.split(".").map((p) => Number(p));
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) {
    throw new TypeError(`Cannot listen on "${hostname}": not an IPv4 address`);
  }
  const buf = new Uint8Array(SOCKADDR_IN_SIZE);
  const view = new DataView(buf.buffer);
  view.setUint16(0, AF_INET, true);
  view.setUint16(2, port, false);
  buf.set(parts, 4);
  return buf;
}

function decodeSockaddr(buf: Uint8Array): TcpEndpoint {
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  return { hostname: `${buf[4]}.${buf[5]}.${buf[6]}.${buf[7]}`, port: view.getUint16(2, false) };
}

/**
 * Listens on TCP `hostname:port` (IPv4, all addresses by default, as the original). Throws
 * Deno.errors.AddrInUse or Error whose message names the port and the reason.
 */
export function listenTcp(port: number, options: { hostname?: string } = {}): TcpListener {
  const lib = libc();
  const hostname = options.hostname ?? "0.0.0.0";
  const fd = lib.socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) throw new Error(`Cannot listen on port ${port}: ${lastError().message}`);
  const fail = (what: string): never => {
    const { errno, message } = lastError();
    lib.close(fd);
    const text = `Cannot ${what} port ${port}: ${message}`;
    throw errno === Errno.EADDRINUSE ? new Deno.errors.AddrInUse(text) : new Error(text);
  };
  // The original's asyncio server sets SO_REUSEADDR, so a restart does not wait for TIME_WAIT.
  if (lib.setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, new Int32Array([1]), 4) < 0) {
    fail("set options on");
  }
  if (lib.bind(fd, encodeSockaddr(hostname, port), SOCKADDR_IN_SIZE) < 0) fail("bind to");
  if (lib.listen(fd, 128) < 0) fail("listen on");
  const addr = new Uint8Array(SOCKADDR_IN_SIZE);
  const len = new Uint32Array([SOCKADDR_IN_SIZE]);
  if (lib.getsockname(fd, addr, len) < 0) fail("read the address of");
  const boundPort = decodeSockaddr(addr).port;
  let wait: WakeableWait;
  try {
    wait = new WakeableWait(fd);
  } catch (error) {
    lib.close(fd);
    throw error;
  }
  let iterating = false;

  async function* connections(): AsyncIterableIterator<AcceptedSocket> {
    if (iterating) throw new TypeError("accept() is already being iterated");
    iterating = true;
    const peer = new Uint8Array(SOCKADDR_IN_SIZE);
    const local = new Uint8Array(SOCKADDR_IN_SIZE);
    const peerLen = new Uint32Array(1);
    const localLen = new Uint32Array(1);
    // Every pending connection is taken before waiting again.
    while (!wait.closed) {
      peerLen[0] = SOCKADDR_IN_SIZE;
      const conn = lib.accept4(fd, peer, peerLen, SOCK_CLOEXEC);
      if (conn >= 0) {
        localLen[0] = SOCKADDR_IN_SIZE;
        const here = lib.getsockname(conn, local, localLen) === 0
          ? decodeSockaddr(local)
          : { hostname: hostname, port: boundPort };
        yield { fd: conn, remote: decodeSockaddr(peer), local: here };
        continue;
      }
      const errno = lastErrno();
      if (errno === Errno.EINTR || errno === Errno.ECONNABORTED) continue;
      if (errno === Errno.EAGAIN) {
        try {
          await wait.readable();
          continue;
        } catch {
          // The wait itself failed: pause as below.
        }
      }
      // Out of fds and the like: pause instead of spinning, then try again.
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  return {
    port: boundPort,
    accept: connections,
    close: () => wait.close(),
  };
}

/** Closes an fd we own (an accepted connection). */
export function closeFd(fd: number): void {
  libc().close(fd);
}

/**
 * Runs `fn` (a synchronous spawn) while `fd` is inheritable, then makes it close-on-exec
 * again. Spawns happen only on the main thread and synchronously, so no other child can
 * inherit it in between.
 */
export function withInheritedFd<T>(fd: number, fn: () => T): T {
  const lib = libc();
  const flags = lib.fcntl(fd, F_GETFD, 0);
  if (flags < 0 || lib.fcntl(fd, F_SETFD, flags & ~FD_CLOEXEC) < 0) {
    throw new Error(`Cannot hand fd ${fd} to a child: ${lastError().message}`);
  }
  try {
    return fn();
  } finally {
    lib.fcntl(fd, F_SETFD, flags | FD_CLOEXEC);
  }
}
