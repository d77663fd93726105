/**
 * The scalars of our YAML reader (yaml_parse.ts): plain (a line at a time), single- and
 * double-quoted (folded over lines, with escapes), and literal (`|`) or folded (`>`) block
 * scalars with their chomping and indentation indicators.
 */
import { FLOW_INDICATORS, isBlank, YamlCursor } from "./yaml_cursor.ts";
import { plainValue, type ScalarValue, type YamlScalar } from "./yaml_tree.ts";

const ESCAPES: Record<string, string> = {
  "0": "\0",
  a: "\x07",
  b: "\b",
  t: "\t",
  "\t": "\t",
  n: "\n",
  v: "\v",
  f: "\f",
  r: "\r",
  e: "\x1b",
  " ": " ",
  '"': '"',
  "/": "/",
  "\\": "\\",
  N: "\x85",
  _: "\xa0",
  L: "\u2028",
  P: "\u2029",
};
const HEX_ESCAPES: Record<string, number> = { x: 2, u: 4, U: 8 };

/** A scalar just read: its node, whether it was plain, and its text as written. */
export interface Read {
  readonly node: YamlScalar;
  readonly plain: boolean;
  readonly text: string;
}

/** Reads scalars; the structure is read by the Parser built on it. */
export class YamlScalarReader extends YamlCursor {
  /** Set by a `!!str` tag: the next scalar stays text, however it reads. */
  protected asText = false;

  /** A plain scalar's value; text after `!!str`. */
  protected plainValue(text: string): ScalarValue {
    return this.asText ? text : plainValue(text);
  }

  /** A quoted scalar, or the first line of a plain one; `plain` says which. */
  protected scalar(parent: number, flow: boolean): Read {
    const line = this.lineOf(this.pos);
    const c = this.peek();
    if (c === "'" || c === '"') {
      const value = this.quoted(parent, flow);
      return { node: { kind: "scalar", value, plain: false, line }, plain: false, text: value };
    }
    const text = this.plainLine(flow);
    const node: YamlScalar = { kind: "scalar", value: this.plainValue(text), plain: true, line };
    return { node, plain: true, text };
  }

  /** `: value` with no key: the key is null. */
  protected emptyKey(): Read | undefined {
    if (this.peek() !== ":" || !isBlank(this.peek(1))) return undefined;
    const node: YamlScalar = {
      kind: "scalar",
      value: null,
      plain: true,
      line: this.lineOf(this.pos),
    };
    return { node, plain: false, text: "" };
  }

  /** One line of a plain scalar, up to `: `, ` #`, the line's end (and `,[]{}` in flow). */
  protected plainLine(flow: boolean, continued = false): string {
    const start = this.pos;
    const c = this.peek();
    if (!continued && (c === undefined || "#&*!|>'\"%@`,[]{}".includes(c))) {
      this.fail(`Plain value cannot start with reserved character ${c}`);
    }
    const next = this.peek(1);
    if (
      !continued && (c === "-" || c === "?" || c === ":") &&
      (isBlank(next) || (flow && FLOW_INDICATORS.includes(next!)))
    ) {
      if (c === "?") this.fail("Complex mapping keys (?) are not supported");
      this.fail(`Plain value cannot start with ${c} followed by a blank`);
    }
    for (;;) {
      const ch = this.peek();
      if (ch === undefined || ch === "\n") break;
      if (ch === ":") {
        const next = this.peek(1);
        if (isBlank(next) || (flow && FLOW_INDICATORS.includes(next!))) break;
      } else if (ch === "#" && this.src[this.pos - 1] === " ") break;
      else if (flow && FLOW_INDICATORS.includes(ch)) break;
      this.pos++;
    }
    return this.src.slice(start, this.pos).trimEnd();
  }

