/**
 * The one way Chaperone waits for a descriptor made through libc (a /dev/log or notify
 * datagram socket, an inetd listening socket): wait until it is readable without blocking the
 * event loop, and be woken at once when it is closed.
 *
 * The wait is a ppoll(2) declared `nonblocking`, so it blocks a worker thread, never the event
 * loop, with no timeout: an idle wait costs no CPU and no wake-ups. It watches two fds, the
 * one waited for and an eventfd of its own; close() writes the eventfd, which ends the wait at
 * once. Reading stays with the caller, synchronously on the main thread, where errno is
 * readable (it is not after a nonblocking call). ppoll is given a mask of every signal, so a
 * signal is never delivered on the waiting thread and the wait never ends with EINTR.
 *
 * The descriptor is owned from then on: close() closes it, and only once no ppoll watches it
 * any more, so that a number reused by a later open() is never polled.
 */
import { EFD_CLOEXEC, EFD_NONBLOCK, POLLIN, SIGSET_SIZE } from "./constants.ts";
import { ErrnoError, lastError } from "./errno.ts";
import { libc } from "./libc.ts";

/** `ready`: the fd is readable (or has an error to read); `closed`: close() was called. */
export type WaitResult = "ready" | "closed";

// struct pollfd { int fd; short events; short revents; }: 8 bytes each.
const POLLFD_SIZE = 8;
// eventfd counts in 8-byte words; adding 1 makes it readable.
const WAKE = new BigUint64Array([1n]);

/** Waits for one owned fd to become readable; close() wakes a pending wait. */
export class WakeableWait implements AsyncDisposable {
  #fd: number;
  #wakeFd: number;
  #pollfds = new Uint8Array(2 * POLLFD_SIZE);
  #pollView = new DataView(this.#pollfds.buffer);
  #allSignals = new Uint8Array(SIGSET_SIZE);
  #pending: Promise<WaitResult> | undefined;
  #closed = false;
  #closing: Promise<void> | undefined;

  /** Takes over `fd`; throws ErrnoError (and leaves `fd` open) when no eventfd can be made. */
  constructor(fd: number) {
    const lib = libc();
    const wakeFd = lib.eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (wakeFd < 0) {
      const { errno, message } = lastError();
      throw new ErrnoError(errno, `Cannot make a wake-up eventfd: ${message}`);
    }
    this.#fd = fd;
    this.#wakeFd = wakeFd;
    this.#pollView.setInt32(0, fd, true);
    this.#pollView.setInt16(4, POLLIN, true);
    this.#pollView.setInt32(POLLFD_SIZE, wakeFd, true);
    this.#pollView.setInt16(POLLFD_SIZE + 4, POLLIN, true);
    lib.sigfillset(this.#allSignals);
  }

  /** The descriptor waited for; -1 once closed. */
  get fd(): number {
    return this.#fd;
  }

  /** True once close() was called. */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Resolves `ready` when the fd is readable, or `closed` once close() is called (at once
   * after that). Concurrent calls share one wait. Rejects only when ppoll itself fails, which
   * takes a bad buffer or running out of kernel memory.
   */
  readable(): Promise<WaitResult> {
    if (this.#closed) return Promise.resolve("closed");
    this.#pending ??= this.#poll().finally(() => this.#pending = undefined);
    return this.#pending;
  }

  async #poll(): Promise<WaitResult> {
    this.#pollView.setInt16(6, 0, true);
    this.#pollView.setInt16(POLLFD_SIZE + 6, 0, true);
    const n = await libc().ppoll(this.#pollfds, 2n, null, this.#allSignals);
    if (this.#closed) return "closed";
    // errno belongs to the worker thread that ran ppoll; all that is known is that it failed.
    if (n < 0) throw new Error(`Cannot wait for fd ${this.#fd}: ppoll failed`);
    return "ready";
  }

  /** Wakes a pending wait, lets it return, then closes the fd and the eventfd. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.#closed = true;
      const lib = libc();
      lib.write(this.#wakeFd, WAKE, 8n);
      await this.#pending?.catch(() => {});
      lib.close(this.#wakeFd);
      lib.close(this.#fd);
      this.#fd = -1;
      this.#wakeFd = -1;
    })();
    return this.#closing;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
