/**
 * The /dev/log datagram socket (docs/logging.md; Decision 13: the path is the caller's choice).
 *
 * Why FFI: this is Chaperone's hot loop. Deno.listenDatagram delivers one datagram per
 * promise, about 26k messages/s on our machines, while programs logging faster than that
 * block in syslog(3). A socket made with libc and drained with recvmmsg(2), up to BATCH
 * datagrams per call with MSG_WAITFORONE, declared `nonblocking: true` so the blocking wait
 * runs on Deno's worker thread instead of the event loop, reaches the sender's speed
 * (see docs/benchmarks.md). The receiving FFI stays in this file (log files are opened and
 * written through src/sys/file_descriptor.ts).
 *
 * While a flood keeps the queue non-empty, batches are taken with synchronous MSG_DONTWAIT
 * calls (no thread hop, errno readable); only an empty queue waits, in WakeableWait
 * (src/sys/wakeable_wait.ts: a ppoll on a worker thread, woken at once by close()).
 */
import { dirname } from "../text/posix_path.ts";
import type { LogRecord, LogSink } from "../log/record.ts";
import type { OutputReporter } from "./outputs.ts";
import { MSG_DONTWAIT, MSG_TRUNC, SO_RCVBUF, SOL_SOCKET } from "../sys/constants.ts";
import { Errno, errnoText, lastErrno } from "../sys/errno.ts";
import { libc } from "../sys/libc.ts";
import { bindUnixDatagram, sockaddrUn } from "../sys/unix_socket.ts";
import { WakeableWait } from "../sys/wakeable_wait.ts";
import { parseSyslog, splitDatagram } from "./parse.ts";
import { errorMessage } from "../text/error_message.ts";

/** Datagrams taken per recvmmsg call. */
export const BATCH = 64;
/** Largest datagram kept whole; longer ones are truncated to this (and reported). */
export const MAX_DATAGRAM = 64 * 1024;
/** Minimum time between two reports about malformed or truncated datagrams. */
export const REPORT_INTERVAL_MS = 10_000;

// Longest stretch of back-to-back synchronous receives before the event loop gets a turn.
const SYNC_SLICE_MS = 20;
// Linux LP64 layouts: struct iovec is 16 bytes; struct mmsghdr is a 56-byte msghdr
// (msg_iov at 16, msg_iovlen at 24, msg_flags at 48) plus msg_len at 56, padded to 64.
const IOVEC_SIZE = 16;
const MMSGHDR_SIZE = 64;

/** Options for listenSyslog. */
export interface ListenSyslogOptions {
  /** Closes the listener when aborted. */
  signal?: AbortSignal;
  /** Receives reports about malformed or truncated datagrams and receive errors (rate-limited). */
  report?: OutputReporter;
}

/** A running /dev/log listener. */
export interface SyslogListener extends AsyncDisposable {
  /** The socket's path. */
  readonly path: string;
  /** Messages received so far (after NUL splitting). */
  readonly received: number;
  /** Messages received that the sink could not take (lost). */
  readonly dropped: number;
  /** Stops receiving, closes the socket and removes its file. */
  close(): Promise<void>;
}

// The receive buffers: one data slot, one iovec and one mmsghdr per datagram of a batch.
class Batch {
  readonly data = new Uint8Array(BATCH * MAX_DATAGRAM);
  readonly headers = new Uint8Array(BATCH * MMSGHDR_SIZE);
  readonly #iovecs = new Uint8Array(BATCH * IOVEC_SIZE);
  readonly #view = new DataView(this.headers.buffer);

