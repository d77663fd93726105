/**
 * The `log` probes of a service (docs/configuration.md, "Probes"): its own output lines are
 * matched against each probe's regular expression (the Python dialect, as the configuration's
 * other patterns), as they are read. A ready probe passes once a line of the current run
 * matched; a health probe passes when a line matched since its previous attempt.
 */
import { compilePyRegex } from "../text/py_regex.ts";
import type { ProbeResult } from "./ports.ts";

/** The log probes' patterns of one service and what its output showed. */
export class OutputWatch {
  #patterns: Map<string, RegExp>;
  #seen = new Set<string>();

  constructor(patterns: readonly string[]) {
    this.#patterns = new Map(patterns.map((p) => [p, compilePyRegex(p)]));
  }

  /** True when no log probe watches the output (lines need not be fed). */
  get idle(): boolean {
    return this.#patterns.size === 0;
  }

  /** One line of the service's output. */
  feed(line: string): void {
    for (const [pattern, regex] of this.#patterns) {
      if (!this.#seen.has(pattern) && regex.test(line)) this.#seen.add(pattern);
    }
  }

  /** Whether `pattern` matched a line; `consume` forgets it (the next attempt needs a new line). */
  take(pattern: string, consume: boolean): ProbeResult {
    const seen = this.#seen.has(pattern);
    if (consume) this.#seen.delete(pattern);
    return seen ? { ok: true } : { ok: false, error: `no output line matched /${pattern}/ yet` };
  }

  /** A new run: nothing seen. */
  reset(): void {
    this.#seen.clear();
  }
}