  /**
   * A single- or double-quoted scalar (pos on the quote), folded over lines. In block context
   * its continuation lines must be indented more than `parent`.
   */
  protected quoted(parent: number, flow: boolean): string {
    const start = this.pos;
    const quote = this.peek()!;
    this.pos++;
    let out = "";
    let keep = 0; // out[0, keep) is never trimmed (escaped characters)
    for (;;) {
      const c = this.peek();
      if (c === undefined) this.fail(`Missing closing ${quote}quote`);
      this.pos++;
      if (c === quote) {
        if (quote === "'" && this.peek() === "'") {
          this.pos++;
          out += "'";
          keep = out.length;
          continue;
        }
        return out;
      }
      if (c === "\n") {
        out = out.slice(0, keep) + out.slice(keep).trimEnd();
        let breaks = 1;
        for (;;) {
          while (this.peek() === " ") this.pos++;
          if (this.peek() !== "\n") break;
          breaks++;
          this.pos++;
        }
        if (!flow && !this.atEnd() && this.col() <= parent) {
          this.fail(`Missing closing ${quote}quote`, start);
        }
        if (this.marker("---") || this.marker("...")) {
          this.fail(`Missing closing ${quote}quote`);
        }
        out += breaks === 1 ? " " : "\n".repeat(breaks - 1);
        keep = out.length;
        continue;
      }
      if (quote === '"' && c === "\\") {
        out += this.escape();
        keep = out.length;
        continue;
      }
      out += c;
    }
  }

  /** After a backslash in a double-quoted scalar. */
  protected escape(): string {
    const c = this.peek();
    if (c === "\n") {
      // An escaped line break: the next line's indentation goes too, and no space is added.
      this.pos++;
      while (this.peek() === " ") this.pos++;
      return "";
    }
    const simple = c === undefined ? undefined : ESCAPES[c];
    if (simple !== undefined) {
      this.pos++;
      return simple;
    }
    const digits = c === undefined ? undefined : HEX_ESCAPES[c];
    const hex = this.src.slice(this.pos + 1, this.pos + 1 + (digits ?? 0));
    if (digits === undefined || !new RegExp(`^[0-9a-fA-F]{${digits}}$`).test(hex)) {
      this.fail(`Invalid escape sequence \\${c ?? ""}`);
    }
    this.pos += 1 + digits;
    return String.fromCodePoint(parseInt(hex, 16));
  }

  /** A literal (`|`) or folded (`>`) block scalar; pos on the indicator. */
  protected blockScalar(parent: number): YamlScalar {
    const line = this.lineOf(this.pos);
    const folded = this.peek() === ">";
    this.pos++;
    let chomp: "clip" | "strip" | "keep" = "clip";
    let explicit = 0;
    for (let i = 0; i < 2; i++) {
      const c = this.peek();
      if (c === "-" || c === "+") chomp = c === "-" ? "strip" : "keep";
      else if (c !== undefined && c >= "1" && c <= "9") explicit = Number(c);
      else break;
      this.pos++;
    }
    this.endOfLine();
    const end = this.src.indexOf("\n", this.pos);
    this.pos = end === -1 ? this.src.length : end + 1;
    const lines: string[] = [];
    let indent = explicit > 0 ? Math.max(parent, 0) + explicit : -1;
    while (!this.atEnd()) {
      const eol = this.src.indexOf("\n", this.pos);
      const text = this.src.slice(this.pos, eol === -1 ? undefined : eol);
      const spaces = text.length - text.trimStart().length;
      if (text.trim() === "") lines.push("");
      else {
        if (indent < 0) indent = spaces > parent ? spaces : Infinity;
        if (spaces < indent) break;
        lines.push(text.slice(indent));
      }
      this.pos = eol === -1 ? this.src.length : eol + 1;
    }
    let last = lines.length;
    while (last > 0 && lines[last - 1] === "") last--;
    const body = lines.slice(0, last);
    let value = folded ? fold(body) : body.join("\n");
    const trailing = lines.length - last;
    if (chomp === "keep") value += "\n".repeat(body.length > 0 ? trailing + 1 : trailing);
    else if (chomp === "clip" && body.length > 0) value += "\n";
    return { kind: "scalar", value, plain: false, line };
  }
}

/**
 * Folds the lines of a `>` scalar: a break between two lines of text becomes a space, each empty
 * line a break, and lines indented further ("more-indented") keep their breaks.
 */
function fold(lines: readonly string[]): string {
  let out = "";
  let prevText = false;
  let empties = 0;
  let started = false;
  for (const line of lines) {
    if (line === "") {
      empties++;
      continue;
    }
    const text = !line.startsWith(" ");
    if (!started) out += "\n".repeat(empties);
    else if (prevText && text) out += empties > 0 ? "\n".repeat(empties) : " ";
    else out += "\n".repeat(empties + 1);
    out += line;
    prevText = text;
    empties = 0;
    started = true;
  }
  return out;
}

/** Joins the next line of a multi-line scalar: one break is a space, each further one a break. */
export function foldLines(text: string, breaks: number, more: string): string {
  return text + (breaks === 1 ? ` ${more}` : "\n".repeat(breaks - 1) + more);
}
