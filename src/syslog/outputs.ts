/**
 * Where logging sections write (spec §4.6, Decision 8): files, stdout/stderr and remote syslog
 * hosts. Outputs are shared by identity (one open file per expanded name), but each section
 * formats its own lines, so `extended` and `logrec_hostname` stay per section.
 *
 * Writes are buffered: a file is flushed at most FLUSH_DELAY_MS after its first unflushed
 * line (or when its buffer fills), the console at the end of the current task. Failures are
 * reported once per episode through `report`, and the output keeps retrying, so a full disk
 * or a deleted directory costs lines, never the daemon.
 */
import { strftime } from "./strftime.ts";

/** Longest time a file line waits in the buffer. */
export const FLUSH_DELAY_MS = 50;
/** How often a file's name and identity are rechecked (rotation, moves, deletion). */
export const ROTATION_CHECK_MS = 1000;
// A buffer this full (UTF-16 units) is written at once.
const BUFFER_CHARS = 128 * 1024;
/** Datagrams queued for one remote host before further lines are dropped. */
export const MAX_REMOTE_IN_FLIGHT = 1024;

/** Receives one message per failure episode (and one when the output recovers). */
export type OutputReporter = (severity: "warn" | "info", message: string) => void;

/** One destination of output lines. */
export type Output = FileOutput | ConsoleOutput | RemoteOutput;

const encoder = new TextEncoder();
// Flushes are synchronous, so every output can encode into this one buffer; encodeInto on
// the whole buffered text is over twice as fast as encode() (measured).
const SCRATCH = new Uint8Array((BUFFER_CHARS + 16 * 1024) * 3);

// Accumulates lines as one string: appending to a string and encoding once per flush costs a
// fraction of encoding every line into a byte buffer (measured: ~10x).
class LineBuffer {
  text = "";

  get length(): number {
    return this.text.length;
  }

  append(line: string): void {
    this.text += line + "\n";
  }

  get full(): boolean {
    return this.text.length >= BUFFER_CHARS;
  }

  /** The buffered bytes, valid only until the next take() (they may live in SCRATCH). */
  take(): Uint8Array {
    const text = this.text;
    this.text = "";
    if (text.length * 3 <= SCRATCH.length) {
      const { written } = encoder.encodeInto(text, SCRATCH);
      return SCRATCH.subarray(0, written);
    }
    return encoder.encode(text);
  }
}

function writeAllSync(w: { writeSync(p: Uint8Array): number }, data: Uint8Array): void {
  let off = 0;
  while (off < data.length) off += w.writeSync(data.subarray(off));
}

