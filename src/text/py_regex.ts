/**
 * Python `re` dialect on top of JavaScript RegExp. Configurations written for the original
 * chaperone use Python regular expressions in `$(V:/re/repl/)` expansions and in the `/regex/`
 * terms of logging selectors, so patterns are translated rather than passed through:
 * `(?P<n>...)`, `(?P=n)`, `\A`, `\Z`, Python's `$` (end, or before a final newline), leading
 * inline flags `(?aimsx)`, Unicode `\w`/`\d`/`\b`, octal escapes, literal `{` and `]`, and `\`
 * before any punctuation. Replacements with `re.sub`'s templates are in py_sub.ts.
 */
import { errorMessage } from "./error_message.ts";

/** Options for {@linkcode compilePyRegex}. */
export interface PyRegexOptions {
  /** Same as a leading `(?i)`. */
  readonly ignoreCase?: boolean;
}

interface Flags {
  ignoreCase: boolean;
  dotAll: boolean;
  multiline: boolean;
  verbose: boolean;
  ascii: boolean;
}

const WORD = "[\\p{L}\\p{N}_]";
const JS_SYNTAX = "^$\\.*+?()[]{}|/";
const ESCAPES: Readonly<Record<string, string>> = {
  a: "\\x07",
  f: "\\f",
  n: "\\n",
  r: "\\r",
  t: "\\t",
  v: "\\v",
};
// Shared with py_sub.ts, which reads escapes in replacement templates the same way.
export const ASCII_LETTER_REGEXP = /^[A-Za-z]$/;
export const OCTAL_REGEXP = /^[0-7]$/;
export const DIGIT_REGEXP = /^[0-9]$/;
const HEX_REGEXP = /^[0-9A-Fa-f]+$/;
const QUANTIFIER_REGEXP = /^\{(\d*)(?:(,)(\d*))?\}/;
const LEADING_FLAGS_REGEXP = /^\(\?([aiLmsux]+)\)/;

function codeEscape(code: number): string {
  return `\\u{${code.toString(16)}}`;
}

/** Reads the hex digits of `\x`, `\u` or `\U` at `chars[at...]`. */
function readHex(chars: readonly string[], at: number, count: number, escape: string): number {
  const digits = chars.slice(at, at + count).join("");
  if (digits.length !== count || !HEX_REGEXP.test(digits)) {
    throw new SyntaxError(`Invalid Python regex: incomplete escape \\${escape}${digits}`);
  }
  return parseInt(digits, 16);
}

/** Reads up to `max` octal digits after position `at`; returns the code and the digits used. */
export function readOctal(chars: readonly string[], at: number, max: number): [number, number] {
  let used = 0;
  while (used < max && OCTAL_REGEXP.test(chars[at + used] ?? "")) used += 1;
  const code = parseInt(chars.slice(at, at + used).join("") || "0", 8);
  if (code > 0o377) {
    throw new SyntaxError(`Invalid Python regex: octal escape value outside of range 0-0o377`);
  }
  return [code, used];
}

class Translator {
  readonly #chars: readonly string[];
  readonly #flags: Flags;
  #pos = 0;
  #out = "";
  /** Open groups, innermost last: the group number, or 0 for a non-capturing group. */
  readonly #open: number[] = [];
  #groups = 0;
  readonly #closed = new Set<number>();
  readonly #names = new Map<string, number>();

  constructor(pattern: string, flags: Flags) {
    this.#chars = [...pattern];
    this.#flags = flags;
  }

  translate(): string {
    while (this.#pos < this.#chars.length) this.#step();
    return this.#out;
  }

  #peek(offset = 0): string | undefined {
    return this.#chars[this.#pos + offset];
  }

