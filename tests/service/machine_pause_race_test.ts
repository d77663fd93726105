/**
 * transition(): an exit handled after the startup pause ran out, before its timer was delivered
 * (found by the reliability suite's crash loop on a busy machine).
 */
import assert from "node:assert/strict";
import { type MachineSpec, transition } from "../../src/service/machine.ts";
import { initialSnapshot, type ServiceSnapshot } from "../../src/service/state.ts";

const SPEC: MachineSpec = {
  name: "crash.service",
  type: "simple",
  restart: { mode: "on-failure", limit: 5, delayMs: 10, backoff: 1, maxDelayMs: 60_000 },
  processTimeoutMs: 30_000,
  startupPauseMs: 500,
  ignoreFailures: false,
  exitKills: false,
  stopTimeoutMs: 8000,
  command: "crash",
};

const EXIT1 = { code: 1, signal: null };

function starting(spec: MachineSpec, runStartedAt: number): ServiceSnapshot {
  return {
    ...initialSnapshot(spec.name, { restartLimit: spec.restart.limit, enabled: true }),
    state: "pausing",
    pid: 42,
    runStartedAt,
  };
}

const CASES: Array<{ name: string; spec?: Partial<MachineSpec>; now: number; to: string }> = [
  {
    name: "an exit 600 ms into a 500 ms pause is a crash after start-up",
    now: 1600,
    to: "backoff",
  },
  { name: "an exit 100 ms into a 500 ms pause is a failed start", now: 1100, to: "failed" },
  {
    name: "with startup_pause 0 every exit is a crash after start-up",
    spec: { startupPauseMs: 0 },
    now: 1000,
    to: "backoff",
  },
  {
    name: "a pidfile service still waits for its pidfile (no shortcut)",
    spec: { pidfile: "/run/x.pid" },
    now: 1600,
    to: "failed",
  },
];

for (const c of CASES) {
  Deno.test(`transition(): ${c.name}`, () => {
    const spec = { ...SPEC, ...c.spec };
    const { next, effects } = transition(
      starting(spec, 1000),
      { type: "exited", pid: 42, status: EXIT1 },
      spec,
      c.now,
    );
    assert.equal(next.state, c.to);
    const settled = effects.filter((e) => e.type === "settled");
    assert.equal(settled.length, 1, JSON.stringify(effects));
    if (c.to === "backoff") {
      // The start succeeded, then the run ended and a restart is scheduled.
      assert.deepEqual(settled[0], { type: "settled", ok: true });
      assert.ok(effects.some((e) => e.type === "set-timer" && e.timer === "restart"));
      assert.equal(next.pid, undefined);
    } else {
      assert.equal((settled[0] as { ok: boolean }).ok, false);
    }
  });
}
