/** `restart:` policies, `restart_backoff` and `restart_delay_max` (Decision 21 in docs/migration.md). */
import assert from "node:assert/strict";
import { configOf, problemsOf } from "./_pipeline.ts";
import { FILE } from "./_pipeline.ts";
import { restartPolicyOf } from "../../src/config/resolve_restart.ts";

function restartOf(directives: string, type = "simple") {
  const [s] = configOf(`a.service: { type: ${type}, command: x, ${directives} }`).services;
  assert.ok(s);
  return {
    restart: s.restart,
    policy: s.restartPolicy,
    backoff: s.restartBackoff,
    max: s.restartDelayMax,
  };
}

Deno.test("restart: booleans keep their meaning; the new words are policies", () => {
  const cases: Array<[string, boolean, string]> = [
    ["restart: true", true, "on-failure"],
    ["restart: yes", true, "on-failure"],
    ["restart: On", true, "on-failure"],
    ["restart: false", false, "never"],
    ["restart: no", false, "never"],
    ["", false, "never"],
    ["restart: on-failure", true, "on-failure"],
    ["restart: always", true, "always"],
    ["restart: never", false, "never"],
  ];
  for (const [written, restart, policy] of cases) {
    const r = restartOf(written);
    assert.equal(r.restart, restart, written);
    assert.equal(r.policy, policy, written);
  }
  assert.equal(restartOf("restart: always", "notify").policy, "always");
  assert.equal(restartOf("restart: always", "forking").policy, "always");
  assert.equal(restartPolicyOf(undefined), "never");
});

Deno.test("restart: an unknown policy is an error with a suggestion", () => {
  assert.deepEqual(problemsOf("a.service: { command: x,\n  restart: alwyas }"), [
    `${FILE}:2: a.service: restart: expected true, false, on-failure, always or never, got "alwyas" (did you mean 'always'?)`,
  ]);
  assert.deepEqual(problemsOf("a.service: { command: x, restart: onfailure }"), [
    `${FILE}:1: a.service: restart: expected true, false, on-failure, always or never, got "onfailure" (did you mean 'on-failure'?)`,
  ]);
  assert.deepEqual(problemsOf("a.service: { command: x, restart: 1 }"), [
    `${FILE}:1: a.service: restart: expected true, false, on-failure, always or never, got 1`,
  ]);
});

Deno.test("restart: always is an error on types that are meant to end, naming the ones that accept it", () => {
  const text = [
    "a.service: { type: oneshot, command: x, restart: always }",
    "b.service: { type: cron, interval: '@daily', command: x, restart: always }",
    "c.service: { type: inetd, port: 8080, command: x, restart: always }",
    "d.service: { type: cron, interval: '@daily', command: x, restart: on-failure }",
  ].join("\n");
  assert.deepEqual(problemsOf(text), [
    `${FILE}:1: a.service: restart: 'always' applies only to simple, notify and forking services; this one is oneshot`,
    `${FILE}:2: b.service: restart: 'always' applies only to simple, notify and forking services; this one is cron`,
    `${FILE}:3: c.service: restart: 'always' applies only to simple, notify and forking services; this one is inetd`,
  ]);
});

Deno.test("restart_backoff: a factor of at least 1, default 1", () => {
  assert.equal(restartOf("").backoff, 1);
  assert.equal(restartOf("restart_backoff: 2").backoff, 2);
  assert.equal(restartOf("restart_backoff: 1.5").backoff, 1.5);
  assert.deepEqual(
    problemsOf(
      "a.service: { command: x, restart_backoff: 0.5 }\nb.service: { command: x, restart_backoff: fast }\nc.service: { command: x, restart_backoff: -2 }",
    ),
    [
      `${FILE}:1: a.service: restart_backoff: expected a factor of at least 1 (1 keeps the delay fixed), got 0.5`,
      `${FILE}:2: b.service: restart_backoff: expected a factor of at least 1 (1 keeps the delay fixed), got "fast"`,
      `${FILE}:3: c.service: restart_backoff: expected a factor of at least 1 (1 keeps the delay fixed), got -2`,
    ],
  );
});

Deno.test("restart_delay_max: seconds >= 0, default 60 (or a longer restart_delay)", () => {
  assert.equal(restartOf("").max, 60);
  assert.equal(restartOf("restart_delay_max: 2.5").max, 2.5);
  assert.equal(restartOf("restart_delay_max: 0").max, 0);
  // Written for the original, a long fixed delay stays as it was.
  assert.equal(restartOf("restart_delay: 120").max, 120);
  // A written cap wins even over a longer restart_delay.
  assert.equal(restartOf("restart_delay: 120, restart_delay_max: 30").max, 30);
  assert.deepEqual(problemsOf("a.service: { command: x, restart_delay_max: -1 }"), [
    `${FILE}:1: a.service: restart_delay_max: expected a non-negative number, got -1`,
  ]);
});

Deno.test("restart directives: misspelt names get a suggestion", () => {
  assert.deepEqual(
    problemsOf("a.service: { command: x, restart_bakoff: 2, restart_delay_mx: 9 }"),
    [
      `${FILE}:1: a.service: restart_bakoff: unknown directive (did you mean 'restart_backoff'?)`,
      `${FILE}:1: a.service: restart_delay_mx: unknown directive (did you mean 'restart_delay_max'?)`,
    ],
  );
});
