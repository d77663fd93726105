/**
 * The position of our YAML reader (yaml_parse.ts) in the text: characters, lines and columns,
 * blanks and comments, and errors that name the line they are on.
 */
import { YamlSyntaxError } from "./yaml_tree.ts";

/** The characters that end a plain scalar inside a flow collection. */
export const FLOW_INDICATORS = ",[]{}";

/** A space, a line break or the end of the text. */
export const isBlank = (c: string | undefined): boolean =>
  c === undefined || c === " " || c === "\n";

/** A cursor over one document's text. */
export class YamlCursor {
  protected src: string;
  protected pos = 0;
  protected lineStarts: number[] = [0];

  constructor(src: string) {
    this.src = src;
    for (let i = src.indexOf("\n"); i !== -1; i = src.indexOf("\n", i + 1)) {
      this.lineStarts.push(i + 1);
    }
  }

  protected fail(message: string, pos = this.pos): never {
    throw new YamlSyntaxError(message, this.lineOf(pos));
  }

  protected lineOf(pos: number): number {
    let lo = 0, hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid]! <= pos) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  }

  protected col(pos = this.pos): number {
    return pos - this.lineStarts[this.lineOf(pos) - 1]!;
  }

  protected peek(offset = 0): string | undefined {
    return this.src[this.pos + offset];
  }

  protected atEnd(): boolean {
    return this.pos >= this.src.length;
  }

  /** At the end of the line's content: its end, the text's end, or a comment. */
  protected atLineEnd(): boolean {
    const c = this.peek();
    return c === undefined || c === "\n" || c === "#";
  }

  /** `---` or `...` at the start of a line, followed by a blank. */
  protected marker(m: string): boolean {
    return this.col() === 0 && this.src.startsWith(m, this.pos) && isBlank(this.peek(3));
  }

  /** Skips spaces and line breaks; returns how many line breaks. */
  protected skipBreaks(): number {
    let breaks = 0;
    for (let c = this.peek(); c === "\n" || c === " "; c = this.peek()) {
      if (c === "\n") breaks++;
      this.pos++;
    }
    return breaks;
  }

  protected skipSpaces(): void {
    while (this.peek() === " ") this.pos++;
  }

  /** Skips spaces, line breaks and comments (a `#` after a blank or at a line's start). */
  protected skipBlank(): void {
    for (;;) {
      const c = this.peek();
      if (c === " " || c === "\n") this.pos++;
      else if (c === "#" && (this.pos === 0 || isBlank(this.src[this.pos - 1]))) {
        const end = this.src.indexOf("\n", this.pos);
        this.pos = end === -1 ? this.src.length : end;
      } else return;
    }
  }

  /** After a node on its line: only spaces and a comment may follow. */
  protected endOfLine(): void {
    this.skipSpaces();
    if (this.peek() === "#" && this.src[this.pos - 1] !== " " && this.col() !== 0) {
      this.fail("Comments must be separated from other tokens by white space characters");
    }
    if (!this.atLineEnd()) this.fail("Unexpected scalar at node end");
  }
}
