/**
 * The state x event table of service/machine.ts, one row per case: from state (and snapshot
 * details), event, spec details → next state and the effects that matter.
 */
import assert from "node:assert/strict";
import { type MachineSpec, transition } from "../../src/service/machine.ts";
import {
  type Effect,
  initialSnapshot,
  type ServiceEvent,
  type ServiceSnapshot,
} from "../../src/service/state.ts";

const BASE: MachineSpec = {
  name: "web.service",
  type: "simple",
  restart: false,
  restartLimit: 5,
  restartDelay: 3,
  processTimeout: 30,
  startupPause: 0.5,
  ignoreFailures: false,
  exitKills: false,
  stopTimeout: 8,
  command: "web --serve",
};

const EXIT0 = { code: 0, signal: null };
const EXIT1 = { code: 1, signal: null };
const KILLED = { code: null, signal: 15 };

interface Row {
  name: string;
  from: Partial<ServiceSnapshot>;
  event: ServiceEvent;
  spec?: Partial<MachineSpec>;
  to: ServiceSnapshot["state"];
  /** Effect types that must appear, in this order (others may be interleaved). */
  effects?: string[];
  /** Effect types that must not appear. */
  not?: string[];
  check?: (next: ServiceSnapshot, effects: readonly Effect[]) => void;
  now?: number;
}

const kinds = (fx: readonly Effect[]) =>
  fx.map((e) =>
    e.type === "set-timer" || e.type === "cancel-timer"
      ? `${e.type}:${e.timer}`
      : e.type === "settled"
      ? `settled:${e.ok}`
      : e.type === "signal"
      ? `signal:${e.signal}`
      : e.type === "log"
      ? `log:${e.level}`
      : e.type
  );