  constructor() {
    const iov = new DataView(this.#iovecs.buffer);
    const dataBase = Deno.UnsafePointer.value(Deno.UnsafePointer.of(this.data));
    const iovBase = Deno.UnsafePointer.value(Deno.UnsafePointer.of(this.#iovecs));
    for (let i = 0; i < BATCH; i++) {
      iov.setBigUint64(i * IOVEC_SIZE, BigInt(dataBase) + BigInt(i * MAX_DATAGRAM), true);
      iov.setBigUint64(i * IOVEC_SIZE + 8, BigInt(MAX_DATAGRAM), true);
      const h = i * MMSGHDR_SIZE;
      this.#view.setBigUint64(h + 16, BigInt(iovBase) + BigInt(i * IOVEC_SIZE), true);
      this.#view.setBigUint64(h + 24, 1n, true);
    }
  }

  length(i: number): number {
    return this.#view.getUint32(i * MMSGHDR_SIZE + 56, true);
  }

  truncated(i: number): boolean {
    return (this.#view.getInt32(i * MMSGHDR_SIZE + 48, true) & MSG_TRUNC) !== 0;
  }

  slot(i: number): Uint8Array {
    return this.data.subarray(i * MAX_DATAGRAM, i * MAX_DATAGRAM + this.length(i));
  }
}

/**
 * Creates the datagram socket at `path` (removing a stale file, creating the parent
 * directory, mode 0777 as the original) and feeds every message received to `sink` as a
 * parsed LogRecord until closed. Throws when the socket cannot be created.
 */
export function listenSyslog(
  path: string,
  sink: LogSink,
  options: ListenSyslogOptions = {},
): SyslogListener {
  const report: OutputReporter = options.report ?? (() => {});
  const addr = sockaddrUn(path);
  try {
    Deno.removeSync(path);
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  Deno.mkdirSync(dirname(path), { recursive: true });
  const fd = bindUnixDatagram(addr, `syslog socket ${path}`);
  let wait: WakeableWait;
  try {
    wait = new WakeableWait(fd);
  } catch (e) {
    libc().close(fd);
    throw e;
  }
  // A larger queue absorbs bursts while a batch is being routed; failure only costs speed.
  const rcvbuf = new Int32Array([4 * 1024 * 1024]);
  libc().setsockopt(fd, SOL_SOCKET, SO_RCVBUF, new Uint8Array(rcvbuf.buffer), 4);
  try {
    Deno.chmodSync(path, 0o777);
  } catch (e) {
    void wait.close();
    throw e;
  }

  const batch = new Batch();
  let received = 0;
  let dropped = 0;
  // Malformed input is reported once per REPORT_INTERVAL_MS with a count, not per message;
  // measured on the monotonic clock, which a wall-clock step cannot move.
  let badSince = 0;
  let firstBad = "";
  let lastReport = -Infinity;
  let failures = 0;

  const noteBad = (what: string) => {
    if (badSince === 0) firstBad = what;
    badSince++;
    const now = performance.now();
    if (now - lastReport >= REPORT_INTERVAL_MS) {
      lastReport = now;
      report(
        "warn",
        `syslog: ${badSince} malformed or truncated message(s) received on ${path}, the first: ${firstBad}`,
      );
      badSince = 0;
    }
  };

  const handle = (n: number) => {
    const now = new Date();
    for (let i = 0; i < n; i++) {
      const len = batch.length(i);
      if (len === 0) continue;
      if (batch.truncated(i)) noteBad(`a datagram longer than ${MAX_DATAGRAM} bytes (truncated)`);
      const messages = splitDatagram(batch.slot(i));
      for (let j = 0; j < messages.length; j++) {
        const record: LogRecord = parseSyslog(messages[j]!, { now });
        received++;
        if (record.formatError) noteBad(JSON.stringify(record.raw.slice(0, 80)));
        try {
          sink.write(record);
        } catch (e) {
          // A sink failure must not stop the daemon's log intake.
          dropped++;
          noteBad(`a record the router could not take (${errorMessage(e)})`);
        }
      }
    }
  };

  // A failing receive is reported once and backed off from, so it cannot spin a core.
  const failed = async (reason: string) => {
    failures++;
    if (failures === 100) report("warn", `syslog: receiving on ${path} keeps failing: ${reason}`);
    if (failures > 10) await new Promise((r) => setTimeout(r, 100));
  };

  // While datagrams are queued, a synchronous MSG_DONTWAIT receive is far cheaper than a
  // trip through the worker thread; only an empty queue waits. The synchronous stretch is
  // bounded so that timers (file flushes) and the rest of the program still run in a flood.
  const loop = (async () => {
    const lib = libc();
    let sliceStart = performance.now();
    while (!wait.closed) {
      const n = lib.recvmmsg(fd, batch.headers, BATCH, MSG_DONTWAIT, null);
      if (n >= 0) {
        failures = 0;
        handle(n);
        if (performance.now() - sliceStart > SYNC_SLICE_MS) {
          await new Promise((r) => setTimeout(r, 0));
          sliceStart = performance.now();
        }
        continue;
      }
      const errno = lastErrno();
      if (errno === Errno.EINTR) continue;
      if (errno !== Errno.EAGAIN) {
        await failed(errnoText(errno));
        continue;
      }
      try {
        await wait.readable();
      } catch (e) {
        await failed(e instanceof Error ? e.message : String(e));
      }
      sliceStart = performance.now();
    }
  })();

  let closing: Promise<void> | undefined;
  const close = () =>
    closing ??= (async () => {
      options.signal?.removeEventListener("abort", onAbort);
      await wait.close();
      await loop;
      try {
        Deno.removeSync(path);
      } catch {
        // Already removed by someone else: nothing left to clean.
      }
    })();
  const onAbort = () => void close();
  if (options.signal?.aborted) queueMicrotask(onAbort);
  else options.signal?.addEventListener("abort", onAbort, { once: true });

  return {
    path,
    get received() {
      return received;
    },
    get dropped() {
      return dropped;
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}
