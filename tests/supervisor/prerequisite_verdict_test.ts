import assert from "node:assert/strict";
import {
  isReady,
  prerequisiteVerdict,
  type PrerequisiteView,
} from "../../src/supervisor/prerequisite_verdict.ts";
import type { ServiceState } from "../../src/service/state.ts";

const on = (state: ServiceState): PrerequisiteView => ({ enabled: true, snap: { state } });
const off = (state: ServiceState): PrerequisiteView => ({ enabled: false, snap: { state } });

const VERDICTS: Array<
  [
    string,
    string[],
    Record<string, PrerequisiteView>,
    string[],
    ReturnType<typeof prerequisiteVerdict>,
  ]
> = [
  ["there are no prerequisites", [], {}, [], "ready"],
  [
    "every prerequisite is up",
    ["a", "b", "c"],
    {
      a: on("running"),
      b: on("finished"),
      c: on("scheduled"),
    },
    [],
    "ready",
  ],
  [
    "a prerequisite is still starting",
    ["a", "b"],
    { a: on("running"), b: on("starting") },
    [],
    "wait",
  ],
  ["a prerequisite failed", ["a", "b"], { a: on("failed"), b: on("starting") }, [], {
    failed: "a",
  }],
  ["a failed prerequisite is disabled", ["a"], { a: off("failed") }, [], "ready"],
  ["a prerequisite is unknown", ["x"], {}, [], "ready"],
  ["an idle prerequisite was never asked to start", ["a"], { a: on("idle") }, [], "ready"],
  ["an idle prerequisite is part of the start-up", ["a"], { a: on("idle") }, ["a"], "wait"],
  ["a prerequisite waits for a restart", ["a"], { a: on("backoff") }, [], "wait"],
];

for (const [when, prereqs, views, pending, expected] of VERDICTS) {
  Deno.test(`prerequisiteVerdict() answers when ${when}`, () => {
    assert.deepEqual(prerequisiteVerdict(prereqs, (n) => views[n], new Set(pending)), expected);
  });
}

/** web → app → db */
const PREREQS: Record<string, string[]> = { web: ["app"], app: ["db"], db: [] };
const ready = (views: Record<string, PrerequisiteView>, name = "web") =>
  isReady(name, (n) => PREREQS[n] ?? [], (n) => views[n]);

const READY: Array<[string, Record<string, PrerequisiteView>, boolean]> = [
  ["the service runs", { web: on("running"), app: on("failed"), db: on("failed") }, true],
  [
    "the service is disabled",
    { web: off("running"), app: on("running"), db: on("running") },
    false,
  ],
  ["the service failed", { web: on("failed"), app: on("running"), db: on("running") }, false],
  [
    "its chain of prerequisites is up",
    { web: on("idle"), app: on("idle"), db: on("finished") },
    true,
  ],
  [
    "a prerequisite two steps away failed",
    { web: on("idle"), app: on("idle"), db: on("failed") },
    false,
  ],
  [
    "the failed prerequisite is disabled",
    { web: on("idle"), app: on("idle"), db: off("failed") },
    true,
  ],
];

for (const [when, views, expected] of READY) {
  Deno.test(`isReady() is ${expected} when ${when}`, () => {
    assert.equal(ready(views), expected);
  });
}
