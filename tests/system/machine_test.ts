/**
 * The system machine (src/system/machine.ts): start-up, settles, shutdown, the look after each
 * drained queue (`quiet`), detect-exit and the host's STATUS= line, row by row.
 */
import assert from "node:assert/strict";
import type { ServiceSnapshot } from "../../src/service/state.ts";
import {
  exitVerdict,
  hostStatusLine,
  INITIAL_SYSTEM,
  type SystemEffect,
  type SystemEvent,
  type SystemSnapshot,
  systemTransition,
  type SystemWorld,
} from "../../src/system/machine.ts";
import { snap } from "../_helpers/snapshots.ts";

/** A world of `services` where `b` starts after `a` and `c` is in the IDLE group. */
function world(services: ServiceSnapshot[], more: Partial<SystemWorld> = {}): SystemWorld {
  const after: Record<string, string[]> = { b: ["a"] };
  return {
    services,
    prerequisitesOf: (n) => after[n] ?? [],
    dependentsOf: (n) => Object.keys(after).filter((d) => after[d]!.includes(n)),
    isIdleGroup: (n) => n === "c",
    hasChildren: () => false,
    detectExit: true,
    ...more,
  };
}

function run(events: SystemEvent[], from: SystemSnapshot = INITIAL_SYSTEM, now = 0) {
  let s = from;
  const effects: SystemEffect[] = [];
  for (const e of events) {
    const t = systemTransition(s, e, now);
    s = t.next;
    effects.push(...t.effects);
  }
  return { s, effects };
}

const types = (fx: SystemEffect[]) =>
  fx.map((f) =>
    f.type === "service"
      ? `${f.name}:${f.event.type}`
      : f.type === "host"
      ? `host:${f.message}`
      : f.type === "log"
      ? `log:${f.level}`
      : f.type
  );

Deno.test("systemTransition() start sends start to every enabled service and waits for them", () => {
  const { s, effects } = run([{ type: "start", services: ["a", "b"], detectExit: true }]);
  assert.equal(s.phase, "starting");
  assert.deepEqual([...s.pending], ["a", "b"]);
  assert.deepEqual(types(effects), ["a:start", "b:start"]);
});

Deno.test("systemTransition() the last settle completes the start-up: READY=1 to the host", () => {
  const { s, effects } = run([
    { type: "start", services: ["a", "b"], detectExit: true },
    { type: "settled", name: "a", ok: true },
    { type: "settled", name: "b", ok: true },
  ]);
  assert.equal(s.phase, "running");
  assert.deepEqual(types(effects).slice(2), ["log:info", "host:READY=1", "host-status"]);
});

Deno.test("systemTransition() a failed start cancels the start-up naming the service", () => {
  const { s, effects } = run(
    [
      { type: "start", services: ["a.service", "b"], detectExit: true },
      { type: "settled", name: "a.service", ok: false, reason: "executable '/x' not found" },
    ],
    INITIAL_SYSTEM,
    42,
  );
  assert.equal(s.phase, "stopping");
  assert.deepEqual(s.ending, { code: 1, reason: "a.service: executable '/x' not found" });
  assert.equal(s.shutdownStartedAt, 42);
  const log = effects.find((f) => f.type === "log" && f.level === "crit");
  assert.ok(log?.type === "log");
  assert.equal(
    log.message,
    "system startup cancelled due to error: a.service: executable '/x' not found",
  );
  assert.ok(types(effects).includes("host:ERRNO=1"));
  assert.ok(types(effects).includes("host:STOPPING=1"));
});

Deno.test("systemTransition() a reason that names the service is not prefixed again", () => {
  const { s } = run([
    { type: "start", services: ["a"], detectExit: true },
    { type: "settled", name: "a", ok: false, reason: "a failed on start-up" },
  ]);
  assert.equal(s.startupFailure, "a failed on start-up");
});

Deno.test("systemTransition() no enabled service with detect-exit: one warning, then a shutdown", () => {
  const { s, effects } = run([{ type: "start", services: [], detectExit: true }]);
  assert.equal(s.phase, "stopping");
  assert.deepEqual(s.ending, { code: 0, reason: "no services enabled" });
  assert.ok(
    effects.some((f) => f.type === "log" && /No service startups attempted/.test(f.message)),
  );
});

Deno.test("systemTransition() a second forced shutdown kills everything; a plain one does not", () => {
  const ending = { code: 130, reason: "SIGINT" };
  const forced = run([
    { type: "shutdown", ending, forced: true },
    { type: "shutdown", ending, forced: true },
  ]);
  assert.ok(types(forced.effects).includes("kill-everything"));
  const plain = run([
    { type: "shutdown", ending, forced: false },
    { type: "shutdown", ending, forced: true },
  ]);
  assert.ok(!types(plain.effects).includes("kill-everything"));
  assert.equal(plain.s.forced, true);
  assert.deepEqual(plain.s.ending, ending, "the first request's ending stands");
});

Deno.test("systemTransition() quiet starts a waiting service once its prerequisite is up", () => {
  const started = run([{ type: "start", services: ["a", "b"], detectExit: true }]).s;
  const waiting = run([{
    type: "quiet",
    world: world([snap("a", "pausing"), snap("b", "waiting")]),
  }], started);
  assert.deepEqual(types(waiting.effects), []);
  const ready = run([{
    type: "quiet",
    world: world([snap("a", "running"), snap("b", "waiting")]),
  }], started);
  assert.deepEqual(types(ready.effects), ["b:deps-ready"]);
  const failed = run([{
    type: "quiet",
    world: world([snap("a", "failed"), snap("b", "waiting")]),
  }], started);
  assert.deepEqual(types(failed.effects), ["b:deps-failed"]);
});

