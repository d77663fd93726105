/**
 * The last lines of one service's output, for `chaperone ctl logs` (docs/ctl.md, `logs`): a ring
 * bounded in lines and in bytes, so that what it holds is known whatever the service prints. A
 * line weighs its length plus LINE_OVERHEAD, a little more than keeping it costs besides its
 * text (measured 35–110 bytes: docs/benchmarks.md, "Log buffer"), so that many short lines are
 * bounded as well as a few long ones. A new line that does not fit pushes out the oldest ones; a line heavier than the whole
 * ring is cut (docs/configuration.md, `log_buffer_lines`).
 */

/** One kept line. */
export interface RingLine {
  /** Arrival order across every ring of a store: lines of several services merge by it. */
  readonly seq: number;
  /** When it arrived (ms since the epoch). */
  readonly time: number;
  readonly text: string;
}

/** What a kept line weighs besides its characters, in bytes. */
export const LINE_OVERHEAD = 128;

/** What a cut line ends with. */
export const CUT_MARK = "…";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * `text` cut to at most `max` characters (UTF-16 units), ending with CUT_MARK. The cut copy is
 * made through UTF-8 so that it does not keep the long original alive: V8's substrings are views
 * of their parent string. A surrogate pair torn by the cut becomes U+FFFD.
 */
export function cutLine(text: string, max: number): string {
  if (text.length <= max) return text;
  return decoder.decode(encoder.encode(text.slice(0, Math.max(0, max - CUT_MARK.length)))) +
    CUT_MARK;
}

/** Slots a ring starts with; it doubles up to maxLines as lines come. */
const FIRST_SLOTS = 16;

/**
 * A ring of at most `maxLines` lines weighing at most `maxBytes` together. The lines are kept as
 * three parallel columns, not one object each: measured, an object per line cost more than a
 * short line's text.
 */
export class LogRing {
  readonly maxLines: number;
  readonly maxBytes: number;
  // A circular buffer growing up to maxLines slots; #head is the oldest line. While it grows it
  // has never wrapped, so copying the columns keeps every line at its index.
  #texts: (string | undefined)[] = [];
  #seqs = new Float64Array(0);
  #times = new Float64Array(0);
  #head = 0;
  #size = 0;
  #bytes = 0;

  constructor(maxLines: number, maxBytes: number) {
    this.maxLines = Math.max(1, Math.floor(maxLines));
    this.maxBytes = Math.max(LINE_OVERHEAD + 1, Math.floor(maxBytes));
  }

  /** Lines held. */
  get size(): number {
    return this.#size;
  }

  /** What the lines held weigh (their lengths plus LINE_OVERHEAD each). */
  get bytes(): number {
    return this.#bytes;
  }

  /** Adds a line (cut to what the ring can weigh), dropping the oldest ones until it fits. */
  push(seq: number, time: number, line: string): void {
    const text = cutLine(line, this.maxBytes - LINE_OVERHEAD);
    const weight = text.length + LINE_OVERHEAD;
    while (
      this.#size > 0 &&
      (this.#size >= this.maxLines || this.#bytes + weight > this.maxBytes)
    ) {
      this.#dropOldest();
    }
    const at = (this.#head + this.#size) % this.maxLines;
    if (at === this.#seqs.length) this.#grow();
    this.#texts[at] = text;
    this.#seqs[at] = seq;
    this.#times[at] = time;
    this.#size++;
    this.#bytes += weight;
  }

  /** Arrival order of the line at `index` counted from the oldest (0 ≤ index < size). */
  seqAt(index: number): number {
    return this.#seqs[(this.#head + index) % this.maxLines]!;
  }

  /** The line at `index` counted from the oldest (0 ≤ index < size). */
  at(index: number): RingLine {
    const i = (this.#head + index) % this.maxLines;
    return { seq: this.#seqs[i]!, time: this.#times[i]!, text: this.#texts[i]! };
  }

  #grow(): void {
    const slots = Math.min(this.maxLines, Math.max(FIRST_SLOTS, this.#seqs.length * 2));
    const seqs = new Float64Array(slots);
    const times = new Float64Array(slots);
    seqs.set(this.#seqs);
    times.set(this.#times);
    this.#seqs = seqs;
    this.#times = times;
  }

  #dropOldest(): void {
    this.#bytes -= this.#texts[this.#head]!.length + LINE_OVERHEAD;
    // The slot is overwritten later; until then it must not keep the text alive.
    this.#texts[this.#head] = undefined;
    this.#head = (this.#head + 1) % this.maxLines;
    this.#size--;
  }
}
