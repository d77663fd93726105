import assert from "node:assert/strict";
import { globMatch, globMatchAny, globToRegExp } from "../../src/config/glob.ts";

// [name, pattern, expected]: expected values produced by Python 3's fnmatch.fnmatchcase.
const CASES: ReadonlyArray<readonly [string, string, boolean]> = [
  ["abc", "a*", true],
  ["abc", "A*", false],
  ["a\nb", "a*b", true],
  ["abc", "a?c", true],
  ["ac", "a?c", false],
  ["abc", "[ab]bc", true],
  ["cbc", "[!ab]bc", true],
  ["abc", "[!ab]bc", false],
  ["]", "[]]", true],
  ["a", "[]a]", true],
  ["[x", "[x", true],
  ["b", "[z-a]", false],
  ["b", "[!z-a]", true],
  ["-", "[a-]", true],
  ["-", "[c-b-a]", true],
  ["a", "[c-b-a]", true],
  ["b", "[c-b-a]", false],
  ["a\\b", "a\\b", true],
  ["a.b", "a.b", true],
  ["axb", "a.b", false],
  ["PATH", "P*", true],
  ["path", "P*", false],
  ["a|b", "a|b", true],
  ["(x)", "(x)", true],
  ["é", "?", true],
  ["😀", "?", true],
  ["^", "[^]", true],
  ["!", "[!!]", false],
  ["x", "[!!]", true],
  ["", "*", true],
  ["", "?", false],
  ["abc", "*c", true],
  ["b", "[a-c]", true],
  ["d", "[a-c]", false],
  ["\\", "[\\]", true],
  ["{a}", "{a}", true],
  ["abcabc", "**c", true],
  ["ab", "a", false],
];

for (const [name, pattern, expected] of CASES) {
  Deno.test(`globMatch() gives ${expected} for ${JSON.stringify(name)} against ${JSON.stringify(pattern)}`, () => {
    assert.equal(globMatch(name, pattern), expected);
  });
}

Deno.test("globMatch() ignores case when asked, lower-casing both sides", () => {
  assert.equal(globMatch("Alpha", "AL*", { ignoreCase: true }), true);
  assert.equal(globMatch("alpha", "[A-C]lpha", { ignoreCase: true }), true);
  assert.equal(globMatch("Alpha", "AL*"), false);
});

Deno.test("globMatchAny() matches when any pattern matches", () => {
  assert.equal(globMatchAny("HOME", ["PATH", "H*"]), true);
  assert.equal(globMatchAny("HOME", ["PATH", "X*"]), false);
  assert.equal(globMatchAny("HOME", []), false);
});

Deno.test("globToRegExp() anchors the whole name", () => {
  assert.equal(globToRegExp("b").test("abc"), false);
  assert.equal(globToRegExp("*b*").test("abc"), true);
});
