import assert from "node:assert/strict";
import { ambiguousOptionMessage, matchLongOption } from "../../src/sys/long_option.ts";

const KNOWN = ["--xprefix", "--xgrouping", "--shell-enable", "--strip", "--wait", "--wait-ready"];

Deno.test("matchLongOption() takes an exact name, else the one name a prefix abbreviates", () => {
  assert.deepEqual(matchLongOption("--strip", KNOWN), { kind: "found", name: "--strip" });
  assert.deepEqual(matchLongOption("--xgroup", KNOWN), { kind: "found", name: "--xgrouping" });
  assert.deepEqual(matchLongOption("--sh", KNOWN), { kind: "found", name: "--shell-enable" });
  // An exact name wins over the longer names it is a prefix of.
  assert.deepEqual(matchLongOption("--wait", KNOWN), { kind: "found", name: "--wait" });
  // Bare names work the same (the control protocol's command options).
  assert.deepEqual(matchLongOption("en", ["enable", "force"]), { kind: "found", name: "enable" });
});

Deno.test("matchLongOption() names every candidate of an ambiguous prefix", () => {
  assert.deepEqual(matchLongOption("--x", KNOWN), {
    kind: "ambiguous",
    candidates: ["--xprefix", "--xgrouping"],
  });
  assert.deepEqual(matchLongOption("--s", KNOWN), {
    kind: "ambiguous",
    candidates: ["--shell-enable", "--strip"],
  });
  assert.equal(
    ambiguousOptionMessage("--x", ["--xprefix", "--xgrouping"]),
    "--x is not a unique prefix: --xprefix, --xgrouping?",
  );
});

Deno.test("matchLongOption() knows nothing of an empty name or a name no option starts with", () => {
  assert.deepEqual(matchLongOption("--", KNOWN), { kind: "unknown" });
  assert.deepEqual(matchLongOption("", ["enable"]), { kind: "unknown" });
  assert.deepEqual(matchLongOption("--xgroupings", KNOWN), { kind: "unknown" });
  assert.deepEqual(matchLongOption("--help", KNOWN), { kind: "unknown" });
});
