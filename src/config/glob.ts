/**
 * Shell-style wildcard matching with Python `fnmatch` semantics, because `env_inherit`,
 * `env_unset` and the `$(V:|pat|a|b)` expansion were written against Python's module:
 * `*` (any run, newlines included), `?` (one character), `[...]` and `[!...]` sets with ranges,
 * a `]` first in a set is literal, an unclosed `[` is literal, and a reversed range matches nothing.
 * The whole name must match. Backslash has no special meaning.
 */

/** Options for {@linkcode globMatch} and {@linkcode globToRegExp}. */
export interface GlobOptions {
  /** Compare lower-cased name against lower-cased pattern (Python `fnmatch(v.lower(), p.lower())`). */
  readonly ignoreCase?: boolean;
}

const CACHE = new Map<string, RegExp>();
const SYNTAX_REGEXP = /[\^$\\.*+?()[\]{}|/]/g;
const CLASS_SPECIAL_REGEXP = /[\\\]\[^-]/g;

function escapeLiteral(text: string): string {
  return text.replace(SYNTAX_REGEXP, "\\$&");
}

function escapeClassChar(char: string): string {
  return char.replace(CLASS_SPECIAL_REGEXP, "\\$&");
}

/** Translates the inside of a `[...]` set (without the brackets or the leading `!`). */
function translateSet(body: readonly string[], negated: boolean): string {
  let items = "";
  let i = 0;
  while (i < body.length) {
    const lo = body[i] as string;
    const hi = body[i + 2];
    if (body[i + 1] === "-" && hi !== undefined) {
      // Python drops reversed ranges instead of failing to compile.
      if (lo <= hi) items += `${escapeClassChar(lo)}-${escapeClassChar(hi)}`;
      i += 3;
    } else {
      items += escapeClassChar(lo);
      i += 1;
    }
  }
  if (items === "") return negated ? "[\\s\\S]" : "(?!)";
  return `[${negated ? "^" : ""}${items}]`;
}

/** Translates a glob pattern to an anchored RegExp (code-point aware, `*` crosses newlines). */
export function globToRegExp(pattern: string, options: GlobOptions = {}): RegExp {
  const source = options.ignoreCase ? pattern.toLowerCase() : pattern;
  const chars = [...source];
  let out = "";
  let i = 0;
  while (i < chars.length) {
    const c = chars[i] as string;
    i += 1;
    if (c === "*") {
      // Consecutive stars are one star; it keeps the expression small.
      while (chars[i] === "*") i += 1;
      out += "[\\s\\S]*";
    } else if (c === "?") {
      out += "[\\s\\S]";
    } else if (c === "[") {
      let j = i;
      if (chars[j] === "!") j += 1;
      if (chars[j] === "]") j += 1;
      while (j < chars.length && chars[j] !== "]") j += 1;
      if (j >= chars.length) {
        out += "\\[";
      } else {
        const negated = chars[i] === "!";
        out += translateSet(chars.slice(negated ? i + 1 : i, j), negated);
        i = j + 1;
      }
    } else {
      out += escapeLiteral(c);
    }
  }
  return new RegExp(`^(?:${out})$`, "u");
}

/** Tells whether `name` matches the glob `pattern` (Python `fnmatch.fnmatchcase`, or lower-cased). */
export function globMatch(name: string, pattern: string, options: GlobOptions = {}): boolean {
  const key = `${options.ignoreCase ? "i" : "c"}${pattern}`;
  let regexp = CACHE.get(key);
  if (regexp === undefined) {
    regexp = globToRegExp(pattern, options);
    // Patterns come from configuration, so the set is small; the bound only guards misuse.
    if (CACHE.size > 1000) CACHE.clear();
    CACHE.set(key, regexp);
  }
  return regexp.test(options.ignoreCase ? name.toLowerCase() : name);
}

/** Tells whether `name` matches any of `patterns` (the `env_inherit`/`env_unset` rule). */
export function globMatchAny(
  name: string,
  patterns: readonly string[],
  options: GlobOptions = {},
): boolean {
  return patterns.some((pattern) => globMatch(name, pattern, options));
}
