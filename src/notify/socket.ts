/**
 * The per-service notify socket (docs/configuration.md, "Notify sockets"; Decision 9): a filesystem datagram socket that
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
 * case goes through libc FFI (socket/bind/recv, waiting in src/sys/wakeable_wait.ts). Abstract
 * sockets have no owner or mode: any process in the network namespace may send to them, which
 * is why chaperone's own per-service sockets are always filesystem sockets.
 */

import { MSG_DONTWAIT } from "../sys/constants.ts";
import { Errno, errnoText, lastErrno } from "../sys/errno.ts";
import { libc } from "../sys/libc.ts";
import { bindUnixDatagram } from "../sys/unix_socket.ts";
import { WakeableWait } from "../sys/wakeable_wait.ts";
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
  /** Ends a pending receive(); resolves once the socket is closed. */
  close(): Promise<void>;
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
    conn = {
      receive: async () => (await listener.receive())[0],
      close: () => Promise.resolve(listener.close()),
    };
    try {
      Deno.chmodSync(path, options.mode ?? 0o600);
      if (options.uid !== undefined || options.gid !== undefined) {
        Deno.chownSync(path, options.uid ?? null, options.gid ?? null);
      }
    } catch (error) {
      listener.close();
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
        await conn.close();
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

const MAX_DATAGRAM = 65536;

/**
 * An AF_UNIX datagram socket bound to an abstract name. Datagrams are read with
 * recv(MSG_DONTWAIT) on the main thread (where errno is ours to read); an empty queue is
 * waited for with WakeableWait, which close() wakes.
 */
class AbstractDatagramSocket implements DatagramSource {
  #wait: WakeableWait;
  #buffer = new Uint8Array(MAX_DATAGRAM);

  constructor(name: string) {
    const fd = bindUnixDatagram(notifySocketAddress(name), `notify socket "${name}"`);
    try {
      this.#wait = new WakeableWait(fd);
    } catch (error) {
      libc().close(fd);
      throw error;
    }
  }

  async receive(): Promise<Uint8Array> {
    const wait = this.#wait;
    for (;;) {
      if (wait.closed) throw new Deno.errors.BadResource("The notify socket is closed");
      const n = Number(libc().recv(wait.fd, this.#buffer, BigInt(MAX_DATAGRAM), MSG_DONTWAIT));
      if (n >= 0) return this.#buffer.slice(0, n);
      const errno = lastErrno();
      if (errno !== Errno.EAGAIN && errno !== Errno.EINTR) {
        await wait.close();
        throw new Error(`Cannot receive from notify socket: ${errnoText(errno)}`);
      }
      await wait.readable();
    }
  }

  close(): Promise<void> {
    return this.#wait.close();
  }
}