const ROWS: Row[] = [
  {
    name: "idle + start → waiting",
    from: {},
    event: { type: "start", initial: true },
    to: "waiting",
  },
  {
    name: "running + start is a no-op",
    from: { state: "running", pid: 5 },
    event: { type: "start", initial: false },
    to: "running",
    effects: [],
  },
  {
    name: "waiting + deps-ready (simple) → starting, spawn",
    from: { state: "waiting" },
    event: { type: "deps-ready" },
    to: "starting",
    effects: ["spawn"],
  },
  {
    name: "waiting + deps-ready (notify) → starting, open-notify then spawn",
    from: { state: "waiting" },
    spec: { type: "notify" },
    event: { type: "deps-ready" },
    to: "starting",
    effects: ["open-notify", "spawn"],
  },
  {
    name: "waiting + deps-ready (cron) → starting, schedule",
    from: { state: "waiting" },
    spec: { type: "cron" },
    event: { type: "deps-ready" },
    to: "starting",
    effects: ["schedule"],
  },
  {
    name: "starting inetd + ready (listening) → scheduled, settled",
    from: { state: "starting" },
    spec: { type: "inetd" },
    event: { type: "ready" },
    to: "scheduled",
    effects: ["settled:true"],
  },
  {
    name: "starting inetd + spawn-failed (port in use) → failed, settled false",
    from: { state: "starting" },
    spec: { type: "inetd" },
    event: { type: "spawn-failed", error: "Cannot bind to port 80: in use", notFound: false },
    to: "failed",
    effects: ["cancel-all-timers", "close-notify", "settled:false"],
    check: (n) => assert.match(n.error ?? "", /port 80/),
  },
  {
    name: "waiting + deps-failed → failed, settled false",
    from: { state: "waiting" },
    event: { type: "deps-failed", dependency: "db.service" },
    to: "failed",
    effects: ["settled:false"],
    check: (n) => assert.match(n.error ?? "", /db\.service/),
  },
  {
    name: "starting + spawned (simple) → startup-pause timer",
    from: { state: "starting" },
    event: { type: "spawned", pid: 42 },
    to: "starting",
    effects: ["set-timer:startup-pause"],
    check: (n) => assert.equal(n.pid, 42),
  },
  {
    name: "starting + spawned (oneshot) → process-timeout timer",
    from: { state: "starting" },
    spec: { type: "oneshot" },
    event: { type: "spawned", pid: 42 },
    to: "starting",
    effects: ["set-timer:process-timeout"],
  },
  {
    name: "starting + startup-pause (simple) → running, settled",
    from: { state: "starting", pid: 42, phase: "pause" },
    event: { type: "timer", timer: "startup-pause" },
    to: "running",
    effects: ["settled:true"],
  },
  {
    name: "starting + startup-pause (simple with pidfile) → waits for the pidfile",
    from: { state: "starting", pid: 42, phase: "pause" },
    spec: { pidfile: "/run/web.pid" },
    event: { type: "timer", timer: "startup-pause" },
    to: "starting",
    effects: ["watch-pidfile", "set-timer:process-timeout"],
    check: (n) => assert.equal(n.phase, "pidfile"),
  },
  {
    name: "starting + abnormal exit (simple) → failed, settled false",
    from: { state: "starting", pid: 42, phase: "pause" },
    event: { type: "exited", pid: 42, status: EXIT1 },
    to: "failed",
    effects: ["settled:false"],
    check: (n) =>
      assert.match(n.error ?? "", /failed on start-up with result '<ProcStatus exit_status=1>'/),
  },
  {
    name: "starting + abnormal exit with ignore_failures → finished, settled true",
    from: { state: "starting", pid: 42, phase: "pause" },
    spec: { ignoreFailures: true },
    event: { type: "exited", pid: 42, status: EXIT1 },
    to: "finished",
    effects: ["log:info", "settled:true"],
  },
  {
    name: "starting + exit 0 (simple) → finished (started)",
    from: { state: "starting", pid: 42, phase: "pause" },
    event: { type: "exited", pid: 42, status: EXIT0 },
    to: "finished",
    effects: ["settled:true"],
  },
  {
    name: "starting + exit 0 (oneshot) → finished",
    from: { state: "starting", pid: 42, phase: "exit-wait" },
    spec: { type: "oneshot" },
    event: { type: "exited", pid: 42, status: EXIT0 },
    to: "finished",
    effects: ["settled:true"],
  },
  {
    name: "starting + exit 0 (forking with pidfile) → pidfile wait",
    from: { state: "starting", pid: 42, phase: "exit-wait" },
    spec: { type: "forking", pidfile: "/run/d.pid" },
    event: { type: "exited", pid: 42, status: EXIT0 },
    to: "starting",
    effects: ["watch-pidfile"],
  },
  {
    name: "starting + exit 0 (forking without pidfile) → finished",
    from: { state: "starting", pid: 42, phase: "exit-wait" },
    spec: { type: "forking" },
    event: { type: "exited", pid: 42, status: EXIT0 },
    to: "finished",
    effects: ["settled:true"],
  },
  {
    name: "starting + exit 0 (notify launcher) keeps waiting for READY",
    from: { state: "starting", pid: 42, phase: "ready-wait" },
    spec: { type: "notify" },
    event: { type: "exited", pid: 42, status: EXIT0 },
    to: "starting",
    not: ["settled:true", "settled:false"],
    check: (n) => assert.equal(n.pid, undefined),
  },
  {
    name: "starting + ready (notify) → running",
    from: { state: "starting", pid: 42, phase: "ready-wait" },
    spec: { type: "notify" },
    event: { type: "ready" },
    to: "running",
    effects: ["cancel-timer:process-timeout", "settled:true"],
  },
  {
    name: "starting + ERRNO (notify) → failed with reported error",
    from: { state: "starting", pid: 42, phase: "ready-wait" },
    spec: { type: "notify" },
    event: { type: "notify-errno", errno: 55 },
    to: "failed",
    effects: ["signal:kill-signal", "settled:false"],
    check: (n) =>
      assert.match(n.error ?? "", /failed with reported error <ProcStatus exit_status=55>/),
  },
  {
    name: "starting + process-timeout (notify) → failed, process signalled",
    from: { state: "starting", pid: 42, phase: "ready-wait" },
    spec: { type: "notify", processTimeout: 5 },
    event: { type: "timer", timer: "process-timeout" },
    to: "failed",
    effects: ["log:error", "signal:kill-signal", "set-timer:kill", "settled:false"],
    check: (n) =>
      assert.match(
        n.error ?? "",
        /notify service 'web.service' did not receive ready notification after 5 second\(s\)/,
      ),
  },
  {
    name: "starting + process-timeout (oneshot, ignore_failures) → running, proceeding",
    from: { state: "starting", pid: 42, phase: "exit-wait" },
    spec: { type: "oneshot", ignoreFailures: true },
    event: { type: "timer", timer: "process-timeout" },
    to: "running",
    effects: ["settled:true"],
    not: ["signal:kill-signal"],
  },
  {
    name: "starting(pidfile) + main-pid → running with the attached pid",
    from: { state: "starting", phase: "pidfile" },
    spec: { type: "forking", pidfile: "/run/d.pid" },
    event: { type: "main-pid", pid: 77 },
    to: "running",
    effects: ["settled:true"],
    check: (n) => assert.equal(n.mainPid, 77),
  },
  {
    name: "starting(pidfile) + pidfile-garbage is remembered for the timeout message",
    from: { state: "starting", phase: "pidfile" },
    spec: { type: "forking", pidfile: "/run/d.pid" },
    event: { type: "pidfile-garbage" },
    to: "starting",
    check: (n) => assert.equal(n.pidfileGarbage, true),
  },
  {
    name: "starting(pidfile) + process-timeout after garbage → failed: contents not an integer",
    from: { state: "starting", phase: "pidfile", pidfileGarbage: true },
    spec: { type: "forking", pidfile: "/run/d.pid", processTimeout: 2 },
    event: { type: "timer", timer: "process-timeout" },
    to: "failed",
    effects: ["settled:false"],
    check: (n) =>
      assert.equal(
        n.error,
        "web.service found pid file '/run/d.pid' but contents did not contain an integer",
      ),
  },
  {
    name: "starting(pidfile) + process-timeout without a file → failed: did not find pid file",
    from: { state: "starting", phase: "pidfile" },
    spec: { type: "forking", pidfile: "/run/d.pid", processTimeout: 2 },
    event: { type: "timer", timer: "process-timeout" },
    to: "failed",
    check: (n) =>
      assert.equal(
        n.error,
        "web.service did not find pid file '/run/d.pid' before 2sec process_timeout expired",
      ),
  },
  {
    name: "starting(pidfile) + pidfile-error → failed",
    from: { state: "starting", phase: "pidfile" },
    spec: { type: "forking", pidfile: "/run/d.pid" },
    event: { type: "pidfile-error", error: "no such process" },
    to: "failed",
    effects: ["settled:false"],
  },
  {
    name: "starting + spawn-failed → failed",
    from: { state: "starting" },
    event: { type: "spawn-failed", error: "executable 'x' not found", notFound: true },
    to: "failed",
    effects: ["settled:false"],
  },
  {
    name: "running + exit 0 → finished",
    from: { state: "running", pid: 42 },
    event: { type: "exited", pid: 42, status: EXIT0 },
    to: "finished",
  },
  {
    name: "running + abnormal exit, restart with budget → backoff + restart timer",
    from: { state: "running", pid: 42, restartsLeft: 2, runStartedAt: 0 },
    spec: { restart: true, restartDelay: 0.25 },
    event: { type: "exited", pid: 42, status: EXIT1 },
    now: 1000,
    to: "backoff",
    effects: ["log:info", "set-timer:restart"],
    check: (n, fx) => {
      assert.equal(n.restartsLeft, 1);
      const t = fx.find((e) => e.type === "set-timer");
      assert.deepEqual(t, { type: "set-timer", timer: "restart", ms: 250 });
    },
  },
  {
    name: "running + abnormal exit, budget spent → failed",
    from: { state: "running", pid: 42, restartsLeft: 0, runStartedAt: 0 },
    spec: { restart: true },
    event: { type: "exited", pid: 42, status: EXIT1 },
    now: 1000,
    to: "failed",
    effects: ["log:error"],
  },
  {
    name: "running + abnormal exit after 60 s up refills the budget (Decision 10)",
    from: { state: "running", pid: 42, restartsLeft: 0, runStartedAt: 0 },
    spec: { restart: true, restartLimit: 3 },
    event: { type: "exited", pid: 42, status: EXIT1 },
    now: 61_000,
    to: "backoff",
    check: (n) => assert.equal(n.restartsLeft, 2),
  },
  {
    name: "running + abnormal exit with ignore_failures → idle",
    from: { state: "running", pid: 42 },
    spec: { ignoreFailures: true, restart: true },
    event: { type: "exited", pid: 42, status: KILLED },
    to: "idle",
    not: ["set-timer:restart"],
  },
  {
    name: "running + exit with exit_kills → exit-kills effect",
    from: { state: "running", pid: 42 },
    spec: { exitKills: true },
    event: { type: "exited", pid: 42, status: EXIT1 },
    to: "failed",
    effects: ["exit-kills"],
  },
  {
    name: "running + launcher exit while a pid is attached → still running",
    from: { state: "running", pid: 42, mainPid: 77 },
    spec: { type: "forking" },
    event: { type: "exited", pid: 42, status: EXIT0 },
    to: "running",
    check: (n) => {
      assert.equal(n.pid, undefined);
      assert.equal(n.mainPid, 77);
    },
  },
  {
    name: "running + attached pid exits → ended (explicit return code)",
    from: { state: "running", mainPid: 77 },
    spec: { type: "forking" },
    event: { type: "exited", pid: 77, status: EXIT0 },
    to: "finished",
    effects: ["log:info"],
  },
  {
    name: "running + ERRNO after ready → treated as an exit with that code",
    from: { state: "running", pid: 42 },
    spec: { type: "notify", restart: true },
    event: { type: "notify-errno", errno: 4 },
    to: "backoff",
  },
  {
    name: "running + unrelated pid exit is ignored",
    from: { state: "running", pid: 42 },
    event: { type: "exited", pid: 99, status: EXIT1 },
    to: "running",
    effects: [],
  },
  {
    name: "backoff + restart timer → starting, spawn",
    from: { state: "backoff" },
    event: { type: "timer", timer: "restart" },
    to: "starting",
    effects: ["spawn"],
    check: (n) => {
      assert.equal(n.restarts, 1);
      assert.equal(n.restarting, true);
    },
  },
  {
    name: "starting (a restart) + spawn-failed → a failed run: backoff, budget spent by one",
    from: { state: "starting", restarting: true, restartsLeft: 2 },
    spec: { restart: true, restartDelay: 2 },
    event: { type: "spawn-failed", error: "boom", notFound: false },
    to: "backoff",
    effects: ["log:error", "cancel-all-timers", "close-notify", "log:info", "set-timer:restart"],
    not: ["settled:false"],
    check: (n, fx) => {
      assert.equal(n.restartsLeft, 1);
      assert.equal(n.error, "boom");
      assert.deepEqual(fx.find((e) => e.type === "set-timer"), {
        type: "set-timer",
        timer: "restart",
        ms: 2000,
      });
    },
  },
  {
    name: "starting (a restart) + spawn-failed, budget spent → failed",
    from: { state: "starting", restarting: true, restartsLeft: 0 },
    spec: { restart: true },
    event: { type: "spawn-failed", error: "boom", notFound: false },
    to: "failed",
    not: ["set-timer:restart"],
    check: (n) => assert.equal(n.error, "boom"),
  },
  {
    name: "starting (a restart) + spawn-failed with ignore_failures → idle",
    from: { state: "starting", restarting: true, restartsLeft: 3 },
    spec: { restart: true, ignoreFailures: true },
    event: { type: "spawn-failed", error: "boom", notFound: false },
    to: "idle",
    not: ["set-timer:restart"],
  },
  {
    name: "waiting + deps-ready → a fresh start, not a restart",
    from: { state: "waiting", restarting: true },
    event: { type: "deps-ready" },
    to: "starting",
    check: (n) => assert.equal(n.restarting, undefined),
  },
  {
    name: "scheduled cron + spawn-failed, restart on → error, restart timer",
    from: { state: "scheduled", restartsLeft: 2 },
    spec: { type: "cron", restart: true, restartDelay: 3 },
    event: { type: "spawn-failed", error: "boom", notFound: false },
    to: "scheduled",
    effects: ["log:error", "log:info", "set-timer:restart"],
    check: (n) => assert.equal(n.restartsLeft, 1),
  },
  {
    name: "scheduled cron + spawn-failed, restart off → error only",
    from: { state: "scheduled", restartsLeft: 2 },
    spec: { type: "cron" },
    event: { type: "spawn-failed", error: "boom", notFound: false },
    to: "scheduled",
    effects: ["log:error"],
    not: ["set-timer:restart"],
  },
  {
    name: "running + stop → stopping, kill signal + kill timer, budget refilled",
    from: { state: "running", pid: 42, restartsLeft: 1 },
    event: { type: "stop" },
    to: "stopping",
    effects: ["cancel-all-timers", "signal:kill-signal", "set-timer:kill"],
    not: ["remove-pidfile"],
    check: (n) => assert.equal(n.restartsLeft, 5),
  },
  {
    name: "backoff + stop → idle without restarting",
    from: { state: "backoff" },
    spec: { restart: true },
    event: { type: "stop" },
    to: "idle",
    effects: ["remove-pidfile"],
    not: ["spawn", "signal:kill-signal"],
  },
  {
    name: "stopping + exit of the last process → watch the group",
    from: { state: "stopping", pid: 42 },
    event: { type: "exited", pid: 42, status: KILLED },
    to: "stopping",
    effects: ["watch-group"],
  },
  {
    name: "stopping + exit never restarts, even with restart: true",
    from: { state: "stopping", pid: 42 },
    spec: { restart: true },
    event: { type: "exited", pid: 42, status: KILLED },
    to: "stopping",
    not: ["set-timer:restart", "spawn"],
  },
  {
    name: "stopping + group-gone → idle",
    from: { state: "stopping", afterStop: "idle" },
    event: { type: "group-gone" },
    to: "idle",
    effects: ["remove-pidfile", "close-notify"],
  },
  {
    name: "stopping + kill timer → SIGKILL",
    from: { state: "stopping", pid: 42 },
    event: { type: "timer", timer: "kill" },
    to: "stopping",
    effects: ["signal:SIGKILL"],
  },
  {
    name:
      "starting simple + abnormal exit with exit_kills → exit-kills with that status, then failure",
    from: { state: "starting", pid: 42, phase: "pause" },
    event: { type: "exited", pid: 42, status: EXIT1 },
    spec: { exitKills: true },
    to: "failed",
    effects: ["exit-kills", "settled:false"],
    check: (_next, fx) => {
      const kill = fx.find((e) => e.type === "exit-kills");
      assert.deepEqual(kill?.type === "exit-kills" && kill.status, EXIT1);
    },
  },
  {
    name: "starting simple + exit 0 with exit_kills → exit-kills (the system ends with 0)",
    from: { state: "starting", pid: 42, phase: "pause" },
    event: { type: "exited", pid: 42, status: EXIT0 },
    spec: { exitKills: true },
    to: "finished",
    effects: ["exit-kills", "settled:true"],
  },
  {
    name: "starting oneshot + exit 0 with exit_kills → exit-kills",
    from: { state: "starting", pid: 42, phase: "exit-wait" },
    event: { type: "exited", pid: 42, status: EXIT0 },
    spec: { type: "oneshot", exitKills: true },
    to: "finished",
    effects: ["exit-kills", "settled:true"],
  },
  {
    name:
      "starting forking + launcher exit with exit_kills → no exit-kills (the attached pid counts)",
    from: { state: "starting", pid: 42, phase: "exit-wait" },
    event: { type: "exited", pid: 42, status: EXIT0 },
    spec: { type: "forking", exitKills: true },
    to: "finished",
    not: ["exit-kills"],
  },
  {
    name: "stopping + kill timer after the leader exited → SIGKILL for the rest of its group",
    from: { state: "stopping", pid: undefined, mainPid: undefined },
    event: { type: "timer", timer: "kill" },
    to: "stopping",
    effects: ["signal:SIGKILL"],
  },
  {
    name: "finished + reset → idle",
    from: { state: "finished" },
    event: { type: "reset" },
    to: "idle",
  },
  {
    name: "scheduled cron + reset with a job running → stopping, stays scheduled after",
    from: { state: "scheduled", pid: 42 },
    spec: { type: "cron" },
    event: { type: "reset" },
    to: "stopping",
    not: ["unschedule"],
    check: (n) => assert.equal(n.afterStop, "scheduled"),
  },
  {
    name: "scheduled cron + stop → idle, unscheduled",
    from: { state: "scheduled" },
    spec: { type: "cron" },
    event: { type: "stop" },
    to: "idle",
    effects: ["unschedule"],
  },
  {
    name: "scheduled cron + tick → spawn",
    from: { state: "scheduled" },
    spec: { type: "cron" },
    event: { type: "cron-tick" },
    to: "scheduled",
    effects: ["log:info", "spawn"],
  },
  {
    name: "scheduled cron + tick while the job runs → skipped with a warning",
    from: { state: "scheduled", pid: 42 },
    spec: { type: "cron" },
    event: { type: "cron-tick" },
    to: "scheduled",
    effects: ["log:warn"],
    not: ["spawn"],
  },
  {
    name: "scheduled cron + job exit → stays scheduled",
    from: { state: "scheduled", pid: 42 },
    spec: { type: "cron" },
    event: { type: "exited", pid: 42, status: EXIT0 },
    to: "scheduled",
    effects: ["cancel-timer:process-timeout", "cancel-timer:kill"],
    check: (n) => assert.equal(n.pid, undefined),
  },
  {
    name: "scheduled cron + failed job, restart on → restart timer, budget spent by one",
    from: { state: "scheduled", pid: 42, restartsLeft: 2 },
    spec: { type: "cron", restart: true, restartDelay: 3 },
    event: { type: "exited", pid: 42, status: EXIT1 },
    to: "scheduled",
    effects: ["log:info", "set-timer:restart"],
    check: (n) => assert.equal(n.restartsLeft, 1),
  },
  {
    name: "scheduled cron + failed job, restart off → warning, no restart",
    from: { state: "scheduled", pid: 42 },
    spec: { type: "cron" },
    event: { type: "exited", pid: 42, status: EXIT1 },
    to: "scheduled",
    effects: ["log:warn"],
    not: ["set-timer:restart"],
  },
  {
    name: "scheduled cron + successful job → budget refilled",
    from: { state: "scheduled", pid: 42, restartsLeft: 0 },
    spec: { type: "cron", restart: true, restartLimit: 5 },
    event: { type: "exited", pid: 42, status: EXIT0 },
    to: "scheduled",
    check: (n) => assert.equal(n.restartsLeft, 5),
  },
  {
    name: "scheduled cron + restart timer → the job runs again",
    from: { state: "scheduled" },
    spec: { type: "cron", restart: true },
    event: { type: "timer", timer: "restart" },
    to: "scheduled",
    effects: ["log:info", "spawn"],
  },
  {
    name: "scheduled cron + restart timer while a run goes on → nothing",
    from: { state: "scheduled", pid: 42 },
    spec: { type: "cron", restart: true },
    event: { type: "timer", timer: "restart" },
    to: "scheduled",
    effects: [],
  },
  {
    name: "scheduled cron + process-timeout with a job running → terminate it, stay scheduled",
    from: { state: "scheduled", pid: 42 },
    spec: { type: "cron" },
    event: { type: "timer", timer: "process-timeout" },
    to: "scheduled",
    effects: ["log:warn", "signal:kill-signal", "set-timer:kill"],
  },
  {
    name: "running notify + watchdog timer → terminate",
    from: { state: "running", pid: 42 },
    spec: { type: "notify", watchdogMs: 1000 },
    event: { type: "timer", timer: "watchdog" },
    to: "running",
    effects: ["log:error", "signal:kill-signal"],
  },
];

