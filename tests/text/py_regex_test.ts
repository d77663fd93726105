import assert from "node:assert/strict";
import { compilePyRegex } from "../../src/text/py_regex.ts";
import { pySub } from "../../src/text/py_sub.ts";

// [pattern, template, text, ignoreCase, expected]: expected values produced by Python 3.11 re.sub.
const SUB_CASES: ReadonlyArray<readonly [string, string, string, boolean, string]> = [
  ["umb", "oob", "number-1", false, "noober-1"],
  ["(a)(l)", "\\2\\1", "alpha", false, "lapha"],
  ["A", "X", "alpha", true, "XlphX"],
  ["^", "pre-", "alpha", false, "pre-alpha"],
  ["$", "-post", "alpha\n", false, "alpha-post\n-post"],
  [
    "(?P<first>\\w+) (?P<second>\\w+)",
    "\\g<second> \\g<first>",
    "hello world",
    false,
    "world hello",
  ],
  ["(?P<w>o)(?P=w)", "[\\g<w>]", "foo boot", false, "f[o] b[o]t"],
  ["\\Aa", "X", "aaa", false, "Xaa"],
  ["a\\Z", "X", "aaa", false, "aaX"],
  ["x*", "-", "axc", false, "-a--c-"],
  ["\\d+", "<\\g<0>>", "a1b22c\u0663", false, "a<1>b<22>c<\u0663>"],
  ["\\w+", "W", "h\u00e9llo w\u00f6rld", false, "W W"],
  ["\\bo", "0", "oh no", false, "0h no"],
  ["a.c", "X", "a\nc abc", false, "a\nc X"],
  ["(?s)a.c", "X", "a\nc abc", false, "X X"],
  ["(?m)^b", "B", "a\nb\nb", false, "a\nB\nB"],
  ["(?i)ALPHA", "x", "alpha", false, "x"],
  ["(?x) a b # comment", "X", "ab a b", false, "X a b"],
  ["a{2}", "X", "aaaa", false, "XX"],
  ["a{,2}", "X", "aaa", false, "XXX"],
  ["a{", "X", "a{", false, "X"],
  ["[]a]", "X", "]a", false, "XX"],
  ["[^]a]", "X", "]ab", false, "]aX"],
  ["\\-\\:\\ ", "X", "-: x", false, "Xx"],
  ["\\/", "(slash)", "a/b", false, "a(slash)b"],
  ["(a)", "\\0x", "a", false, "\u0000x"],
  ["((a)\\2)", "<\\1>", "aa", false, "<aa>"],
  ["(a)(?=b)\\1", "x", "ab", false, "ab"],
  ["(a)", "\\n\\t\\\\", "a", false, "\n\t\\"],
  ["(a)", "\\101", "a", false, "A"],
  ["(a)(b)?", "[\\2]", "a", false, "[]"],
  ["(a)", "\\&", "a", false, "\\&"],
  ["\u00e9", "e", "caf\u00e9", false, "cafe"],
  ["[\\d]", "D", "a1", false, "aD"],
  ["(?#comment)b", "B", "abc", false, "aBc"],
  ["\\x41\\u0042", "ok", "AB", false, "ok"],
  ["\\101", "ok", "A", false, "ok"],
  ["(a)\\1(0)", "x", "aa0", false, "x"],
  ["|/", "-", "s/", false, "-s---"],
  ["", "-", "ab", false, "-a-b-"],
  ["a|", "-", "baab", false, "-b---b-"],
  ["(?=a)|a", "-", "aa", false, "----"],
  ["\\b", "-", "ab cd", false, "-ab- -cd-"],
  ["", "-", "\u{1F600}a", false, "-\u{1F600}-a-"],
  ["|\u{1F600}", "-", "\u{1F600}a", false, "---a-"],
];

for (const [pattern, template, text, ignoreCase, expected] of SUB_CASES) {
  Deno.test(`pySub() replaces /${pattern}/ with ${JSON.stringify(template)} like re.sub`, () => {
    assert.equal(pySub(compilePyRegex(pattern, { ignoreCase }), template, text), expected);
  });
}

const TEMPLATE_ERRORS: ReadonlyArray<readonly [string, string, string]> = [
  ["(a)", "\\2", "invalid group reference 2"],
  ["(a)", "\\g<x>", "unknown group name 'x'"],
  ["(a)", "\\q", "bad escape \\q"],
  ["(a)", "\\", "bad escape (end of pattern)"],
  ["(a)", "\\g<1", "missing >, unterminated name"],
  ["(a)", "\\g<>", "missing group name"],
  ["(a)", "\\g<-1>", "bad character in group name '-1'"],
];

for (const [pattern, template, message] of TEMPLATE_ERRORS) {
  Deno.test(`pySub() rejects the template ${JSON.stringify(template)} with "${message}"`, () => {
    assert.throws(() => pySub(compilePyRegex(pattern), template, "a"), {
      name: "SyntaxError",
      message,
    });
  });
}

const INVALID_PATTERNS = [
  "[a",
  "(a",
  "a)",
  "a\\q",
  "(?i)a(?s)b",
  "\\1",
  "(a)\\10",
  "(a\\1)",
  "\\1(a)",
  "(?:a)\\1",
  "(?P<n>a(?P=n))",
  "(?P=n)(?P<n>a)",
];

for (const pattern of INVALID_PATTERNS) {
  Deno.test(`compilePyRegex() rejects the invalid pattern ${JSON.stringify(pattern)}`, () => {
    assert.throws(() => compilePyRegex(pattern), SyntaxError);
  });
}

Deno.test("compilePyRegex() returns a Unicode RegExp whose test() keeps no state", () => {
  const regexp = compilePyRegex("(?P<n>x)");
  assert.equal(regexp.global, false);
  assert.equal(regexp.unicode, true);
  // A global RegExp would resume at lastIndex and miss every other record.
  assert.deepEqual(["ax", "ax", "ax"].map((t) => regexp.test(t)), [true, true, true]);
  assert.equal(pySub(regexp, "y", "axbx"), "ayby");
});
