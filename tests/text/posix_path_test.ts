/** src/text/posix_path.ts gives node:path's posix results on every pair of awkward paths. */
import assert from "node:assert/strict";
import { posix } from "node:path";
import { dirname, isAbsolute, join, resolve } from "../../src/text/posix_path.ts";

const SAMPLES = ["", "/", "//", "/a", "/a/", "/a//b", "a", "a/", "a/b/../c", "./x", "../x"];
const MORE = ["/a/./b/..", "a/../..", "/..", "x//y/", "/usr/local/bin", "bin"];

Deno.test("posix_path matches node:path's posix dirname, isAbsolute, join and resolve", () => {
  for (const a of [...SAMPLES, ...MORE]) {
    assert.equal(dirname(a), posix.dirname(a), `dirname(${a})`);
    assert.equal(isAbsolute(a), posix.isAbsolute(a), `isAbsolute(${a})`);
    for (const b of [...SAMPLES, ...MORE]) {
      assert.equal(join(a, b), posix.join(a, b), `join(${a}, ${b})`);
      assert.equal(resolve(a, b), posix.resolve(a, b), `resolve(${a}, ${b})`);
    }
  }
});
