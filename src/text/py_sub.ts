/**
 * Python's `re.sub` on top of JavaScript RegExp, for `$(V:/re/repl/)` (docs/environment.md):
 * replacement templates follow `re.sub` (`\1`..`\99`, `\g<n>`, `\g<name>`, `\n` and friends, and
 * `\0` is a NUL), and empty matches advance as Python's do. Patterns come from py_regex.ts.
 */
import { ASCII_LETTER_REGEXP, DIGIT_REGEXP, OCTAL_REGEXP, readOctal } from "./py_regex.ts";

const TEMPLATE_ESCAPES: Readonly<Record<string, string>> = {
  a: "\x07",
  b: "\b",
  f: "\f",
  n: "\n",
  r: "\r",
  t: "\t",
  v: "\v",
  "\\": "\\",
};
const IDENTIFIER_REGEXP = /^[\p{L}_][\p{L}\p{N}_]*$/u;

type TemplatePart = string | { readonly group: number | string };

/** Parses a Python replacement template against the groups `regexp` defines. */
function parseTemplate(regexp: RegExp, template: string): TemplatePart[] {
  const probe = new RegExp(`${regexp.source}|`, regexp.flags.replace("g", "")).exec("");
  const groupCount = (probe?.length ?? 1) - 1;
  const names = new Set(Object.keys(probe?.groups ?? {}));
  const chars = [...template];
  const parts: TemplatePart[] = [];
  const checkGroup = (index: number): void => {
    if (index > groupCount) throw new SyntaxError(`invalid group reference ${index}`);
    parts.push({ group: index });
  };
  let i = 0;
  while (i < chars.length) {
    const c = chars[i] as string;
    i += 1;
    if (c !== "\\") {
      parts.push(c);
      continue;
    }
    const e = chars[i];
    if (e === undefined) throw new SyntaxError("bad escape (end of pattern)");
    i += 1;
    if (e === "g") {
      if (chars[i] !== "<") throw new SyntaxError("missing <");
      const end = chars.indexOf(">", i);
      if (end < 0) throw new SyntaxError("missing >, unterminated name");
      const name = chars.slice(i + 1, end).join("");
      i = end + 1;
      if (name === "") throw new SyntaxError("missing group name");
      if (/^[0-9]+$/.test(name)) checkGroup(parseInt(name, 10));
      else if (!IDENTIFIER_REGEXP.test(name)) {
        throw new SyntaxError(`bad character in group name '${name}'`);
      } else if (!names.has(name)) throw new SyntaxError(`unknown group name '${name}'`);
      else parts.push({ group: name });
    } else if (e === "0") {
      const [code, used] = readOctal(chars, i, 2);
      i += used;
      parts.push(String.fromCharCode(code));
    } else if (DIGIT_REGEXP.test(e)) {
      const next = chars[i];
      if (next !== undefined && DIGIT_REGEXP.test(next)) {
        if (
          OCTAL_REGEXP.test(e) && OCTAL_REGEXP.test(next) && OCTAL_REGEXP.test(chars[i + 1] ?? "")
        ) {
          const [code] = readOctal(chars, i - 1, 3);
          i += 2;
          parts.push(String.fromCharCode(code));
          continue;
        }
        i += 1;
        checkGroup(parseInt(e + next, 10));
      } else {
        checkGroup(parseInt(e, 10));
      }
    } else if (e in TEMPLATE_ESCAPES) {
      parts.push(TEMPLATE_ESCAPES[e] as string);
    } else if (ASCII_LETTER_REGEXP.test(e)) {
      throw new SyntaxError(`bad escape \\${e}`);
    } else {
      // Python keeps unknown non-letter escapes as written, backslash included.
      parts.push(`\\${e}`);
    }
  }
  return parts;
}

/**
 * The match `re.sub` finds at or after `pos`. After an empty match Python searches again from the
 * same position but rejects an empty match there (sre's `must_advance`), where JavaScript skips
 * one character; so `re.sub("|/", "", "s/")` is `"s"`, and JavaScript alone would give `"s/"`.
 */
function nextMatch(
  regexp: RegExp,
  text: string,
  pos: number,
  mustAdvance: boolean,
): RegExpExecArray | null {
  if (mustAdvance) {
    // Sticky at pos, and the lookbehind demands that the match ends past pos (in code points).
    const before = [...text.slice(0, pos)].length;
    const flags = regexp.flags.replace("g", "") + "y";
    const nonEmpty = new RegExp(`(?:${regexp.source})(?<=^[\\s\\S]{${before + 1},})`, flags);
    nonEmpty.lastIndex = pos;
    const m = nonEmpty.exec(text);
    if (m !== null) return m;
    if (pos >= text.length) return null;
    pos += (text.codePointAt(pos) as number) > 0xffff ? 2 : 1;
  }
  regexp.lastIndex = pos;
  return regexp.exec(text);
}

/** Replaces every match of `regexp` in `text` using a Python `re.sub` template; throws SyntaxError. */
export function pySub(regexp: RegExp, template: string, text: string): string {
  const parts = parseTemplate(regexp, template);
  const global = new RegExp(
    regexp.source,
    regexp.flags.includes("g") ? regexp.flags : `${regexp.flags}g`,
  );
  let out = "";
  let last = 0;
  let mustAdvance = false;
  for (
    let m = nextMatch(global, text, 0, false);
    m !== null;
    m = nextMatch(global, text, last, mustAdvance)
  ) {
    out += text.slice(last, m.index);
    for (const part of parts) {
      if (typeof part === "string") out += part;
      else if (typeof part.group === "number") out += m[part.group] ?? "";
      else out += m.groups?.[part.group] ?? "";
    }
    last = m.index + m[0].length;
    mustAdvance = m[0].length === 0;
  }
  return out + text.slice(last);
}
