/** Chaperone's stdout or stderr as a log output, written once per burst of lines. */
import { LineBuffer, writeAllSync } from "./line_buffer.ts";
import type { OutputReporter } from "./output_reporter.ts";
import { errorMessage } from "../text/error_message.ts";

/** Chaperone's stdout or stderr; lines are written at the end of the current task. */
export class ConsoleOutput {
  readonly kind: "stdout" | "stderr";
  #stream: { writeSync(p: Uint8Array): number };
  #report: OutputReporter;
  #buffer = new LineBuffer();
  #scheduled = false;
  #failing = false;
  #dropped = 0;

  constructor(kind: "stdout" | "stderr", report: OutputReporter, stream?: {
    writeSync(p: Uint8Array): number;
  }) {
    this.kind = kind;
    this.#report = report;
    this.#stream = stream ?? (kind === "stdout" ? Deno.stdout : Deno.stderr);
  }

  /** Whether the last write failed. */
  get failing(): boolean {
    return this.#failing;
  }

  /** Lines lost so far because the stream could not be written. */
  get dropped(): number {
    return this.#dropped;
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
    if (this.#buffer.length === 0) return;
    const lines = this.#buffer.lines;
    this.#writeOut(this.#buffer.take(), lines);
  }

  /** Flushes; the stream itself stays open (it is the process's). */
  close(): void {
    this.flush();
  }

  #writeOut(data: Uint8Array, lines: number): void {
    try {
      writeAllSync(this.#stream, data);
      if (this.#failing) {
        this.#failing = false;
        this.#report("info", `${this.kind} is writable again`);
      }
    } catch (e) {
      this.#dropped += lines;
      if (this.#failing) return;
      this.#failing = true;
      this.#report("warn", `cannot write log lines to ${this.kind}: ${errorMessage(e)}`);
    }
  }
}
