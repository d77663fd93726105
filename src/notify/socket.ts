/**
 * The per-service notify socket (spec §5.2.4, Decision 9): a filesystem datagram socket that
 * only the service's user may write to (mode 0600, owned by that user), so no service can
 * speak for another. Needs `--unstable-net` (Deno.listenDatagram with transport "unixpacket",
 * which is an AF_UNIX SOCK_DGRAM socket).
 *
 * Datagrams are read eagerly into a queue, whether or not anyone is iterating yet: systemd's
 * `systemd-notify` follows each message with BARRIER=1 carrying a pipe fd and blocks until
 * that fd is closed, which happens when the datagram is received (the kernel drops fds that
 * the receiver did not ask for). Reading at once is what makes `systemd-notify --ready`
 * return at once.
 *
 * A name starting with "@" is bound in the abstract namespace instead (sdnotify-exec
 * `--socket @name`, as the original allowed). Deno cannot bind abstract sockets, so that one
 * case goes through libc FFI (socket/bind/recv, with poll() run off the event loop). Abstract
 * sockets have no owner or mode: any process in the network namespace may send to them, which
 * is why chaperone's own per-service sockets are always filesystem sockets.
 */

import { bindUnixDatagram, lastError, lazyLibc } from "../sys/libc.ts";
import { notifySocketAddress } from "./client.ts";
import { type NotifyMessage, parseNotify } from "./protocol.ts";

/** One received datagram. */
export interface NotifyDatagram {
  /** The datagram as text (UTF-8, invalid bytes replaced). */
  readonly text: string;
  /** Understood messages, in order. */
  readonly messages: NotifyMessage[];
  /** Lines that could not be understood, for the caller to log. */
  readonly invalid: string[];
}

/** An open notify socket: iterate it for datagrams; close it to remove the file. */
export interface NotifySocket extends AsyncIterable<NotifyDatagram>, AsyncDisposable {
  /** The socket's path, the value for the service's NOTIFY_SOCKET. */
  readonly path: string;
  /** Stops receiving, ends iteration and removes the socket file. */
  close(): Promise<void>;
}

/** Options for openNotifySocket(). */
export interface OpenNotifySocketOptions {
  /** Owner of the socket file: the service's user. */
  uid?: number;
  /** Group of the socket file: the service's group. */
  gid?: number;
  /** Permission bits of the socket file (default 0o600: only its owner may send). */
  mode?: number;
  /** Closes the socket when aborted. */
  signal?: AbortSignal;
}

/** What the notify socket reads from: a Deno datagram socket or an FFI abstract socket. */
interface DatagramSource {
  /** The next datagram; rejects once the source is closed. */
  receive(): Promise<Uint8Array>;
  close(): void;
}

/**
 * Binds a notify socket at `path` (replacing a stale socket there), mode 0600 unless `mode`
 * says otherwise, owned by `uid`/`gid` when given. The parent directory must exist. A path
 * of the form `@name` binds an abstract socket (no file, so no mode or owner).
 */
export function openNotifySocket(
  path: string,
  options: OpenNotifySocketOptions = {},
): NotifySocket {
  const abstract = path.startsWith("@");
  let conn: DatagramSource;
  if (abstract) {
    conn = new AbstractDatagramSocket(path);
  } else {
    removeStaleSocket(path);
    const listener = Deno.listenDatagram({ transport: "unixpacket", path });
    conn = { receive: async () => (await listener.receive())[0], close: () => listener.close() };
    try {
      Deno.chmodSync(path, options.mode ?? 0o600);
      if (options.uid !== undefined || options.gid !== undefined) {
        Deno.chownSync(path, options.uid ?? null, options.gid ?? null);
      }
    } catch (error) {
      conn.close();
      Deno.removeSync(path);
      throw error;
    }
  }

  const queue: NotifyDatagram[] = [];
  let wake: (() => void) | undefined;
  let ended = false;
  const decoder = new TextDecoder();

  const pump = (async () => {
    try {
      for (;;) {
        const data = await conn.receive();
        const text = decoder.decode(data);
        queue.push({ text, ...parseNotify(text) });
        wake?.();
      }
    } catch {
      // receive() fails once the socket is closed; that is the normal end.
    } finally {
      ended = true;
      wake?.();
    }
  })();

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      options.signal?.removeEventListener("abort", onAbort);
      try {
        conn.close();
      } catch {
        // Already closed.
      }
      await pump;
      if (abstract) return;
      try {
        Deno.removeSync(path);
      } catch (error) {
        if (!(error instanceof Deno.errors.NotFound)) throw error;
      }
    })();
    return closing;
  };
  const onAbort = () => void close();
  if (options.signal?.aborted) void close();
  else options.signal?.addEventListener("abort", onAbort, { once: true });

  return {
    path,
    close,
    [Symbol.asyncDispose]: close,
    async *[Symbol.asyncIterator]() {
      for (;;) {
        const next = queue.shift();
        if (next !== undefined) {
          yield next;
          continue;
        }
        if (ended) return;
        await new Promise<void>((resolve) => wake = resolve);
        wake = undefined;
      }
    },
  };
}