Deno.test("systemTransition() the IDLE group waits for one idle delay as a whole", () => {
  const w = world([snap("c", "waiting")]);
  const first = run([{ type: "quiet", world: w }, { type: "quiet", world: w }]);
  assert.deepEqual(types(first.effects), ["idle-timer"], "one timer, no start yet");
  const over = run([{ type: "idle-delay-over" }, { type: "quiet", world: w }], first.s);
  assert.deepEqual(types(over.effects), ["c:deps-ready"]);
});

Deno.test("systemTransition() a shutdown stops dependents first, then sweeps once nothing runs", () => {
  const stopping = run([{ type: "shutdown", ending: { code: 0, reason: "t" }, forced: false }]).s;
  const first = run([{
    type: "quiet",
    world: world([snap("a", "running", { pid: 1 }), snap("b", "running", { pid: 2 })]),
  }], stopping);
  assert.deepEqual(types(first.effects), ["b:stop"]);
  const last = run(
    [{ type: "quiet", world: world([snap("a", "idle"), snap("b", "idle")]) }],
    stopping,
  );
  assert.deepEqual(types(last.effects), ["sweep"]);
  assert.equal(last.s.phase, "sweeping");
  const end = run([{ type: "sweep-done" }], last.s);
  assert.deepEqual(end.effects, [{ type: "finish", ending: { code: 0, reason: "t" } }]);
  assert.equal(end.s.phase, "done");
});

Deno.test("systemTransition() detect-exit ends with the CONSOLE command's code", () => {
  const running: SystemSnapshot = { ...INITIAL_SYSTEM, phase: "running" };
  const { s } = run([{
    type: "quiet",
    world: world([snap("CONSOLE", "finished", { lastExit: { code: 3, signal: null } })]),
  }], running);
  assert.deepEqual(s.ending, { code: 3, reason: "all processes exited" });
});

Deno.test("systemTransition() scheduled services keep the system up, said once", () => {
  const running: SystemSnapshot = { ...INITIAL_SYSTEM, phase: "running" };
  const w = world([snap("cron.service", "scheduled"), snap("a", "finished")]);
  const { s, effects } = run([{ type: "quiet", world: w }, { type: "quiet", world: w }], running);
  assert.equal(s.phase, "running");
  assert.deepEqual(types(effects), ["log:warn"]);
});

Deno.test("systemTransition() detect-exit waits during the start-up and without detect_exit", () => {
  const w = world([snap("a", "finished")]);
  assert.equal(run([{ type: "quiet", world: w }]).s.phase, "starting");
  const running: SystemSnapshot = { ...INITIAL_SYSTEM, phase: "running" };
  const off = run([{ type: "quiet", world: world([], { detectExit: false }) }], running);
  assert.equal(off.s.phase, "running");
});

const VERDICTS: Array<[string, ServiceSnapshot[], boolean, ReturnType<typeof exitVerdict>]> = [
  [
    "every service is done",
    [snap("a", "finished"), snap("b", "failed"), snap("c", "idle")],
    false,
    "exit",
  ],
  ["no service is configured", [], false, "exit"],
  ["a process runs", [snap("a", "running", { pid: 3 })], false, "busy"],
  ["an attached pid runs", [snap("a", "finished", { mainPid: 3 })], false, "busy"],
  ["an inetd connection runs", [snap("a", "scheduled", { connections: 1 })], false, "busy"],
  ["a service waits for a restart", [snap("a", "backoff")], false, "busy"],
  ["a service waits for prerequisites", [snap("a", "waiting")], false, "busy"],
  ["a service is starting", [snap("a", "spawning")], false, "busy"],
  ["a stop is under way", [snap("a", "stopping")], false, "busy"],
  ["an orphan is still our child", [snap("a", "finished")], true, "busy"],
  [
    "cron and inetd services are scheduled",
    [snap("a", "scheduled"), snap("b", "finished"), snap("c", "scheduled")],
    false,
    { scheduled: ["a", "c"] },
  ],
];

for (const [when, services, children, expected] of VERDICTS) {
  Deno.test(`exitVerdict() judges the system when ${when}`, () => {
    assert.deepEqual(exitVerdict({ services, hasChildren: () => children }), expected);
  });
}

Deno.test("exitVerdict() does not scan the process table while a service is busy", () => {
  let asked = 0;
  exitVerdict({
    services: [snap("a", "running", { pid: 1 })],
    hasChildren: () => {
      asked++;
      return false;
    },
  });
  assert.equal(asked, 0);
});

const STATUS: Array<[string, number, ServiceSnapshot["state"][], string]> = [
  ["no service has started", 0, ["idle", "waiting"], "Uptime 00:00:00; No services started"],
  ["one service runs", 5.9, ["running"], "Uptime 00:00:05; 1 service started"],
  [
    "finished and running services both count as started",
    3_723,
    ["running", "finished", "stopping"],
    "Uptime 01:02:03; 2 services started",
  ],
  [
    "services are scheduled or failed",
    61,
    ["scheduled", "job-running", "failed", "running"],
    "Uptime 00:01:01; 1 service started; 2 scheduled; 1 failed",
  ],
  ["uptime passes 99 hours", 360_000, [], "Uptime 100:00:00; No services started"],
];

for (const [when, uptime, states, expected] of STATUS) {
  Deno.test(`hostStatusLine() formats the STATUS= line when ${when}`, () => {
    assert.equal(hostStatusLine(uptime, states.map((st, i) => snap(`s${i}`, st))), expected);
  });
}
