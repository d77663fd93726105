/**
 * A log file output (spec §4.6, Decision 8): a strftime name in local time, parent
 * directories and the file created with the section's owner and modes, `overwrite` at first
 * open only, rotation (a new name, a moved or deleted file) noticed within a second. Lines
 * are flushed at most FLUSH_DELAY_MS after the first unflushed one, or when the buffer fills.
 * Failures are reported once per episode and the file keeps being retried.
 */
import { dirname } from "node:path";
import { LineBuffer, writeAllSync } from "./line_buffer.ts";
import { describeError, type OutputReporter } from "./output_reporter.ts";
import { strftime } from "./strftime.ts";

/** Longest time a file line waits in the buffer. */
export const FLUSH_DELAY_MS = 50;
/** How often a file's name and identity are rechecked (rotation, moves, deletion). */
export const ROTATION_CHECK_MS = 1000;

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
      this.#fail(`cannot write log file ${this.#path}: ${describeError(e)}`);
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
      this.#fail(`cannot open log file ${path}: ${describeError(e)}`);
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
      mode: gid === undefined ? 0o600 : 0o664,
    });
    this.#firstOpen = false;
    if (!existed) {
      // The umask must not change the documented modes. A root-owned log (no gid applies) is
      // 0600: services running as other users must not read what root's services logged.
      Deno.chmodSync(path, gid === undefined ? 0o600 : 0o664);
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
