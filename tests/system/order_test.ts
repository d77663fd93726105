import assert from "node:assert/strict";
import type { ServiceSnapshot, ServiceState } from "../../src/service/state.ts";
import { isReady, shutdownStep, startVerdict } from "../../src/system/order.ts";
import { snap } from "../_helpers/snapshots.ts";

const on = (state: ServiceState, more: Partial<ServiceSnapshot> = {}) => snap("x", state, more);
const off = (state: ServiceState) => snap("x", state, { enabled: false });

const VERDICTS: Array<
  [string, string[], Record<string, ServiceSnapshot>, string[], ReturnType<typeof startVerdict>]
> = [
  ["there are no prerequisites", [], {}, [], "ready"],
  [
    "every prerequisite is up",
    ["a", "b", "c", "d"],
    { a: on("running"), b: on("finished"), c: on("scheduled"), d: on("job-running") },
    [],
    "ready",
  ],
  [
    "a prerequisite is still starting",
    ["a", "b"],
    { a: on("running"), b: on("pausing") },
    [],
    "wait",
  ],
  ["a notify prerequisite awaits READY", ["a"], { a: on("awaiting-ready") }, [], "wait"],
  ["a prerequisite failed", ["a", "b"], { a: on("failed"), b: on("spawning") }, [], {
    failed: "a",
  }],
  ["a failed prerequisite is disabled", ["a"], { a: off("failed") }, [], "ready"],
  ["a prerequisite is unknown", ["x"], {}, [], "ready"],
  ["an idle prerequisite was never asked to start", ["a"], { a: on("idle") }, [], "ready"],
  ["an idle prerequisite is part of the start-up", ["a"], { a: on("idle") }, ["a"], "wait"],
  ["a prerequisite waits for a restart", ["a"], { a: on("backoff") }, [], "wait"],
];

for (const [when, prereqs, snaps, pending, expected] of VERDICTS) {
  Deno.test(`startVerdict() answers when ${when}`, () => {
    assert.deepEqual(startVerdict(prereqs, (n) => snaps[n], new Set(pending)), expected);
  });
}

/** web → app → db */
const PREREQS: Record<string, string[]> = { web: ["app"], app: ["db"], db: [] };
const ready = (snaps: Record<string, ServiceSnapshot>, name = "web") =>
  isReady(name, (n) => PREREQS[n] ?? [], (n) => snaps[n]);

const READY: Array<[string, Record<string, ServiceSnapshot>, boolean]> = [
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

for (const [when, snaps, expected] of READY) {
  Deno.test(`isReady() is ${expected} when ${when}`, () => {
    assert.equal(ready(snaps), expected);
  });
}

/** a ← b ← c: b is after a, c is after b (start order a, b, c). */
const ORDER = ["a", "b", "c"];
const DEPENDENTS: Record<string, string[]> = { a: ["b"], b: ["c"], c: [] };
const step = (snaps: Record<string, ServiceSnapshot>) =>
  shutdownStep(ORDER, (n) => DEPENDENTS[n] ?? [], (n) => snaps[n]);
const up = (pid: number) => on("running", { pid });

const SHUTDOWN: Array<[string, Record<string, ServiceSnapshot>, string[], boolean]> = [
  ["everything runs: only the last dependent may stop", { a: up(1), b: up(2), c: up(3) }, [
    "c",
  ], true],
  [
    "the dependent is stopping: nothing more yet",
    { a: up(1), b: up(2), c: on("stopping", { pid: 3 }) },
    [],
    true,
  ],
  ["the dependent is down: the next one may stop", { a: up(1), b: up(2), c: on("idle") }, [
    "b",
  ], true],
  [
    "an attached pid keeps a dependent up",
    { a: up(1), b: on("finished", { mainPid: 7 }), c: on("finished") },
    ["b"],
    true,
  ],
  [
    "waiting, backoff and scheduled services stop without a process",
    { a: on("scheduled"), b: on("backoff"), c: on("waiting") },
    ["a", "b", "c"],
    false,
  ],
  [
    "a start under way is stopped too (its process may be on its way)",
    { a: on("spawning"), b: on("idle"), c: on("opening") },
    ["a", "c"],
    false,
  ],
  [
    "finished and failed services without a process are left alone",
    { a: on("finished"), b: on("failed"), c: on("idle") },
    [],
    false,
  ],
  [
    "inetd connections keep a service live",
    { a: on("scheduled", { connections: 2 }), b: on("idle"), c: on("idle") },
    ["a"],
    true,
  ],
  ["a cron job being stopped counts as live", { a: on("job-stopping", { pid: 4 }) }, [], true],
  ["an unknown dependent counts as down", { a: up(1) }, ["a"], true],
];

for (const [when, snaps, stop, anyLive] of SHUTDOWN) {
  Deno.test(`shutdownStep() decides what to stop when ${when}`, () => {
    assert.deepEqual(step(snaps), { stop, anyLive });
  });
}
