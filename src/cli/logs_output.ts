/**
 * How `chaperone ctl logs` prints a stream of lines (docs/ctl.md, `logs`): each line prefixed
 * with its service's name (without `.service`), the names padded to one width as
 * `docker compose logs` does, control characters written as `#ooo` as in the `text` log lines
 * (Decision 15 in docs/migration.md), so a line can neither forge another nor drive the
 * terminal. Where the reader fell behind: `-- N lines dropped --`.
 */
import type { StreamReceiver } from "../control/client.ts";
import type { StreamFrame } from "../control/stream.ts";
import { escapeControls } from "../syslog/format_line.ts";

/** Where the printer writes. */
export interface LinesOutput {
  out(text: string): void;
}

const shortName = (name: string) => name.replace(/\.service$/, "");

/** The reader ctl gives sendControl for `logs`. */
export class LogsPrinter implements StreamReceiver {
  #output: LinesOutput;
  #width = 0;
  /** Set once stdout is gone (`ctl logs -f | head`): the caller ends quietly. */
  outputClosed = false;

  constructor(output: LinesOutput) {
    this.#output = output;
  }

  header(response: { data?: unknown }): void {
    const services = (response.data as { services?: unknown } | undefined)?.services;
    if (!Array.isArray(services)) return;
    for (const name of services) {
      if (typeof name === "string") this.#width = Math.max(this.#width, shortName(name).length);
    }
  }

  frame(frame: StreamFrame): void {
    switch (frame.kind) {
      case "line":
        this.#write(
          `${shortName(frame.service).padEnd(this.#width)} | ${escapeControls(frame.text)}\n`,
        );
        return;
      case "dropped":
        this.#write(`-- ${frame.count} line${frame.count === 1 ? "" : "s"} dropped --\n`);
        return;
      case "end":
        return;
      default: {
        const exhaustive: never = frame;
        throw new TypeError(`Unhandled frame ${JSON.stringify(exhaustive)}`);
      }
    }
  }

  #write(text: string): void {
    try {
      this.#output.out(text);
    } catch (error) {
      if (error instanceof Deno.errors.BrokenPipe) this.outputClosed = true;
      throw error;
    }
  }
}
