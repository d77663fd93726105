/**
 * The last lines of one service's output, for `chaperone ctl logs` (docs/ctl.md, `logs`): a ring
 * bounded in lines and in characters, so that what it holds is known whatever the service
 * prints. A new line that does not fit pushes out the oldest ones; a line longer than the
 * ring's line limit is cut (docs/configuration.md, `log_buffer_lines`).
 */

/** One kept line. */
export interface RingLine {
  /** Arrival order across every ring of a store: lines of several services merge by it. */
  readonly seq: number;
  /** When it arrived (ms since the epoch). */
  readonly time: number;
  readonly text: string;
}

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

/** A ring of at most `maxLines` lines holding at most `maxChars` characters together. */
export class LogRing<L extends RingLine = RingLine> {
  readonly maxLines: number;
  readonly maxChars: number;
  // A circular buffer that grows up to maxLines slots: #head is the oldest line.
  #slots: (L | undefined)[] = [];
  #head = 0;
  #size = 0;
  #chars = 0;

  constructor(maxLines: number, maxChars: number) {
    this.maxLines = Math.max(1, Math.floor(maxLines));
    this.maxChars = Math.max(1, Math.floor(maxChars));
  }

  /** Lines held. */
  get size(): number {
    return this.#size;
  }

  /** Characters held. */
  get chars(): number {
    return this.#chars;
  }

  /** Adds a line (cut to maxChars), dropping the oldest ones until it fits. */
  push(line: L): void {
    const kept = line.text.length <= this.maxChars
      ? line
      : { ...line, text: cutLine(line.text, this.maxChars) };
    while (
      this.#size > 0 &&
      (this.#size >= this.maxLines || this.#chars + kept.text.length > this.maxChars)
    ) {
      this.#dropOldest();
    }
    const at = (this.#head + this.#size) % this.maxLines;
    if (at === this.#slots.length) this.#slots.push(kept);
    else this.#slots[at] = kept;
    this.#size++;
    this.#chars += kept.text.length;
  }

  /** The line at `index` counted from the oldest (0 ≤ index < size). */
  at(index: number): L {
    return this.#slots[(this.#head + index) % this.maxLines]!;
  }

  #dropOldest(): void {
    const oldest = this.#slots[this.#head]!;
    this.#chars -= oldest.text.length;
    // The slot is overwritten later; until then it must not keep the text alive.
    this.#slots[this.#head] = undefined;
    this.#head = (this.#head + 1) % this.maxLines;
    this.#size--;
  }
}
