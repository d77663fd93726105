/**
 * The control endpoints of a running Chaperone (docs/ctl.md): a Unix stream socket answering
 * JSON-line requests (several clients at once, each connection's requests answered in order),
 * and the compatibility FIFO that takes `telchap`-style command lines without replies.
 * The server only frames and routes; a ControlHandler decides what each request does.
 * A misbehaving client (silent, garbage, oversized, vanishing) only ever affects its own
 * connection.
 */
import { dirname } from "../text/posix_path.ts";
import { splitShellWords } from "../text/shell_words.ts";
import type { Logger } from "../log/logger.ts";
import { readLines } from "../text/line_reader.ts";
import { lastError } from "../sys/errno.ts";
import { libc } from "../sys/libc.ts";
import {
  type ControlContext,
  type ControlHandler,
  type ControlReply,
  type ControlRequest,
  decodeRequest,
  encode,
  LINE_TOO_LONG,
  MAX_REQUEST_BYTES,
  parseCommandWords,
  ProtocolError,
} from "./protocol.ts";
import { errorMessage } from "../text/error_message.ts";
import { sendStream } from "./stream_reply.ts";
import { isStreamReply } from "./stream.ts";

/** Where and how to serve. */
export interface ControlServerOptions {
  /** Path of the Unix stream socket (`/dev/chaperone.sock`). */
  socketPath: string;
  /** Path of the command FIFO (`/dev/chaperone`); none when absent. */
  fifoPath?: string;
  /**
   * Permission bits for the socket and FIFO; default 0o600, their owner only (Decision 9 in
   * docs/migration.md).
   */
  mode?: number;
  /**
   * Owner to give the socket and FIFO (default: Chaperone's own user, root in a container):
   * the default user of services, so that with `--user` they can use `telchap` (Decision 9).
   */
  uid?: number;
  /** Group to give the socket and FIFO, so a mode like 0o660 admits that group. */
  gid?: number;
  /** Where problems with FIFO commands and failing handlers are reported. */
  logger?: Logger;
  /** Largest accepted request line in bytes (default MAX_REQUEST_BYTES). */
  maxRequestBytes?: number;
}

/** A running control server; disposing it closes every endpoint and removes their files. */
export interface ControlServer extends AsyncDisposable {
  readonly socketPath: string;
  readonly fifoPath: string | undefined;
  close(): Promise<void>;
}

const DEFAULT_MODE = 0o600;
const ACCEPT_RETRY_MS = 100;
/** How long close() lets requests that are being answered finish before abandoning them. */
const CLOSE_GRACE_MS = 1000;
const INTERACTIVE: ControlContext = { interactive: true };
/** Commands whose whole point is their reply: the FIFO, which has none, refuses them. */
const NEEDS_REPLY = new Set<ControlRequest["cmd"]>(["status", "dependencies", "health", "logs"]);
const NON_INTERACTIVE: ControlContext = { interactive: false };

/** Serves control requests on a Unix socket (and optionally the FIFO) until closed. */
export function serveControl(
  options: ControlServerOptions,
  handler: ControlHandler,
): ControlServer {
  return new Server(options, handler);
}

/**
 * Creates the FIFO node. Deno has no mkfifo, and spawning mkfifo(1) would make an external
 * binary a runtime requirement of minimal images; libc's mkfifo(3) is always there.
 */
function makeFifo(path: string, mode: number): void {
  if (libc().mkfifo(new TextEncoder().encode(path + "\0"), mode) !== 0) {
    throw new Deno.errors.AlreadyExists(`Cannot create FIFO "${path}": ${lastError().message}`);
  }
}

/** Who owns the endpoints; null keeps Chaperone's own uid or gid. */
interface Owner {
  readonly uid: number | null;
  readonly gid: number | null;
}

function chown(path: string, owner: Owner): void {
  if (owner.uid !== null || owner.gid !== null) Deno.chownSync(path, owner.uid, owner.gid);
}

