/**
 * A strict logfmt parser for the tests: `key=value` pairs separated by single spaces, a value
 * bare (no space, `=`, `"`, `\` or control character) or double-quoted with the escapes `\"`,
 * `\\`, `\n`, `\r`, `\t` and `\uXXXX`. Anything else throws, so a test that parses every line
 * fails on the first one that a real logfmt reader would misread.
 */

const NAMED: Readonly<Record<string, string>> = {
  '"': '"',
  "\\": "\\",
  n: "\n",
  r: "\r",
  t: "\t",
};

/** Parses one logfmt line into its pairs, in order; throws on anything malformed. */
export function parseLogfmt(line: string): Record<string, string> {
  const out: Record<string, string> = {};
  let i = 0;
  const fail = (why: string): never => {
    throw new SyntaxError(`logfmt: ${why} at ${i} in ${JSON.stringify(line)}`);
  };
  while (i < line.length) {
    const eq = line.indexOf("=", i);
    if (eq <= i) fail("expected key=");
    const key = line.slice(i, eq);
    if (!/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(key)) fail(`bad key ${JSON.stringify(key)}`);
    if (Object.hasOwn(out, key)) fail(`duplicate key ${key}`);
    i = eq + 1;
    let value = "";
    if (line[i] === '"') {
      i++;
      for (;;) {
        if (i >= line.length) fail("unterminated quoted value");
        const c = line[i]!;
        const code = c.charCodeAt(0);
        if (code < 0x20 || (code >= 0x7f && code <= 0x9f)) fail("raw control character");
        if (c === '"') {
          i++;
          break;
        }
        if (c === "\\") {
          const e = line[i + 1] ?? "";
          if (e === "u") {
            const hex = line.slice(i + 2, i + 6);
            if (!/^[0-9a-fA-F]{4}$/.test(hex)) fail("bad \\u escape");
            value += String.fromCharCode(parseInt(hex, 16));
            i += 6;
          } else if (Object.hasOwn(NAMED, e)) {
            value += NAMED[e];
            i += 2;
          } else {
            fail(`bad escape \\${e}`);
          }
          continue;
        }
        value += c;
        i++;
      }
    } else {
      const start = i;
      while (i < line.length && line[i] !== " ") {
        const code = line.charCodeAt(i);
        if (code <= 0x20 || code === 0x3d || code === 0x22 || code === 0x5c) fail("unquoted");
        if (code >= 0x7f && code <= 0x9f) fail("raw control character");
        i++;
      }
      value = line.slice(start, i);
      if (value === "") fail("empty bare value");
    }
    out[key] = value;
    if (i < line.length) {
      if (line[i] !== " ") fail("expected a space");
      i++;
      if (i === line.length) fail("trailing space");
    }
  }
  return out;
}
