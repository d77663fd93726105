import assert from "node:assert/strict";
import { BUDGET_REFILL_MS, decideRestart, type RestartPolicy } from "../../src/service/restart.ts";

const ON: RestartPolicy = { enabled: true, limit: 3, delayMs: 250 };
const EXIT0 = { code: 0, signal: null };
const EXIT1 = { code: 1, signal: null };

const CASES: Array<
  [
    string,
    RestartPolicy,
    { left: number; runStartedAt?: number },
    typeof EXIT0 | undefined,
    number,
    ReturnType<typeof decideRestart>,
  ]
> = [
  [
    "a crash with budget left is retried, one restart used",
    ON,
    { left: 3, runStartedAt: 0 },
    EXIT1,
    1000,
    {
      restart: true,
      delayMs: 250,
      left: 2,
    },
  ],
  ["the last restart is used", ON, { left: 1, runStartedAt: 0 }, EXIT1, 1000, {
    restart: true,
    delayMs: 250,
    left: 0,
  }],
  ["a spent budget gives up", ON, { left: 0, runStartedAt: 0 }, EXIT1, 1000, {
    restart: false,
    left: 0,
  }],
  ["restart off gives up", { ...ON, enabled: false }, { left: 3 }, EXIT1, 0, {
    restart: false,
    left: 3,
  }],
  ["a clean exit is not restarted and refills the budget", ON, { left: 1 }, EXIT0, 0, {
    restart: false,
    left: 3,
  }],
  [
    "a run that stayed up 60 s refills the budget first (Decision 10)",
    ON,
    {
      left: 0,
      runStartedAt: 0,
    },
    EXIT1,
    BUDGET_REFILL_MS,
    { restart: true, delayMs: 250, left: 2 },
  ],
  ["a failed spawn (no exit status) uses a restart", ON, { left: 2 }, undefined, 0, {
    restart: true,
    delayMs: 250,
    left: 1,
  }],
];

for (const [when, policy, history, exit, now, expected] of CASES) {
  Deno.test(`decideRestart(): ${when}`, () => {
    assert.deepEqual(decideRestart(policy, history, exit, now), expected);
  });
}