for (const row of ROWS) {
  Deno.test(`transition(): ${row.name}`, () => {
    const spec = { ...BASE, ...row.spec };
    const s: ServiceSnapshot = { ...initialSnapshot(spec.name, spec.restartLimit), ...row.from };
    const { next, effects } = transition(s, row.event, spec, row.now ?? 0);
    assert.equal(next.state, row.to, `state after ${row.event.type}`);
    const got = kinds(effects);
    if (row.effects) {
      if (row.effects.length === 0) assert.deepEqual(got, [], "no effects expected");
      let i = 0;
      for (const want of row.effects) {
        const at = got.indexOf(want, i);
        assert.ok(at >= 0, `effect ${want} (in order) missing from ${JSON.stringify(got)}`);
        i = at + 1;
      }
    }
    for (const bad of row.not ?? []) {
      assert.ok(!got.includes(bad), `effect ${bad} must not appear in ${JSON.stringify(got)}`);
    }
    row.check?.(next, effects);
  });
}

Deno.test("transition() never mutates the snapshot it is given", () => {
  const s = Object.freeze({
    ...initialSnapshot("a.service", 5),
    state: "running" as const,
    pid: 1,
  });
  transition(s, { type: "exited", pid: 1, status: EXIT1 }, { ...BASE, restart: true }, 0);
  assert.equal(s.state, "running");
});
