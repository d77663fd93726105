import assert from "node:assert/strict";
import { quoteShellWord, splitShellWords } from "../../src/text/shell_words.ts";

// Expected values produced by Python 3's shlex.split / shlex.quote.
const SPLIT_CASES: ReadonlyArray<readonly [string, readonly string[]]> = [
  ["a b c", ["a", "b", "c"]],
  ["  lead  trail  ", ["lead", "trail"]],
  ["a 'b c' d", ["a", "b c", "d"]],
  ['a "b c" d', ["a", "b c", "d"]],
  ["a'b'c", ["abc"]],
  ["a\\ b", ["a b"]],
  ["a # b", ["a", "#", "b"]],
  ["''", [""]],
  ['a "" b', ["a", "", "b"]],
  ['"a\\"b"', ['a"b']],
  ['"a\\b"', ["a\\b"]],
  ["'a\\b'", ["a\\b"]],
  ['"a\\\\b"', ["a\\b"]],
  ["x\\\ny", ["x\ny"]],
  ["tab\there\r\nnext", ["tab", "here", "next"]],
  ['"$HOME" *', ["$HOME", "*"]],
  ["", []],
  ["   ", []],
  ["é ü", ["é", "ü"]],
];

for (const [input, expected] of SPLIT_CASES) {
  Deno.test(`splitShellWords() splits ${JSON.stringify(input)} like shlex.split`, () => {
    assert.deepEqual(splitShellWords(input), expected);
  });
}

const ERROR_CASES: ReadonlyArray<readonly [string, string]> = [
  ["it'\"'\"'s", "No closing quotation"],
  ['a "b', "No closing quotation"],
  ["a 'b", "No closing quotation"],
  ["a\\", "No escaped character"],
  ['"a\\', "No escaped character"],
];

for (const [input, message] of ERROR_CASES) {
  Deno.test(`splitShellWords() throws "${message}" for ${JSON.stringify(input)}`, () => {
    assert.throws(() => splitShellWords(input), { name: "SyntaxError", message });
  });
}

const QUOTE_CASES: ReadonlyArray<readonly [string, string]> = [
  ["", "''"],
  ["abc", "abc"],
  ["a b", "'a b'"],
  ["it's", `'it'"'"'s'`],
  ["a@b%c+d=e:f,g./h-i", "a@b%c+d=e:f,g./h-i"],
  ["é", "'é'"],
  ["$x", "'$x'"],
  ["a\nb", "'a\nb'"],
];

for (const [input, expected] of QUOTE_CASES) {
  Deno.test(`quoteShellWord() quotes ${JSON.stringify(input)} like shlex.quote`, () => {
    assert.equal(quoteShellWord(input), expected);
  });
}

Deno.test("quoteShellWord() output reads back as the same word through splitShellWords()", () => {
  for (const word of ["", "plain", "two words", "it's", `"double"`, "back\\slash", "new\nline"]) {
    assert.deepEqual(splitShellWords(`x ${quoteShellWord(word)} y`), ["x", word, "y"]);
  }
});