/** Removes a socket left at `path` by an earlier run; anything else there is an error. */
function removeStaleSocket(path: string): void {
  let info: Deno.FileInfo;
  try {
    info = Deno.lstatSync(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return;
    throw error;
  }
  if (!info.isSocket) {
    throw new Deno.errors.AlreadyExists(
      `Cannot create notify socket "${path}": a file that is not a socket exists there`,
    );
  }
  Deno.removeSync(path);
}

const MSG_DONTWAIT = 0x40;
const POLLIN = 1;
const EAGAIN = 11;
const EINTR = 4;
/** How long one poll() may wait, which bounds how long close() takes. */
const POLL_MS = 100;
const MAX_DATAGRAM = 65536;

// Opened on first use, so that filesystem sockets need no FFI permission.
const openLibc = lazyLibc({
  recv: { parameters: ["i32", "buffer", "usize", "i32"], result: "isize" },
  // Off the event loop: it blocks for up to POLL_MS.
  poll: { parameters: ["buffer", "u64", "i32"], result: "i32", nonblocking: true },
  close: { parameters: ["i32"], result: "i32" },
});

/**
 * An AF_UNIX datagram socket bound to an abstract name. Datagrams are read with
 * recv(MSG_DONTWAIT) on the main thread (where errno is ours to read); poll() waits for the
 * next one on a worker thread. The fd is closed only when no poll() is using it, so that a
 * reused fd number is never polled.
 */
class AbstractDatagramSocket implements DatagramSource {
  #lib: ReturnType<typeof openLibc>;
  #fd: number;
  #closed = false;
  #polling = false;
  #buffer = new Uint8Array(MAX_DATAGRAM);
  #pollfd = new Uint8Array(8);

  constructor(name: string) {
    this.#lib = openLibc();
    const address = notifySocketAddress(name);
    const fd = bindUnixDatagram(address, `notify socket "${name}"`);
    this.#fd = fd;
    const view = new DataView(this.#pollfd.buffer);
    view.setInt32(0, fd, true);
    view.setInt16(4, POLLIN, true);
  }

  async receive(): Promise<Uint8Array> {
    for (;;) {
      if (this.#closed) {
        this.#release();
        throw new Deno.errors.BadResource("The notify socket is closed");
      }
      const n = Number(this.#lib.recv(this.#fd, this.#buffer, BigInt(MAX_DATAGRAM), MSG_DONTWAIT));
      if (n >= 0) return this.#buffer.slice(0, n);
      const { errno, message } = lastError(this.#lib);
      if (errno !== EAGAIN && errno !== EINTR) {
        this.#closed = true;
        this.#release();
        throw new Error(`Cannot receive from notify socket: ${message}`);
      }
      this.#polling = true;
      try {
        await this.#lib.poll(this.#pollfd, 1n, POLL_MS);
      } finally {
        this.#polling = false;
      }
    }
  }

  close(): void {
    this.#closed = true;
    if (!this.#polling) this.#release();
  }

  #release(): void {
    if (this.#fd < 0) return;
    this.#lib.close(this.#fd);
    this.#fd = -1;
  }
}
