/**
 * A log probe (docs/configuration.md, "Probes"): not an attempt but a watch over the lines
 * of the service's own output, which the caller feeds. The pattern is the configuration's
 * Python dialect (as in `$(VAR:/regex/repl/)`), compiled once, and found anywhere in a line
 * (Python's `re.search`).
 */
import { compilePyRegex } from "../text/py_regex.ts";

/** Whether a line matching the pattern has been seen since the watch began or was reset. */
export class LogWatch {
  readonly #regexp: RegExp;
  #matched = false;

  /** Compiles `pattern`; throws SyntaxError when it does not compile (configuration checks it). */
  constructor(pattern: string) {
    this.#regexp = compilePyRegex(pattern);
  }

  /** Looks at one line of output (without its newline); returns matched(). */
  feed(line: string): boolean {
    if (this.#matched) return true;
    this.#matched = this.#regexp.test(line);
    return this.#matched;
  }

  /** True once a line has matched. */
  matched(): boolean {
    return this.#matched;
  }

  /** Forgets the match: the next one must come from a later line. */
  reset(): void {
    this.#matched = false;
  }
}
