/**
 * A log file output (docs/logging.md, "Files"; Decision 8 in docs/migration.md): a strftime name in
 * local time, parent directories and the file created with the section's owner and modes (safely
 * against what a service can plant in them: open_log_file.ts), `overwrite` at first open only,
 * rotation (a new name, a moved or deleted file) noticed within a second. Lines are flushed at most
 * FLUSH_DELAY_MS after the first unflushed one, or when the buffer fills. Failures are reported
 * once per episode and the file keeps being retried.
 *
 * Intervals are measured on the monotonic clock: a wall clock stepped back must not suspend
 * the rotation check. Wall time only names the file (strftime).
 */
import {
  type FileDescriptor,
  type FileStatus,
  sameFile,
  statPath,
} from "../sys/file_descriptor.ts";
import { LineBuffer, writeAllSync } from "./line_buffer.ts";
import { openLogFile } from "./open_log_file.ts";
import type { OutputReporter } from "./output_reporter.ts";
import { strftime } from "./strftime.ts";
import { errorMessage } from "../text/error_message.ts";

/** Longest time a file line waits in the buffer. */
export const FLUSH_DELAY_MS = 50;
/** How often a file's name and identity are rechecked (rotation, moves, deletion). */
export const ROTATION_CHECK_MS = 1000;

/** Ownership and creation options of a log file. */
export interface FileOutputOptions {
  /** File name pattern with strftime codes, already expanded. */
  readonly pattern: string;
  readonly uid?: number;
  readonly gid?: number;
  /** Truncate when first opened (Decision 8 in docs/migration.md: not on later reopens). */
  readonly overwrite: boolean;
  readonly report: OutputReporter;
  /** Wall clock for file names (tests). */
  readonly now?: () => Date;
  /** Monotonic milliseconds for the rotation check and retries (tests; performance.now). */
  readonly clock?: () => number;
}

/** A log file whose name may change with time (strftime) and which may be rotated away. */
export class FileOutput {
  readonly kind = "file";
  readonly pattern: string;
  #options: FileOutputOptions;
  #now: () => Date;
  #clock: () => number;
  #buffer = new LineBuffer();
  #file: FileDescriptor | undefined;
  #path = "";
  #identity: FileStatus | undefined;
  #firstOpen = true;
  #lastCheck = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #failing = false;
  #closed = false;
  #dropped = 0;

  constructor(options: FileOutputOptions) {
    this.pattern = options.pattern;
    this.#options = options;
    this.#now = options.now ?? (() => new Date());
    this.#clock = options.clock ?? (() => performance.now());
  }

  /** The path currently open, if any. */
  get path(): string | undefined {
    return this.#file ? this.#path : undefined;
  }

  /** Whether the last open or write failed. */
  get failing(): boolean {
    return this.#failing;
  }

  /** Lines lost so far because the file could not be opened or written. */
  get dropped(): number {
    return this.#dropped;
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
    const lines = this.#buffer.lines;
    this.#writeOut(this.#buffer.take(), lines);
  }

  /** Flushes and closes the file. */
  close(): void {
    this.flush();
    this.#closed = true;
    this.#file?.close();
    this.#file = undefined;
  }

  #writeOut(data: Uint8Array, lines: number): void {
    this.#reopenIfNeeded(false);
    const file = this.#file;
    if (!file) {
      this.#dropped += lines; // open failed (reported); these lines are lost
      return;
    }
    try {
      writeAllSync(file, data);
      this.#recovered();
    } catch (e) {
      this.#dropped += lines;
      this.#fail(`cannot write log file ${this.#path}: ${errorMessage(e)}`);
    }
  }

  // Rechecks the name and the file's identity at most once per ROTATION_CHECK_MS.
  #reopenIfNeeded(force: boolean): void {
    const t = this.#clock();
    if (!force && this.#file && t - this.#lastCheck < ROTATION_CHECK_MS) return;
    if (!force && !this.#file && this.#failing && t - this.#lastCheck < ROTATION_CHECK_MS) return;
    this.#lastCheck = t;
    const path = strftime(this.#options.pattern, this.#now());
    if (this.#file && path === this.#path && this.#identity) {
      try {
        // Followed like the name is: a symlink swapped in resolves to another file.
        if (sameFile(statPath(path), this.#identity)) return;
      } catch {
        // Gone (rotated away or its directory deleted): reopen below.
      }
    }
    this.#file?.close();
    this.#file = undefined;
    this.#path = path;
    try {
      const { uid, gid, overwrite } = this.#options;
      this.#file = openLogFile(path, { uid, gid, truncate: overwrite && this.#firstOpen });
      this.#firstOpen = false;
      this.#identity = this.#file.stat();
      this.#recovered();
    } catch (e) {
      this.#file?.close();
      this.#file = undefined;
      this.#fail(`cannot open log file ${path}: ${errorMessage(e)}`);
    }
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
