import assert from "node:assert/strict";
import { shutdownStep, type ShutdownView } from "../../src/supervisor/shutdown_step.ts";

/** a ← b ← c: b is after a, c is after b (start order a, b, c). */
const ORDER = ["a", "b", "c"];
const DEPENDENTS: Record<string, string[]> = { a: ["b"], b: ["c"], c: [] };

function step(views: Record<string, ShutdownView>) {
  return shutdownStep(ORDER, (n) => DEPENDENTS[n] ?? [], (n) => views[n]);
}

const up = (pid: number): ShutdownView => ({ state: "running", pid, inetdRunning: 0 });
const down = (state: ShutdownView["state"]): ShutdownView => ({ state, inetdRunning: 0 });

const CASES: Array<[string, Record<string, ShutdownView>, string[], boolean]> = [
  [
    "everything runs: only the last dependent may stop",
    { a: up(1), b: up(2), c: up(3) },
    ["c"],
    true,
  ],
  [
    "the dependent is stopping: nothing more yet",
    {
      a: up(1),
      b: up(2),
      c: { state: "stopping", pid: 3, inetdRunning: 0 },
    },
    [],
    true,
  ],
  [
    "the dependent is down: the next one may stop",
    {
      a: up(1),
      b: up(2),
      c: down("idle"),
    },
    ["b"],
    true,
  ],
  [
    "an attached pid keeps a dependent up",
    {
      a: up(1),
      b: { state: "finished", mainPid: 7, inetdRunning: 0 },
      c: down("finished"),
    },
    ["b"],
    true,
  ],
  [
    "waiting, backoff and scheduled services stop without a process",
    {
      a: down("scheduled"),
      b: down("backoff"),
      c: down("waiting"),
    },
    ["a", "b", "c"],
    false,
  ],
  [
    "finished and failed services without a process are left alone",
    {
      a: down("finished"),
      b: down("failed"),
      c: down("idle"),
    },
    [],
    false,
  ],
  [
    "inetd connections keep a service live",
    {
      a: { state: "scheduled", inetdRunning: 2 },
      b: down("idle"),
      c: down("idle"),
    },
    ["a"],
    true,
  ],
  [
    "an unknown dependent counts as down",
    {
      a: up(1),
    },
    ["a"],
    true,
  ],
];

for (const [when, views, stop, anyLive] of CASES) {
  Deno.test(`shutdownStep() decides what to stop when ${when}`, () => {
    assert.deepEqual(step(views), { stop, anyLive });
  });
}
