import assert from "node:assert/strict";
import {
  backoffDelay,
  BUDGET_REFILL_MS,
  decideRestart,
  type RestartPolicy,
} from "../../src/service/restart.ts";

const ON: RestartPolicy = {
  mode: "on-failure",
  limit: 3,
  delayMs: 250,
  backoff: 1,
  maxDelayMs: 60_000,
};

const CASES: Array<
  [
    string,
    RestartPolicy,
    { left: number; runStartedAt?: number; failures: number },
    boolean,
    number,
    ReturnType<typeof decideRestart>,
  ]
> = [
  [
    "a failure with budget left is retried, one restart used",
    ON,
    { left: 3, runStartedAt: 0, failures: 0 },
    true,
    1000,
    { restart: true, delayMs: 250, left: 2, failures: 1 },
  ],
  [
    "the last restart is used",
    ON,
    { left: 1, runStartedAt: 0, failures: 2 },
    true,
    1000,
    { restart: true, delayMs: 250, left: 0, failures: 3 },
  ],
  [
    "a spent budget gives up after the failures in a row",
    ON,
    { left: 0, runStartedAt: 0, failures: 3 },
    true,
    1000,
    { restart: false, left: 0, failures: 4 },
  ],
  [
    "never gives up at once",
    { ...ON, mode: "never" },
    { left: 3, failures: 0 },
    true,
    0,
    { restart: false, left: 3, failures: 1 },
  ],
  [
    "a clean exit is not restarted under on-failure and refills the budget",
    ON,
    { left: 1, failures: 2 },
    false,
    0,
    { restart: false, left: 3, failures: 0 },
  ],
  [
    "a clean exit is restarted under always, after restart_delay, without using the budget",
    { ...ON, mode: "always", backoff: 2 },
    { left: 1, failures: 2 },
    false,
    0,
    { restart: true, delayMs: 250, left: 3, failures: 0 },
  ],
  [
    "a run that stayed up 60 s refills the budget first (Decision 10)",
    ON,
    { left: 0, runStartedAt: 0, failures: 4 },
    true,
    BUDGET_REFILL_MS,
    { restart: true, delayMs: 250, left: 2, failures: 1 },
  ],
  [
    "a failed start (no run) uses a restart",
    ON,
    { left: 2, failures: 1 },
    true,
    0,
    { restart: true, delayMs: 250, left: 1, failures: 2 },
  ],
  [
    "backoff multiplies the delay by the restarts already used",
    { ...ON, limit: 5, backoff: 2 },
    { left: 3, failures: 2 },
    true,
    0,
    { restart: true, delayMs: 1000, left: 2, failures: 3 },
  ],
];

for (const [when, policy, history, failed, now, expected] of CASES) {
  Deno.test(`decideRestart(): ${when}`, () => {
    assert.deepEqual(decideRestart(policy, history, failed, now), expected);
  });
}

Deno.test("backoffDelay() grows by the factor, capped by restart_delay_max", () => {
  const policy = { ...ON, delayMs: 1000, backoff: 3, maxDelayMs: 10_000 };
  assert.deepEqual([0, 1, 2, 3, 4].map((used) => backoffDelay(policy, used)), [
    1000,
    3000,
    9000,
    10_000,
    10_000,
  ]);
});

Deno.test("backoffDelay() caps even the first delay at a restart_delay_max below it", () => {
  assert.equal(
    backoffDelay({ ...ON, delayMs: 120_000, backoff: 2, maxDelayMs: 30_000 }, 0),
    30_000,
  );
});
