/**
 * A TCP listening socket made through libc FFI, for inetd services (spec §5.2.6).
 *
 * Why FFI: the original hands the accepted socket itself to the service as fds 0, 1 and 2,
 * so half-close, getpeername() and end of file behave exactly as for a program started by
 * inetd. Deno.listen() hides the file descriptor of an accepted connection (a Deno.TcpConn
 * has a resource id, not an fd), so it could only be proxied through pipes. Here the
 * listening socket and every accepted one are plain fds that a child can inherit.
 *
 * Every fd is made close-on-exec, so no other child inherits a connection by accident;
 * `withInheritedFd()` clears the flag only around the synchronous spawn that must get it.
 * Waiting for a connection is a poll() declared `nonblocking` (it runs off the event loop);
 * accept4() itself runs on the main thread on the non-blocking socket, so errno is ours.
 * A self-pipe wakes the poll when the listener closes.
 */
import { lastErrno, lastError, lazyLibc } from "../sys/libc.ts";

const AF_INET = 2;
const SOCK_STREAM = 1;
const SOCK_NONBLOCK = 0o4000;
const SOCK_CLOEXEC = 0o2000000;
const O_CLOEXEC = 0o2000000;
const SOL_SOCKET = 1;
const SO_REUSEADDR = 2;
const F_GETFD = 1;
const F_SETFD = 2;
const FD_CLOEXEC = 1;
const POLLIN = 1;
const EAGAIN = 11;
const EINTR = 4;
const ECONNABORTED = 103;
const SOCKADDR_IN_SIZE = 16;

const openLibc = lazyLibc({
  socket: { parameters: ["i32", "i32", "i32"], result: "i32" },
  setsockopt: { parameters: ["i32", "i32", "i32", "buffer", "u32"], result: "i32" },
  bind: { parameters: ["i32", "buffer", "u32"], result: "i32" },
  listen: { parameters: ["i32", "i32"], result: "i32" },
  accept4: { parameters: ["i32", "buffer", "buffer", "i32"], result: "i32" },
  getsockname: { parameters: ["i32", "buffer", "buffer"], result: "i32" },
  fcntl: { parameters: ["i32", "i32", "i32"], result: "i32" },
  close: { parameters: ["i32"], result: "i32" },
  pipe2: { parameters: ["buffer", "i32"], result: "i32" },
  write: { parameters: ["i32", "buffer", "usize"], result: "isize" },
  poll: { parameters: ["buffer", "u64", "i32"], result: "i32", nonblocking: true },
});

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
  const lib = openLibc();
  const hostname = options.hostname ?? "0.0.0.0";
  const fd = lib.socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) throw new Error(`Cannot listen on port ${port}: ${lastError(lib).message}`);
  const fail = (what: string): never => {
    const { errno, message } = lastError(lib);
    lib.close(fd);
    const text = `Cannot ${what} port ${port}: ${message}`;
    throw errno === 98 ? new Deno.errors.AddrInUse(text) : new Error(text);
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
  const wake = new Int32Array(2);
  if (lib.pipe2(wake, O_CLOEXEC) < 0) fail("make a wake-up pipe for");
  const wakeRead = wake[0]!;
  const wakeWrite = wake[1]!;

  let closing = false;
  /** The poll in flight, which close() must see finish before it closes the fds. */
  let polling: Promise<number> | undefined;
  let iterating = false;

  async function* connections(): AsyncIterableIterator<AcceptedSocket> {
    if (iterating) throw new TypeError("accept() is already being iterated");
    iterating = true;
    // struct pollfd { int fd; short events; short revents; } twice: listener and wake pipe.
    const fds = new Uint8Array(16);
    const view = new DataView(fds.buffer);
    view.setInt32(0, fd, true);
    view.setInt16(4, POLLIN, true);
    view.setInt32(8, wakeRead, true);
    view.setInt16(12, POLLIN, true);
    const peer = new Uint8Array(SOCKADDR_IN_SIZE);
    const local = new Uint8Array(SOCKADDR_IN_SIZE);
    const peerLen = new Uint32Array(1);
    const localLen = new Uint32Array(1);
    while (!closing) {
      view.setInt16(6, 0, true);
      view.setInt16(14, 0, true);
      polling = lib.poll(fds, 2n, -1);
      await polling;
      polling = undefined;
      if (closing) break;
      // Drain every pending connection before polling again.
      while (!closing) {
        peerLen[0] = SOCKADDR_IN_SIZE;
        const conn = lib.accept4(fd, peer, peerLen, SOCK_CLOEXEC);
        if (conn < 0) {
          const errno = lastErrno(lib);
          if (errno === EAGAIN) break;
          if (errno === EINTR || errno === ECONNABORTED) continue;
          // Out of fds and the like: pause instead of spinning, then poll again.
          await new Promise((resolve) => setTimeout(resolve, 100));
          break;
        }
        localLen[0] = SOCKADDR_IN_SIZE;
        const here = lib.getsockname(conn, local, localLen) === 0
          ? decodeSockaddr(local)
          : { hostname: hostname, port: boundPort };
        yield { fd: conn, remote: decodeSockaddr(peer), local: here };
      }
    }
  }

  return {
    port: boundPort,
    accept: connections,
    async close(): Promise<void> {
      if (closing) return;
      closing = true;
      lib.write(wakeWrite, new Uint8Array([1]), 1n);
      if (polling) await polling;
      lib.close(fd);
      lib.close(wakeRead);
      lib.close(wakeWrite);
    },
  };
}

/** Closes an fd we own (an accepted connection). */
export function closeFd(fd: number): void {
  openLibc().close(fd);
}

/**
 * Runs `fn` (a synchronous spawn) while `fd` is inheritable, then makes it close-on-exec
 * again. Spawns happen only on the main thread and synchronously, so no other child can
 * inherit it in between.
 */
export function withInheritedFd<T>(fd: number, fn: () => T): T {
  const lib = openLibc();
  const flags = lib.fcntl(fd, F_GETFD, 0);
  if (flags < 0 || lib.fcntl(fd, F_SETFD, flags & ~FD_CLOEXEC) < 0) {
    throw new Error(`Cannot hand fd ${fd} to a child: ${lastError(lib).message}`);
  }
  try {
    return fn();
  } finally {
    lib.fcntl(fd, F_SETFD, flags | FD_CLOEXEC);
  }
}