function describe(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Ownership and creation options of a log file (spec §4.6). */
export interface FileOutputOptions {
  /** File name pattern with strftime codes, already expanded. */
  readonly pattern: string;
  readonly uid?: number;
  readonly gid?: number;
  /** Truncate when first opened (Decision 8: not on later reopens). */
  readonly overwrite: boolean;
  readonly report: OutputReporter;
  /** Clock for file names (tests). */
  readonly now?: () => Date;
}

/** A log file whose name may change with time (strftime) and which may be rotated away. */
export class FileOutput {
  readonly kind = "file";
  readonly pattern: string;
  #options: FileOutputOptions;
  #now: () => Date;
  #buffer = new LineBuffer();
  #file: Deno.FsFile | undefined;
  #path = "";
  #dev = 0;
  #ino = 0;
  #firstOpen = true;
  #lastCheck = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #failing = false;
  #closed = false;

  constructor(options: FileOutputOptions) {
    this.pattern = options.pattern;
    this.#options = options;
    this.#now = options.now ?? (() => new Date());
  }

  /** The path currently open, if any. */
  get path(): string | undefined {
    return this.#file ? this.#path : undefined;
  }

  /** Opens the file now (at syslog start), reporting a failure instead of throwing. */
  open(): void {
    this.#reopenIfNeeded(true);
  }

  /** Queues one line. */
  write(line: string): void {
    if (this.#closed) return;
    this.#buffer.append(line);
    if (this.#buffer.full) {
      this.flush();
    } else if (this.#timer === undefined) {
      this.#timer = setTimeout(() => {
        this.#timer = undefined;
        this.flush();
      }, FLUSH_DELAY_MS);
    }
  }

  /** Writes out everything queued. */
  flush(): void {
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    if (this.#buffer.length === 0) return;
    this.#writeOut(this.#buffer.take());
  }

  /** Flushes and closes the file. */
  close(): void {
    this.flush();
    this.#closed = true;
    this.#file?.close();
    this.#file = undefined;
  }

  #writeOut(data: Uint8Array): void {
    this.#reopenIfNeeded(false);
    const file = this.#file;
    if (!file) return; // open failed (reported); these lines are lost
    try {
      writeAllSync(file, data);
      this.#recovered();
    } catch (e) {
      this.#fail(`cannot write log file ${this.#path}: ${describe(e)}`);
    }
  }

  // Rechecks the name and the file's identity at most once per ROTATION_CHECK_MS.
  #reopenIfNeeded(force: boolean): void {
    const now = this.#now();
    const t = Date.now();
    if (!force && this.#file && t - this.#lastCheck < ROTATION_CHECK_MS) return;
    if (!force && !this.#file && this.#failing && t - this.#lastCheck < ROTATION_CHECK_MS) return;
    this.#lastCheck = t;
    const path = strftime(this.#options.pattern, now);
    if (this.#file && path === this.#path) {
      try {
        const st = Deno.statSync(path);
        if (st.dev === this.#dev && st.ino === this.#ino) return;
      } catch {
        // Gone (rotated away or its directory deleted): reopen below.
      }
    }
    this.#file?.close();
    this.#file = undefined;
    this.#path = path;
    try {
      this.#file = this.#openFile(path);
      const st = this.#file.statSync();
      this.#dev = st.dev ?? 0;
      this.#ino = st.ino ?? 0;
      this.#recovered();
    } catch (e) {
      this.#fail(`cannot open log file ${path}: ${describe(e)}`);
    }
  }

  #openFile(path: string): Deno.FsFile {
    const { uid, gid } = this.#options;
    makeParentDirs(path, uid, gid);
    let existed = true;
    try {
      Deno.lstatSync(path);
    } catch {
      existed = false;
    }
    const truncate = this.#options.overwrite && this.#firstOpen;
    const file = Deno.openSync(path, {
      write: true,
      create: true,
      append: !truncate,
      truncate,
      mode: gid === undefined ? 0o644 : 0o664,
    });
    this.#firstOpen = false;
    if (!existed) {
      // The umask must not narrow the documented modes.
      Deno.chmodSync(path, gid === undefined ? 0o644 : 0o664);
      if (uid !== undefined && uid !== 0) Deno.chownSync(path, uid, gid ?? null);
    }
    return file;
  }

  #fail(message: string): void {
    if (this.#failing) return;
    this.#failing = true;
    this.#options.report("warn", `${message} (log lines are dropped until it works again)`);
  }

  #recovered(): void {
    if (!this.#failing) return;
    this.#failing = false;
    this.#options.report("info", `log file ${this.#path} is writable again`);
  }
}

// Creates the missing parents of `path`, each 0755 (0775 with a gid) and owned by uid:gid.
function makeParentDirs(path: string, uid: number | undefined, gid: number | undefined): void {
  const missing: string[] = [];
  let dir = dirname(path);
  while (dir !== "" && dir !== "/" && dir !== ".") {
    try {
      Deno.statSync(dir);
      break;
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
      missing.push(dir);
      dir = dirname(dir);
    }
  }
  const mode = gid === undefined ? 0o755 : 0o775;
  for (const d of missing.reverse()) {
    try {
      Deno.mkdirSync(d, { mode });
    } catch (e) {
      if (e instanceof Deno.errors.AlreadyExists) continue;
      throw e;
    }
    Deno.chmodSync(d, mode);
    if (uid !== undefined && uid !== 0) Deno.chownSync(d, uid, gid ?? null);
  }
}

function dirname(path: string): string {
  const trimmed = path.replace(/\/+$/, "");
  const i = trimmed.lastIndexOf("/");
  if (i < 0) return ".";
  if (i === 0) return "/";
  return trimmed.slice(0, i);
}

/** Chaperone's stdout or stderr; lines are written at the end of the current task. */
export class ConsoleOutput {
  readonly kind: "stdout" | "stderr";
  #stream: { writeSync(p: Uint8Array): number };
  #report: OutputReporter;
  #buffer = new LineBuffer();
  #scheduled = false;
  #failing = false;

  constructor(kind: "stdout" | "stderr", report: OutputReporter, stream?: {
    writeSync(p: Uint8Array): number;
  }) {
    this.kind = kind;
    this.#report = report;
    this.#stream = stream ?? (kind === "stdout" ? Deno.stdout : Deno.stderr);
  }

  /** Queues one line; it is written once the current synchronous burst ends. */
  write(line: string): void {
    this.#buffer.append(line);
    if (this.#buffer.full) {
      this.flush();
    } else if (!this.#scheduled) {
      this.#scheduled = true;
      queueMicrotask(() => this.flush());
    }
  }

  /** Writes out everything queued. */
  flush(): void {
    this.#scheduled = false;
    if (this.#buffer.length > 0) this.#writeOut(this.#buffer.take());
  }

  /** Flushes; the stream itself stays open (it is the process's). */
  close(): void {
    this.flush();
  }

  #writeOut(data: Uint8Array): void {
    try {
      writeAllSync(this.#stream, data);
      if (this.#failing) {
        this.#failing = false;
        this.#report("info", `${this.kind} is writable again`);
      }
    } catch (e) {
      if (this.#failing) return;
      this.#failing = true;
      this.#report("warn", `cannot write log lines to ${this.kind}: ${describe(e)}`);
    }
  }
}

/** Splits `syslog_host` into host and port (default 514; `host:port` and `[v6]:port` accepted). */
export function parseSyslogHost(spec: string): { hostname: string; port: number } {
  const bracket = /^\[([^\]]+)\](?::(\d+))?$/.exec(spec);
  if (bracket) return { hostname: bracket[1]!, port: bracket[2] ? Number(bracket[2]) : 514 };
  const hostPort = /^([^:]+):(\d+)$/.exec(spec);
  if (hostPort) return { hostname: hostPort[1]!, port: Number(hostPort[2]) };
  return { hostname: spec, port: 514 };
}

/** A remote syslog host: one UDP datagram per line, with a `<PRI>` header (Decision 8). */
export class RemoteOutput {
  readonly kind = "remote";
  readonly host: string;
  #target: { hostname: string; port: number };
  #report: OutputReporter;
  #socket: Deno.DatagramConn | undefined;
  // One send at a time, in order: concurrent send ops may reach the wire in any order.
  #queue: Uint8Array[] = [];
  #pump: Promise<void> | undefined;
  #failing = false;
  #dropping = false;

  constructor(host: string, report: OutputReporter) {
    this.host = host;
    this.#target = parseSyslogHost(host);
    this.#report = report;
  }

  /** Queues `<pri>line` for sending (the caller passes the record's PRI). */
  send(pri: number, line: string): void {
    if (this.#queue.length >= MAX_REMOTE_IN_FLIGHT) {
      // UDP is lossy anyway: under a flood, drop rather than queue without bound.
      if (!this.#dropping) {
        this.#dropping = true;
        this.#report(
          "warn",
          `syslog host ${this.host}: more than ${MAX_REMOTE_IN_FLIGHT} datagrams waiting, dropping lines`,
        );
      }
      return;
    }
    this.#dropping = false;
    this.#queue.push(encoder.encode(`<${pri}>${line}`));
    this.#pump ??= this.#drain().finally(() => this.#pump = undefined);
  }

  async #drain(): Promise<void> {
    try {
      this.#socket ??= Deno.listenDatagram({
        transport: "udp",
        hostname: this.#target.hostname.includes(":") ? "::" : "0.0.0.0",
        port: 0,
      });
    } catch (e) {
      this.#queue = [];
      this.#fail(e);
      return;
    }
    const addr = { transport: "udp" as const, ...this.#target };
    while (this.#queue.length > 0) {
      const data = this.#queue.shift()!;
      try {
        await this.#socket.send(data, addr);
        if (this.#failing) {
          this.#failing = false;
          this.#report("info", `syslog host ${this.host} is reachable again`);
        }
      } catch (e) {
        this.#fail(e);
      }
    }
  }

  /** Waits for queued datagrams to be sent, then closes the socket. */
  async close(): Promise<void> {
    await this.#pump;
    this.#socket?.close();
    this.#socket = undefined;
  }

  #fail(e: unknown): void {
    if (this.#failing) return;
    this.#failing = true;
    this.#report("warn", `cannot send log lines to syslog host ${this.host}: ${describe(e)}`);
  }
}