  #rest(): string {
    return this.#chars.slice(this.#pos).join("");
  }

  #step(): void {
    const c = this.#chars[this.#pos] as string;
    this.#pos += 1;
    if (this.#flags.verbose && /\s/.test(c)) return;
    if (this.#flags.verbose && c === "#") {
      while (this.#pos < this.#chars.length && this.#peek() !== "\n") this.#pos += 1;
      return;
    }
    switch (c) {
      case "\\":
        this.#out += this.#escape(false);
        return;
      case "[":
        this.#characterClass();
        return;
      case "(":
        this.#group();
        return;
      case ")": {
        const group = this.#open.pop();
        if (group === undefined) {
          throw new SyntaxError("Invalid Python regex: unbalanced parenthesis");
        }
        this.#closed.add(group);
        this.#out += ")";
        return;
      }
      case "{": {
        const m = QUANTIFIER_REGEXP.exec(`{${this.#rest()}`);
        if (m && m[0] !== "{}") {
          // Python accepts {,n} (and {,}) where JavaScript needs an explicit minimum.
          const lo = m[1] || "0";
          this.#out += m[2] ? `{${lo},${m[3] ?? ""}}` : `{${lo}}`;
          this.#pos += m[0].length - 1;
        } else {
          this.#out += "\\{";
        }
        return;
      }
      case "}":
      case "]":
        this.#out += `\\${c}`;
        return;
      case ".":
        this.#out += this.#flags.dotAll ? "[\\s\\S]" : "[^\\n]";
        return;
      case "^":
        this.#out += this.#flags.multiline ? "(?:(?<![\\s\\S])|(?<=\\n))" : "(?<![\\s\\S])";
        return;
      case "$":
        this.#out += this.#flags.multiline ? "(?=\\n|(?![\\s\\S]))" : "(?=\\n?(?![\\s\\S]))";
        return;
      default:
        this.#out += c;
    }
  }

  #group(): void {
    if (this.#peek() !== "?") {
      this.#groups += 1;
      this.#open.push(this.#groups);
      this.#out += "(";
      return;
    }
    const rest = this.#rest();
    const named = /^\?P<([^>]*)>/.exec(rest);
    if (named) {
      this.#groups += 1;
      this.#open.push(this.#groups);
      this.#names.set(named[1] as string, this.#groups);
      this.#out += `(?<${named[1]}>`;
      this.#pos += named[0].length;
      return;
    }
    const backref = /^\?P=([^)]*)\)/.exec(rest);
    if (backref) {
      const group = this.#names.get(backref[1] as string);
      if (group === undefined) {
        throw new SyntaxError(`Invalid Python regex: unknown group name '${backref[1]}'`);
      }
      this.#checkReference(group);
      this.#out += `\\k<${backref[1]}>`;
      this.#pos += backref[0].length;
      return;
    }
    if (rest.startsWith("?#")) {
      const end = rest.indexOf(")");
      if (end < 0) throw new SyntaxError("Invalid Python regex: missing ), unterminated comment");
      this.#pos += [...rest.slice(0, end + 1)].length;
      return;
    }
    if (/^\?[aiLmsux]+\)/.test(rest)) {
      throw new SyntaxError(
        "Invalid Python regex: global flags not at the start of the expression",
      );
    }
    // (?:, (?=, (?!, (?<=, (?<! and scoped flags (?i:...) mean the same in both dialects.
    this.#open.push(0);
    this.#out += "(";
  }

  /** Python only accepts references to groups that are already closed. */
  #checkReference(group: number): void {
    if (this.#closed.has(group)) return;
    throw new SyntaxError(
      group <= this.#groups
        ? "Invalid Python regex: cannot refer to an open group"
        : `Invalid Python regex: invalid group reference ${group}`,
    );
  }

  #characterClass(): void {
    let out = "[";
    if (this.#peek() === "^") {
      out += "^";
      this.#pos += 1;
    }
    // A `]` first in the set is a literal in Python.
    if (this.#peek() === "]") {
      out += "\\]";
      this.#pos += 1;
    }
    for (;;) {
      const c = this.#peek();
      if (c === undefined) {
        throw new SyntaxError("Invalid Python regex: unterminated character set");
      }
      this.#pos += 1;
      if (c === "]") break;
      if (c === "\\") out += this.#escape(true);
      else if (c === "[") out += "\\[";
      else out += c;
    }
    this.#out += `${out}]`;
  }

  /** Translates the escape after a backslash (already consumed). */
  #escape(inClass: boolean): string {
    const e = this.#peek();
    if (e === undefined) throw new SyntaxError("Invalid Python regex: bad escape (end of pattern)");
    this.#pos += 1;
    const ascii = this.#flags.ascii;
    switch (e) {
      case "A":
      case "Z":
        if (inClass) throw new SyntaxError(`Invalid Python regex: bad escape \\${e}`);
        return e === "A" ? "(?<![\\s\\S])" : "(?![\\s\\S])";
      case "b":
        if (inClass) return "\\x08";
        return ascii ? "\\b" : `(?:(?<=${WORD})(?!${WORD})|(?<!${WORD})(?=${WORD}))`;
      case "B":
        if (inClass) throw new SyntaxError("Invalid Python regex: bad escape \\B");
        return ascii ? "\\B" : `(?:(?<=${WORD})(?=${WORD})|(?<!${WORD})(?!${WORD}))`;
      case "d":
        return ascii ? "\\d" : "\\p{Nd}";
      case "D":
        return ascii ? "\\D" : "\\P{Nd}";
      case "w":
        if (ascii) return "\\w";
        return inClass ? "\\p{L}\\p{N}_" : WORD;
      case "W":
        // Inside a set JavaScript (without the v flag) cannot subtract, so \W stays ASCII there.
        if (ascii || inClass) return "\\W";
        return "[^\\p{L}\\p{N}_]";
      case "s":
      case "S":
        return `\\${e}`;
      case "x":
        return this.#hex(2, e);
      case "u":
        return this.#hex(4, e);
      case "U":
        return this.#hex(8, e);
      default:
        break;
    }
    if (e in ESCAPES) return ESCAPES[e] as string;
    if (e === "0" || (inClass && OCTAL_REGEXP.test(e))) {
      const [code, used] = readOctal(this.#chars, this.#pos - 1, 3);
      this.#pos += used - 1;
      return codeEscape(code);
    }
    if (DIGIT_REGEXP.test(e)) {
      if (inClass) throw new SyntaxError(`Invalid Python regex: bad escape \\${e}`);
      let group = e;
      const next = this.#peek();
      if (next !== undefined && DIGIT_REGEXP.test(next)) {
        if (
          OCTAL_REGEXP.test(e) && OCTAL_REGEXP.test(next) && OCTAL_REGEXP.test(this.#peek(1) ?? "")
        ) {
          const [code] = readOctal(this.#chars, this.#pos - 1, 3);
          this.#pos += 2;
          return codeEscape(code);
        }
        group += next;
        this.#pos += 1;
      }
      this.#checkReference(parseInt(group, 10));
      // The empty group keeps a following literal digit out of the reference.
      return `\\${group}(?:)`;
    }
    if (ASCII_LETTER_REGEXP.test(e)) {
      throw new SyntaxError(`Invalid Python regex: bad escape \\${e}`);
    }
    if (JS_SYNTAX.includes(e) || (inClass && e === "-")) return `\\${e}`;
    return codeEscape(e.codePointAt(0) as number);
  }

  #hex(count: number, escape: string): string {
    const code = readHex(this.#chars, this.#pos, count, escape);
    this.#pos += count;
    return codeEscape(code);
  }
}

/**
 * Compiles a Python-dialect pattern to a Unicode JavaScript RegExp; throws SyntaxError. Not
 * global, so `test()` keeps no state between records (pySub makes its own global copy).
 */
export function compilePyRegex(pattern: string, options: PyRegexOptions = {}): RegExp {
  const flags: Flags = {
    ignoreCase: options.ignoreCase ?? false,
    dotAll: false,
    multiline: false,
    verbose: false,
    ascii: false,
  };
  let body = pattern;
  for (let m = LEADING_FLAGS_REGEXP.exec(body); m; m = LEADING_FLAGS_REGEXP.exec(body)) {
    for (const f of m[1] as string) {
      if (f === "i") flags.ignoreCase = true;
      else if (f === "s") flags.dotAll = true;
      else if (f === "m") flags.multiline = true;
      else if (f === "x") flags.verbose = true;
      else if (f === "a") flags.ascii = true;
    }
    body = body.slice(m[0].length);
  }
  const source = new Translator(body, flags).translate();
  try {
    return new RegExp(source, flags.ignoreCase ? "iu" : "u");
  } catch (error) {
    throw new SyntaxError(`Invalid Python regex '${pattern}': ${errorMessage(error)}`, {
      cause: error,
    });
  }
}
