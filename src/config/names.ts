/**
 * What a service or logging section may be called, and what an environment variable may be
 * called (issue-proofing the names that reach file names, status tables and execve()).
 *
 * A section name becomes a file name (the notify socket `<dir>/<name>`), a syslog tag and a
 * row of `ctl status`: so no `/` (it would leave the socket directory), no control characters
 * (a newline splits a status row or a log line) and at most MAX_NAME_BYTES bytes. A variable
 * name cannot hold `=` (the environment would read `A=B=value` as `A` = `B=value`) or a
 * control character, and no value can hold NUL (execve() would cut it there).
 */

/** Longest service or logging section name, suffix included, in UTF-8 bytes. */
export const MAX_NAME_BYTES = 200;

const CONTROL_REGEXP = /[\p{Cc}\u2028\u2029]/u;
const CONTROLS_REGEXP = /[\p{Cc}\u2028\u2029]/gu;
const NAMED: Readonly<Record<string, string>> = { "\n": "\\n", "\r": "\\r", "\t": "\\t" };
const encoder = new TextEncoder();

/** `text` with control characters written as escapes (`\n`, `\x1b`, `\u2028`), for messages. */
export function escapeControls(text: string): string {
  return text.replace(CONTROLS_REGEXP, (c) => {
    const code = c.codePointAt(0)!;
    return NAMED[c] ??
      (code < 0x100
        ? `\\x${code.toString(16).padStart(2, "0")}`
        : `\\u${code.toString(16).padStart(4, "0")}`);
  });
}

/** True when `text` holds a control character (C0, DEL, C1, or a Unicode line separator). */
export function hasControl(text: string): boolean {
  return CONTROL_REGEXP.test(text);
}

/** Why `name` cannot name a service or logging section; undefined when it can. */
export function sectionNameProblem(name: string): string | undefined {
  if (name.includes("/")) return "a name may not contain '/'";
  if (hasControl(name)) return "a name may not contain control characters";
  const bytes = encoder.encode(name).length;
  if (bytes > MAX_NAME_BYTES) {
    return `a name may be at most ${MAX_NAME_BYTES} bytes long (this one has ${bytes})`;
  }
  return undefined;
}

/** Why `name` cannot be an environment variable's name; undefined when it can. */
export function envNameProblem(name: string): string | undefined {
  if (name === "") return "a variable name cannot be empty";
  if (name.includes("=")) {
    const [left] = name.split("=", 1);
    return `'${
      escapeControls(name)
    }' is not a variable name: it contains '=' (to set ${left}, write '${left}: value')`;
  }
  if (hasControl(name)) {
    return `'${escapeControls(name)}' is not a variable name: it contains control characters`;
  }
  return undefined;
}

/** Why `pattern` (an env_inherit/env_unset glob) can match no variable; undefined when it can. */
export function envPatternProblem(pattern: string): string | undefined {
  if (pattern.includes("=") || hasControl(pattern)) {
    return `'${
      escapeControls(pattern)
    }' matches no variable: names cannot contain '=' or control characters`;
  }
  return undefined;
}
