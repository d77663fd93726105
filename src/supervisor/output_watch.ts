/**
 * The `log` probes of one service (docs/configuration.md, "Probes"): its output lines, as read,
 * go to one LogWatch (src/probe/log_watch.ts) per pattern. A ready probe passes once a line of
 * the current run matched; a health probe passes when a line matched since its previous
 * attempt.
 */
import { LogWatch } from "../probe/log_watch.ts";
import type { ProbeResult } from "./ports.ts";

/** The log probes' watches of one service. */
export class OutputWatch {
  #watches: Map<string, LogWatch>;

  constructor(patterns: readonly string[]) {
    this.#watches = new Map(patterns.map((p) => [p, new LogWatch(p)]));
  }

  /** True when no log probe watches the output (lines need not be fed). */
  get idle(): boolean {
    return this.#watches.size === 0;
  }

  /** One line of the service's output. */
  feed(line: string): void {
    for (const watch of this.#watches.values()) watch.feed(line);
  }

  /** Whether `pattern` matched a line; `consume` forgets it (the next attempt needs a new line). */
  take(pattern: string, consume: boolean): ProbeResult {
    const watch = this.#watches.get(pattern);
    const seen = watch?.matched() ?? false;
    if (consume) watch?.reset();
    return seen ? { ok: true } : { ok: false, error: `no output line matched /${pattern}/ yet` };
  }

  /** A new run: nothing seen. */
  reset(): void {
    for (const watch of this.#watches.values()) watch.reset();
  }
}