/** Removes a file if present; a missing file is fine. */
function removeIfPresent(path: string): void {
  try {
    Deno.removeSync(path);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
}

/** The identity of a file, to avoid removing a successor's socket at close. */
function fileId(path: string): string | undefined {
  try {
    const info = Deno.statSync(path);
    return `${info.dev}:${info.ino}`;
  } catch {
    return undefined;
  }
}

class Server implements ControlServer {
  readonly socketPath: string;
  readonly fifoPath: string | undefined;
  #handler: ControlHandler;
  #logger: Logger | undefined;
  #maxBytes: number;
  #listener: Deno.Listener<Deno.UnixConn, Deno.UnixAddr>;
  #socketId: string | undefined;
  #fifo: Deno.FsFile | undefined;
  #fifoId: string | undefined;
  #connections = new Set<Deno.UnixConn>();
  #inFlight = new Set<Promise<unknown>>();
  #tasks = new Set<Promise<void>>();
  #fifoQueue: Promise<void> = Promise.resolve();
  #closing = false;
  #closed: Promise<void> | undefined;
  #abandon!: () => void;
  #abandoned: Promise<"closed">;
  // Aborted as close() begins: streaming replies (`logs -f`) end at once instead of holding it.
  #streamsEnd = new AbortController();

  constructor(options: ControlServerOptions, handler: ControlHandler) {
    this.socketPath = options.socketPath;
    this.fifoPath = options.fifoPath;
    this.#handler = handler;
    this.#logger = options.logger;
    this.#maxBytes = options.maxRequestBytes ?? MAX_REQUEST_BYTES;
    this.#abandoned = new Promise((resolve) => {
      this.#abandon = () => resolve("closed");
    });
    const mode = options.mode ?? DEFAULT_MODE;
    const owner: Owner = { uid: options.uid ?? null, gid: options.gid ?? null };
    this.#listener = this.#listen(options.socketPath, mode, owner);
    try {
      if (options.fifoPath !== undefined) this.#openFifo(options.fifoPath, mode, owner);
    } catch (error) {
      this.#listener.close();
      removeIfPresent(options.socketPath);
      throw error;
    }
    this.#track(this.#acceptLoop());
  }

  /**
   * Binds in a private directory, sets owner and mode, then renames into place: a socket bound
   * directly at its final path is connectable with umask permissions until chmod, and a client
   * that connects in that window keeps its connection.
   */
  #listen(path: string, mode: number, owner: Owner) {
    const staging = Deno.makeTempDirSync({ dir: dirname(path), prefix: ".chaperone-" });
    try {
      const staged = `${staging}/control.sock`;
      const listener = Deno.listen({ transport: "unix", path: staged });
      try {
        chown(staged, owner);
        Deno.chmodSync(staged, mode);
        // A stale socket from an earlier run is replaced; rename does that atomically.
        Deno.renameSync(staged, path);
      } catch (error) {
        listener.close();
        throw error;
      }
      this.#socketId = fileId(path);
      return listener;
    } finally {
      Deno.removeSync(staging, { recursive: true });
    }
  }

  #openFifo(path: string, mode: number, owner: Owner): void {
    removeIfPresent(path);
    makeFifo(path, mode & 0o600);
    chown(path, owner);
    Deno.chmodSync(path, mode);
    if (!Deno.statSync(path).isFifo) throw new TypeError(`File is not a FIFO: ${path}`);
    // Opened for writing too, so the FIFO never reports end-of-file when a writer goes away.
    this.#fifo = Deno.openSync(path, { read: true, write: true });
    this.#fifoId = fileId(path);
    this.#track(this.#fifoLoop(this.#fifo));
  }

  #track(task: Promise<void>): void {
    this.#tasks.add(task);
    task.finally(() => this.#tasks.delete(task));
  }

  async #acceptLoop(): Promise<void> {
    while (!this.#closing) {
      let conn: Deno.UnixConn;
      try {
        conn = await this.#listener.accept();
      } catch (error) {
        if (this.#closing) return;
        // EMFILE and similar: log, pause so a persistent failure cannot spin, keep serving.
        this.#logger?.warn(`control socket accept failed: ${errorMessage(error)}`);
        await new Promise((resolve) => setTimeout(resolve, ACCEPT_RETRY_MS));
        continue;
      }
      if (this.#closing) {
        conn.close();
        return;
      }
      this.#connections.add(conn);
      this.#track(this.#serveConnection(conn));
    }
  }

  async #serveConnection(conn: Deno.UnixConn): Promise<void> {
    try {
      const lines = readLines(conn, { maxBytes: this.#maxBytes, tooLong: LINE_TOO_LONG });
      for await (const line of lines) {
        if (line.trim() === "") continue;
        const reply = this.#reply(conn, line);
        this.#inFlight.add(reply);
        try {
          if (await reply === "closed" || this.#closing) return;
        } finally {
          this.#inFlight.delete(reply);
        }
      }
    } catch (error) {
      if (error instanceof ProtocolError && !this.#closing) {
        // The rest of an oversized line cannot be resynchronised: answer, then hang up.
        await writeAll(conn, encode({ ok: false, error: error.message })).catch(() => {});
        await drain(conn);
      }
      // Otherwise the peer vanished or the server is closing: nothing to answer.
    } finally {
      this.#connections.delete(conn);
      try {
        conn.close();
      } catch {
        // Already closed by close().
      }
    }
  }

  /**
   * Answers one request line on its connection; "closed" when the server closed first, or
   * after a streaming reply, which is the last on its connection (stream.ts).
   */
  async #reply(conn: Deno.UnixConn, line: string): Promise<"sent" | "closed"> {
    let response: ControlReply | "closed";
    try {
      response = await this.#run(decodeRequest(line), INTERACTIVE);
    } catch (error) {
      response = { ok: false, error: errorMessage(error) };
    }
    if (response === "closed") return "closed";
    if (isStreamReply(response)) {
      await sendStream(conn, response, this.#streamsEnd.signal);
      return "closed";
    }
    await writeAll(conn, encode(response));
    return "sent";
  }

  /** Runs one request; resolves to "closed" instead when the server closes first. */
  async #run(
    request: ControlRequest,
    context: ControlContext,
  ): Promise<ControlReply | "closed"> {
    const pending = this.#handler.handle(request, context);
    // A handler still running at close is abandoned, not awaited; swallow its late outcome.
    pending.catch(() => {});
    try {
      return await Promise.race([pending, this.#abandoned]);
    } catch (error) {
      this.#logger?.error(`control command "${request.cmd}" failed: ${errorMessage(error)}`);
      return { ok: false, error: errorMessage(error) };
    }
  }

  async #fifoLoop(fifo: Deno.FsFile): Promise<void> {
    const lines = readLines(fifo, {
      maxBytes: this.#maxBytes,
      tooLong: {
        kind: "skip",
        report: () =>
          this.#logger?.warn(
            `${this.fifoPath}: command longer than ${this.#maxBytes} bytes ignored`,
          ),
      },
    });
    try {
      for await (const line of lines) {
        // Queued in order but not awaited here, so a slow command never stalls FIFO writers.
        this.#fifoQueue = this.#fifoQueue.then(() => this.#runFifoLine(line));
      }
    } catch (error) {
      if (!this.#closing) {
        this.#logger?.error(`${this.fifoPath}: read failed: ${errorMessage(error)}`);
      }
    }
  }

  async #runFifoLine(line: string): Promise<void> {
    if (this.#closing) return;
    let request: ControlRequest;
    try {
      const words = splitShellWords(line);
      if (words.length === 0) return;
      request = fifoRequest(parseCommandWords(words));
    } catch (error) {
      this.#logger?.warn(`${this.fifoPath}: command "${line}" rejected: ${errorMessage(error)}`);
      return;
    }
    if (NEEDS_REPLY.has(request.cmd)) {
      this.#logger?.warn(
        `${this.fifoPath}: "${request.cmd}" needs a reply; use "chaperone ctl ${request.cmd}"`,
      );
      return;
    }
    const response = await this.#run(request, NON_INTERACTIVE);
    if (response === "closed") return;
    if (isStreamReply(response)) return response.stream.close(); // refused above; never here
    if (response.ok) {
      this.#logger?.debug(`${this.fifoPath}: ${line}: ${response.text ?? "ok"}`);
    } else {
      this.#logger?.warn(`${this.fifoPath}: command "${line}" failed: ${response.error}`);
    }
  }

  close(): Promise<void> {
    this.#closed ??= this.#close();
    return this.#closed;
  }

  async #close(): Promise<void> {
    this.#closing = true;
    this.#streamsEnd.abort();
    try {
      this.#listener.close();
    } catch {
      // Already closed.
    }
    // Requests being answered get a moment to finish: `ctl stop --wait` of the last service
    // ends the whole system, and its client must still hear "services stopped.".
    if (this.#inFlight.size > 0) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([
        Promise.allSettled([...this.#inFlight]),
        new Promise((resolve) => timer = setTimeout(resolve, CLOSE_GRACE_MS)),
      ]);
      clearTimeout(timer);
    }
    this.#abandon();
    for (const conn of this.#connections) {
      try {
        conn.close();
      } catch {
        // Closed by its own task meanwhile.
      }
    }
    try {
      this.#fifo?.close();
    } catch {
      // Already closed.
    }
    while (this.#tasks.size > 0) await Promise.allSettled([...this.#tasks]);
    await this.#fifoQueue;
    // Only remove files that are still ours: a newer Chaperone may have replaced them.
    if (fileId(this.socketPath) === this.#socketId) removeIfPresent(this.socketPath);
    if (this.fifoPath !== undefined && this.#fifoId !== undefined) {
      if (fileId(this.fifoPath) === this.#fifoId) removeIfPresent(this.fifoPath);
    }
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

/** FIFO commands have no reply channel, so waiting for completion is meaningless (docs/ctl.md). */
function fifoRequest(request: ControlRequest): ControlRequest {
  switch (request.cmd) {
    case "start":
    case "stop":
    case "reset":
    case "restart":
      return { ...request, wait: false };
    case "status":
    case "dependencies":
    case "health":
    case "run":
    case "reload":
    case "enable":
    case "disable":
    case "shutdown":
    case "loglevel":
    case "logs":
      return request;
    default: {
      const exhaustive: never = request;
      throw new TypeError(`Unhandled request ${JSON.stringify(exhaustive)}`);
    }
  }
}

/** Writes every byte; a peer that has gone away makes this reject. */
async function writeAll(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  let offset = 0;
  while (offset < bytes.length) offset += await conn.write(bytes.subarray(offset));
}

/** How long a hung-up client may keep sending before its connection is dropped outright. */
const DRAIN_MS = 1000;

/**
 * Half-closes and discards what the peer is still sending, for at most DRAIN_MS. Closing a
 * socket with unread input makes the kernel send a reset, which can destroy the error reply
 * before the peer reads it.
 */
async function drain(conn: Deno.UnixConn): Promise<void> {
  const timer = setTimeout(() => conn.close(), DRAIN_MS);
  try {
    await conn.closeWrite();
    const sink = new Uint8Array(64 * 1024);
    while ((await conn.read(sink)) !== null) {
      // Discarded.
    }
  } catch {
    // Reset by the peer, or closed by the timer.
  } finally {
    clearTimeout(timer);
  }
}
