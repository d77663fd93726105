import assert from "node:assert/strict";
import { closestName, didYouMean, editDistance } from "../../src/config/suggest.ts";

Deno.test("editDistance() counts a swap of neighbours as one edit", () => {
  assert.equal(editDistance("restrat", "restart"), 1);
  assert.equal(editDistance("comand", "command"), 1);
  assert.equal(editDistance("", "abc"), 3);
  assert.equal(editDistance("kitten", "sitting"), 3);
  assert.equal(editDistance("same", "same"), 0);
});

Deno.test("closestName() picks the nearest candidate within a third of the length, at most 3", () => {
  const directives = ["command", "restart", "restart_delay", "restart_limit", "uid", "gid"];
  assert.equal(closestName("comand", directives), "command");
  assert.equal(closestName("Restart_Dealy", directives), "restart_delay");
  assert.equal(closestName("ui", directives), "uid");
  assert.equal(closestName("xyz", directives), undefined);
  assert.equal(closestName("databse.service", ["db.service"]), undefined, "too far apart");
});

Deno.test("didYouMean() formats the hint, or nothing", () => {
  assert.equal(didYouMean("restrat", ["restart"]), " (did you mean 'restart'?)");
  assert.equal(didYouMean("zzz", ["restart"]), "");
});
