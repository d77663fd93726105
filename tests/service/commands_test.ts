import assert from "node:assert/strict";
import { commandRefusal, refusalsOf } from "../../src/service/commands.ts";
import { snap } from "../_helpers/snapshots.ts";

Deno.test("refusalsOf() stop refuses a service that is not started or failed, unless forced", () => {
  assert.deepEqual(refusalsOf("stop", snap("a", "idle"), {}), ["not-started"]);
  assert.deepEqual(refusalsOf("stop", snap("a", "failed"), {}), ["not-started"]);
  assert.deepEqual(refusalsOf("stop", snap("a", "running"), {}), []);
  assert.deepEqual(refusalsOf("stop", snap("a", "idle"), { force: true }), []);
});

Deno.test("refusalsOf() reset refuses only while the spawned process lives", () => {
  assert.deepEqual(refusalsOf("reset", snap("a", "running", { pid: 3 }), {}), ["running"]);
  assert.deepEqual(refusalsOf("reset", snap("a", "running", { mainPid: 3 }), {}), []);
  assert.deepEqual(refusalsOf("reset", snap("a", "failed"), {}), []);
});

Deno.test("refusalsOf() start refuses a disabled service (unless --enable) and a started one", () => {
  const disabled = snap("a", "idle", { enabled: false });
  assert.deepEqual(refusalsOf("start", disabled, {}), ["disabled"]);
  assert.deepEqual(refusalsOf("start", disabled, { enable: true }), []);
  assert.deepEqual(refusalsOf("start", snap("a", "finished"), {}), ["started"]);
  assert.deepEqual(refusalsOf("start", snap("a", "finished"), { force: true }), []);
});

Deno.test("commandRefusal() names every service of the first refusal, without .service", () => {
  assert.equal(
    commandRefusal(
      "stop",
      [snap("a.service", "idle"), snap("b", "running"), snap("c", "failed")],
      {},
    ),
    "can't stop services which aren't started: a, c",
  );
  assert.equal(
    commandRefusal(
      "start",
      [snap("a.service", "running"), snap("b.service", "idle", { enabled: false })],
      {},
    ),
    "can only start services which have been enabled: b",
    "a disabled service is reported before a started one",
  );
  assert.equal(commandRefusal("restart", [snap("a", "running")], {}), undefined);
});
