/**
 * The state x event table of service/machine.ts, one row per case: from state (and snapshot
 * details), event, spec details → next state and the effects that matter.
 */
import assert from "node:assert/strict";
import { type MachineSpec, transition } from "../../src/service/machine.ts";
import type { RestartMode } from "../../src/service/restart.ts";
import {
  type Effect,
  initialSnapshot,
  type ServiceEvent,
  type ServiceSnapshot,
} from "../../src/service/state.ts";

/** The directives a row may set, in the configuration's units (seconds). */
interface SpecOver {
  type?: MachineSpec["type"];
  restart?: boolean | RestartMode;
  restartLimit?: number;
  restartDelay?: number;
  restartBackoff?: number;
  restartDelayMax?: number;
  readyProbe?: boolean;
  healthFailures?: number;
  processTimeout?: number;
  startupPause?: number;
  ignoreFailures?: boolean;
  exitKills?: boolean;
  pidfile?: string;
  watchdogMs?: number;
}

/** web.service, simple, as resolve.ts would give it, with `over` applied. */
function specOf(over: SpecOver = {}): MachineSpec {
  return {
    name: "web.service",
    type: over.type ?? "simple",
    restart: {
      mode: over.restart === true
        ? "on-failure"
        : over.restart === false || over.restart === undefined
        ? "never"
        : over.restart,
      limit: over.restartLimit ?? 5,
      delayMs: (over.restartDelay ?? 3) * 1000,
      backoff: over.restartBackoff ?? 1,
      maxDelayMs: (over.restartDelayMax ?? 60) * 1000,
    },
    processTimeoutMs: (over.processTimeout ?? 30) * 1000,
    startupPauseMs: (over.startupPause ?? 0.5) * 1000,
    stopTimeoutMs: 8000,
    watchdogMs: over.watchdogMs,
    ignoreFailures: over.ignoreFailures ?? false,
    exitKills: over.exitKills ?? false,
    pidfile: over.pidfile,
    command: "web --serve",
    readyProbe: over.readyProbe ? { description: "tcp 127.0.0.1:8080" } : undefined,
    healthProbe: over.healthFailures
      ? { description: "http http://127.0.0.1:8080/health", failures: over.healthFailures }
      : undefined,
  };
}

const EXIT0 = { code: 0, signal: null };
const EXIT1 = { code: 1, signal: null };
const KILLED = { code: null, signal: 15 };

interface Row {
  name: string;
  from: Partial<ServiceSnapshot>;
  event: ServiceEvent;
  spec?: SpecOver;
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
    name: "waiting + deps-ready (simple) → spawning, spawn",
    from: { state: "waiting" },
    event: { type: "deps-ready" },
    to: "spawning",
    effects: ["spawn"],
  },
  {
    name: "waiting + deps-ready (notify) → opening, open-notify (no spawn yet)",
    from: { state: "waiting" },
    spec: { type: "notify" },
    event: { type: "deps-ready" },
    to: "opening",
    effects: ["open-notify"],
    not: ["spawn"],
  },
  {
    name: "opening + notify-opened → spawning, spawn",
    from: { state: "opening" },
    spec: { type: "notify" },
    event: { type: "notify-opened" },
    to: "spawning",
    effects: ["spawn"],
  },
  {
    name: "opening + stop → idle: nothing was spawned",
    from: { state: "opening" },
    spec: { type: "notify" },
    event: { type: "stop" },
    to: "idle",
    not: ["signal:kill-signal", "spawn"],
  },
  {
    name: "idle + notify-opened (a start abandoned meanwhile) → the socket is closed",
    from: { state: "idle" },
    spec: { type: "notify" },
    event: { type: "notify-opened" },
    to: "idle",
    effects: ["close-notify"],
  },
  {
    name: "opening + spawn-failed (the socket cannot be bound) → failed",
    from: { state: "opening" },
    spec: { type: "notify" },
    event: { type: "spawn-failed", error: "cannot open notify socket: EACCES" },
    to: "failed",
    effects: ["settled:false"],
  },
  {
    name: "waiting + deps-ready (cron) → scheduling, schedule",
    from: { state: "waiting" },
    spec: { type: "cron" },
    event: { type: "deps-ready" },
    to: "scheduling",
    effects: ["schedule"],
  },
  {
    name: "scheduling inetd + scheduled (listening) → scheduled, settled",
    from: { state: "scheduling" },
    spec: { type: "inetd" },
    event: { type: "scheduled" },
    to: "scheduled",
    effects: ["settled:true"],
  },
  {
    name: "scheduling inetd + spawn-failed (port in use) → failed, settled false",
    from: { state: "scheduling" },
    spec: { type: "inetd" },
    event: { type: "spawn-failed", error: "Cannot bind to port 80: in use" },
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
    name: "spawning + spawned (simple) → pausing, startup-pause timer",
    from: { state: "spawning" },
    event: { type: "spawned", pid: 42 },
    to: "pausing",
    effects: ["set-timer:startup-pause"],
    check: (n) => {
      assert.equal(n.pid, 42);
      assert.equal(n.lastPid, 42);
    },
  },
  {
    name: "spawning + spawned (oneshot) → awaiting-exit, process-timeout timer",
    from: { state: "spawning" },
    spec: { type: "oneshot" },
    event: { type: "spawned", pid: 42 },
    to: "awaiting-exit",
    effects: ["set-timer:process-timeout"],
  },
  {
    name: "spawning + spawned (notify) → awaiting-ready, process-timeout timer, no pause",
    from: { state: "spawning" },
    spec: { type: "notify" },
    event: { type: "spawned", pid: 42 },
    to: "awaiting-ready",
    effects: ["set-timer:process-timeout"],
    not: ["set-timer:startup-pause"],
  },
  {
    name: "spawning + stop → stopping before the pid is known; kill timer armed",
    from: { state: "spawning" },
    event: { type: "stop" },
    to: "stopping",
    effects: ["set-timer:kill"],
    not: ["signal:kill-signal"],
  },
  {
    name: "stopping + spawned (the process of an abandoned start) → it gets the stop signal",
    from: { state: "stopping" },
    event: { type: "spawned", pid: 42 },
    to: "stopping",
    effects: ["signal:kill-signal"],
    check: (n) => assert.equal(n.pid, 42),
  },
  {
    name: "stopping + spawn-failed (an abandoned start) → idle",
    from: { state: "stopping" },
    event: { type: "spawn-failed", error: "boom" },
    to: "idle",
  },
  {
    name: "pausing + startup-pause (simple) → running, settled",
    from: { state: "pausing", pid: 42 },
    event: { type: "timer", timer: "startup-pause" },
    to: "running",
    effects: ["settled:true"],
  },
  {
    name: "pausing + startup-pause (simple with pidfile) → waits for the pidfile",
    from: { state: "pausing", pid: 42 },
    spec: { pidfile: "/run/web.pid" },
    event: { type: "timer", timer: "startup-pause" },
    to: "awaiting-pidfile",
    effects: ["watch-pidfile", "set-timer:process-timeout"],
  },
  {
    name: "pausing + abnormal exit (simple) → failed, settled false",
    from: { state: "pausing", pid: 42 },
    event: { type: "exited", pid: 42, status: EXIT1 },
    to: "failed",
    effects: ["settled:false"],
    check: (n) =>
      assert.match(n.error ?? "", /failed on start-up with result '<ProcStatus exit_status=1>'/),
  },
  {
    name: "pausing + abnormal exit with ignore_failures → finished, settled true",
    from: { state: "pausing", pid: 42 },
    spec: { ignoreFailures: true },
    event: { type: "exited", pid: 42, status: EXIT1 },
    to: "finished",
    effects: ["log:info", "settled:true"],
  },
  {
    name: "pausing + exit 0 (simple) → finished (started)",
    from: { state: "pausing", pid: 42 },
    event: { type: "exited", pid: 42, status: EXIT0 },
    to: "finished",
    effects: ["settled:true"],
  },
  {
    name: "awaiting-exit + exit 0 (oneshot) → finished",
    from: { state: "awaiting-exit", pid: 42 },
    spec: { type: "oneshot" },
    event: { type: "exited", pid: 42, status: EXIT0 },
    to: "finished",
    effects: ["settled:true"],
  },
  {
    name: "awaiting-exit + exit 0 (forking with pidfile) → pidfile wait",
    from: { state: "awaiting-exit", pid: 42 },
    spec: { type: "forking", pidfile: "/run/d.pid" },
    event: { type: "exited", pid: 42, status: EXIT0 },
    to: "awaiting-pidfile",
    effects: ["watch-pidfile"],
  },
  {
    name: "awaiting-exit + exit 0 (forking without pidfile) → finished",
    from: { state: "awaiting-exit", pid: 42 },
    spec: { type: "forking" },
    event: { type: "exited", pid: 42, status: EXIT0 },
    to: "finished",
    effects: ["settled:true"],
  },
  {
    name: "awaiting-ready + exit 0 (notify launcher) keeps waiting for READY",
    from: { state: "awaiting-ready", pid: 42 },
    spec: { type: "notify" },
    event: { type: "exited", pid: 42, status: EXIT0 },
    to: "awaiting-ready",
    not: ["settled:true", "settled:false"],
    check: (n) => assert.equal(n.pid, undefined),
  },
  {
    name: "awaiting-ready + ready (notify) → running",
    from: { state: "awaiting-ready", pid: 42 },
    spec: { type: "notify" },
    event: { type: "ready" },
    to: "running",
    effects: ["cancel-timer:process-timeout", "settled:true"],
  },
  {
    name: "awaiting-ready + ERRNO (notify) → failed with reported error",
    from: { state: "awaiting-ready", pid: 42 },
    spec: { type: "notify" },
    event: { type: "notify-errno", errno: 55 },
    to: "failed",
    effects: ["signal:kill-signal", "settled:false"],
    check: (n) =>
      assert.match(n.error ?? "", /failed with reported error <ProcStatus exit_status=55>/),
  },
  {
    name: "awaiting-ready + process-timeout (notify) → failed, process signalled",
    from: { state: "awaiting-ready", pid: 42 },
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
    name: "awaiting-exit + process-timeout (oneshot, ignore_failures) → running, proceeding",
    from: { state: "awaiting-exit", pid: 42 },
    spec: { type: "oneshot", ignoreFailures: true },
    event: { type: "timer", timer: "process-timeout" },
    to: "running",
    effects: ["settled:true"],
    not: ["signal:kill-signal"],
  },
  {
    name: "awaiting-pidfile + main-pid → running with the attached pid",
    from: { state: "awaiting-pidfile" },
    spec: { type: "forking", pidfile: "/run/d.pid" },
    event: { type: "main-pid", pid: 77 },
    to: "running",
    effects: ["settled:true"],
    check: (n) => assert.equal(n.mainPid, 77),
  },
  {
    name: "awaiting-pidfile + pidfile-garbage is remembered for the timeout message",
    from: { state: "awaiting-pidfile" },
    spec: { type: "forking", pidfile: "/run/d.pid" },
    event: { type: "pidfile-garbage" },
    to: "awaiting-pidfile",
    check: (n) => assert.equal(n.pidfileGarbage, true),
  },
  {
    name: "awaiting-pidfile + process-timeout after garbage → failed: contents not an integer",
    from: { state: "awaiting-pidfile", pidfileGarbage: true },
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
    name: "awaiting-pidfile + process-timeout without a file → failed: did not find pid file",
    from: { state: "awaiting-pidfile" },
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
    name: "awaiting-pidfile + pidfile-error → failed",
    from: { state: "awaiting-pidfile" },
    spec: { type: "forking", pidfile: "/run/d.pid" },
    event: { type: "pidfile-error", error: "no such process" },
    to: "failed",
    effects: ["settled:false"],
  },
  {
    name: "spawning + spawn-failed → failed",
    from: { state: "spawning" },
    event: { type: "spawn-failed", error: "executable 'x' not found" },
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
    name: "backoff + restart timer → spawning, spawn",
    from: { state: "backoff" },
    event: { type: "timer", timer: "restart" },
    to: "spawning",
    effects: ["spawn"],
    check: (n) => {
      assert.equal(n.restarts, 1);
      assert.equal(n.restarting, true);
    },
  },
  {
    name: "spawning (a restart) + spawn-failed → a failed run: backoff, budget spent by one",
    from: { state: "spawning", restarting: true, restartsLeft: 2 },
    spec: { restart: true, restartDelay: 2 },
    event: { type: "spawn-failed", error: "boom" },
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
    name: "spawning (a restart) + spawn-failed, budget spent → failed",
    from: { state: "spawning", restarting: true, restartsLeft: 0 },
    spec: { restart: true },
    event: { type: "spawn-failed", error: "boom" },
    to: "failed",
    not: ["set-timer:restart"],
    check: (n) => assert.equal(n.error, "boom"),
  },
  {
    name: "spawning (a restart) + spawn-failed with ignore_failures → idle",
    from: { state: "spawning", restarting: true, restartsLeft: 3 },
    spec: { restart: true, ignoreFailures: true },
    event: { type: "spawn-failed", error: "boom" },
    to: "idle",
    not: ["set-timer:restart"],
  },
  {
    name: "waiting + deps-ready → a fresh start, not a restart",
    from: { state: "waiting", restarting: true },
    event: { type: "deps-ready" },
    to: "spawning",
    check: (n) => assert.equal(n.restarting, undefined),
  },
  {
    name: "job-running cron + spawn-failed, restart on → scheduled, error, restart timer",
    from: { state: "job-running", restartsLeft: 2 },
    spec: { type: "cron", restart: true, restartDelay: 3 },
    event: { type: "spawn-failed", error: "boom" },
    to: "scheduled",
    effects: ["log:error", "log:info", "set-timer:restart"],
    check: (n) => assert.equal(n.restartsLeft, 1),
  },
  {
    name: "job-running cron + spawn-failed, restart off → scheduled, error only",
    from: { state: "job-running", restartsLeft: 2 },
    spec: { type: "cron" },
    event: { type: "spawn-failed", error: "boom" },
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
    from: { state: "stopping" },
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
    from: { state: "pausing", pid: 42 },
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
    name: "pausing simple + exit 0 with exit_kills → exit-kills (the system ends with 0)",
    from: { state: "pausing", pid: 42 },
    event: { type: "exited", pid: 42, status: EXIT0 },
    spec: { exitKills: true },
    to: "finished",
    effects: ["exit-kills", "settled:true"],
  },
  {
    name: "awaiting-exit oneshot + exit 0 with exit_kills → exit-kills",
    from: { state: "awaiting-exit", pid: 42 },
    event: { type: "exited", pid: 42, status: EXIT0 },
    spec: { type: "oneshot", exitKills: true },
    to: "finished",
    effects: ["exit-kills", "settled:true"],
  },
  {
    name:
      "starting forking + launcher exit with exit_kills → no exit-kills (the attached pid counts)",
    from: { state: "awaiting-exit", pid: 42 },
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
    name: "job-running cron + reset → job-stopping: the job stops, the schedule stays",
    from: { state: "job-running", pid: 42 },
    spec: { type: "cron" },
    event: { type: "reset" },
    to: "job-stopping",
    effects: ["signal:kill-signal"],
    not: ["unschedule"],
  },
  {
    name: "job-stopping + group-gone → scheduled again",
    from: { state: "job-stopping" },
    spec: { type: "cron" },
    event: { type: "group-gone" },
    to: "scheduled",
    not: ["unschedule"],
  },
  {
    name: "job-stopping + stop → stopping, unscheduled",
    from: { state: "job-stopping", pid: 42 },
    spec: { type: "cron" },
    event: { type: "stop" },
    to: "stopping",
    effects: ["unschedule"],
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
    name: "scheduled cron + tick → job-running, spawn",
    from: { state: "scheduled" },
    spec: { type: "cron" },
    event: { type: "cron-tick" },
    to: "job-running",
    effects: ["log:info", "spawn"],
  },
  {
    name: "job-running cron + tick → skipped with a warning",
    from: { state: "job-running", pid: 42 },
    spec: { type: "cron" },
    event: { type: "cron-tick" },
    to: "job-running",
    effects: ["log:warn"],
    not: ["spawn"],
  },
  {
    name: "job-running cron + job exit → scheduled",
    from: { state: "job-running", pid: 42 },
    spec: { type: "cron" },
    event: { type: "exited", pid: 42, status: EXIT0 },
    to: "scheduled",
    effects: ["cancel-timer:process-timeout", "cancel-timer:kill"],
    check: (n) => assert.equal(n.pid, undefined),
  },
  {
    name: "job-running cron + failed job, restart on → scheduled, restart timer, budget spent",
    from: { state: "job-running", pid: 42, restartsLeft: 2 },
    spec: { type: "cron", restart: true, restartDelay: 3 },
    event: { type: "exited", pid: 42, status: EXIT1 },
    to: "scheduled",
    effects: ["log:info", "set-timer:restart"],
    check: (n) => assert.equal(n.restartsLeft, 1),
  },
  {
    name: "job-running cron + failed job, restart off → scheduled, an error (cron.err), no restart",
    from: { state: "job-running", pid: 42 },
    spec: { type: "cron" },
    event: { type: "exited", pid: 42, status: EXIT1 },
    to: "scheduled",
    effects: ["log:error"],
    not: ["set-timer:restart"],
  },
  {
    name: "job-running cron + successful job → scheduled, budget refilled",
    from: { state: "job-running", pid: 42, restartsLeft: 0 },
    spec: { type: "cron", restart: true, restartLimit: 5 },
    event: { type: "exited", pid: 42, status: EXIT0 },
    to: "scheduled",
    check: (n) => assert.equal(n.restartsLeft, 5),
  },
  {
    name: "scheduled cron + restart timer → job-running: the job runs again",
    from: { state: "scheduled" },
    spec: { type: "cron", restart: true },
    event: { type: "timer", timer: "restart" },
    to: "job-running",
    effects: ["log:info", "spawn"],
    check: (n) => assert.equal(n.restarts, 1),
  },
  {
    name: "job-running cron + restart timer (a tick started a run meanwhile) → nothing",
    from: { state: "job-running", pid: 42 },
    spec: { type: "cron", restart: true },
    event: { type: "timer", timer: "restart" },
    to: "job-running",
    effects: [],
  },
  {
    name: "job-running cron + process-timeout → terminate the job, the schedule stays",
    from: { state: "job-running", pid: 42 },
    spec: { type: "cron" },
    event: { type: "timer", timer: "process-timeout" },
    to: "job-running",
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
  {
    name: "running + budget-changed (ctl reload raised restart_limit by 3) → restarts left +3",
    from: { state: "running", pid: 42, restartsLeft: 1 },
    event: { type: "budget-changed", by: 3 },
    to: "running",
    check: (n) => assert.equal(n.restartsLeft, 4),
  },
  // ------------------------------------------------ "Supervision production can trust"
  {
    name: "pausing (a restart) + exit 1 → a failed run: retried after the delay, counted",
    from: { state: "pausing", pid: 42, restarting: true, restartsLeft: 4, failedRuns: 1 },
    spec: { restart: true },
    event: { type: "exited", pid: 42, status: EXIT1 },
    to: "backoff",
    effects: ["log:error", "log:info", "set-timer:restart"],
    not: ["settled:false"],
    check: (n) => {
      assert.equal(n.restartsLeft, 3);
      assert.equal(n.failedRuns, 2);
    },
  },
  {
    name: "awaiting-ready (a restart) + process-timeout → a failed run: killed, then retried",
    from: { state: "awaiting-ready", pid: 42, restarting: true, restartsLeft: 2 },
    spec: { type: "notify", restart: true },
    event: { type: "timer", timer: "process-timeout" },
    to: "backoff",
    effects: ["log:error", "signal:kill-signal", "set-timer:kill", "set-timer:restart"],
  },
  {
    name: "pausing (a first start) + exit 1 → a failed start, not retried (the start-up fails)",
    from: { state: "pausing", pid: 42, restartsLeft: 4 },
    spec: { restart: true },
    event: { type: "exited", pid: 42, status: EXIT1 },
    to: "failed",
    effects: ["settled:false"],
    not: ["set-timer:restart"],
  },
  {
    name: "running + exit 1 with the budget spent → failed, one line naming the failed runs",
    from: { state: "running", pid: 42, restartsLeft: 0, failedRuns: 5, runStartedAt: 0 },
    spec: { restart: true },
    event: { type: "exited", pid: 42, status: EXIT1 },
    now: 1000,
    to: "failed",
    check: (n, fx) => {
      const line = fx.find((e) => e.type === "log" && e.level === "error");
      assert.deepEqual(line, {
        type: "log",
        level: "error",
        message: "web.service restart limit reached after 6 failed runs; giving up",
      });
      assert.equal(n.failedRuns, 6);
    },
  },
  {
    name: "running + exit 0 under restart: always → backoff after restart_delay, budget untouched",
    from: { state: "running", pid: 42, restartsLeft: 2 },
    spec: { restart: "always", restartLimit: 5 },
    event: { type: "exited", pid: 42, status: EXIT0 },
    to: "backoff",
    check: (n, fx) => {
      assert.equal(n.restartsLeft, 5);
      assert.deepEqual(fx.find((e) => e.type === "set-timer"), {
        type: "set-timer",
        timer: "restart",
        ms: 3000,
      });
    },
  },
  {
    name: "running + exit 1 with restart_backoff 2 → the delay doubled per restart used",
    from: { state: "running", pid: 42, restartsLeft: 3, runStartedAt: 0 },
    spec: { restart: true, restartLimit: 5, restartDelay: 1, restartBackoff: 2 },
    event: { type: "exited", pid: 42, status: EXIT1 },
    now: 100,
    to: "backoff",
    check: (_n, fx) =>
      assert.deepEqual(fx.find((e) => e.type === "set-timer"), {
        type: "set-timer",
        timer: "restart",
        ms: 4000,
      }),
  },
  {
    name: "backoff + restart timer after a run → cleaning: leftovers first",
    from: { state: "backoff", runPids: [42] },
    spec: { restart: true },
    event: { type: "timer", timer: "restart" },
    to: "cleaning",
    effects: ["clean-leftovers"],
    not: ["spawn"],
  },
  {
    name: "cleaning + leftovers-gone (2 killed) → spawning, one warning",
    from: { state: "cleaning", runPids: [42] },
    event: { type: "leftovers-gone", killed: 2 },
    to: "spawning",
    effects: ["log:warn", "spawn"],
    check: (n) => assert.deepEqual(n.runPids, []),
  },
  {
    name: "cleaning + leftovers-gone (none) → spawning, no warning",
    from: { state: "cleaning", runPids: [42] },
    event: { type: "leftovers-gone", killed: 0 },
    to: "spawning",
    not: ["log:warn"],
  },
  {
    name: "cleaning cron is never entered: a job's tick spawns at once",
    from: { state: "scheduled", runPids: [42] },
    spec: { type: "cron" },
    event: { type: "cron-tick" },
    to: "job-running",
    effects: ["spawn"],
  },
  {
    name: "scheduled cron + ctl run (a manual tick) → job-running, said in the log line",
    from: { state: "scheduled" },
    spec: { type: "cron" },
    event: { type: "cron-tick", manual: true },
    to: "job-running",
    check: (_n, fx) =>
      assert.ok(fx.some((e) => e.type === "log" && e.message.endsWith("(ctl run)"))),
  },
  {
    name: "spawning + spawned (simple with ready_probe) → probing, no pause, process-timeout",
    from: { state: "spawning" },
    spec: { readyProbe: true },
    event: { type: "spawned", pid: 42 },
    to: "probing",
    effects: ["set-timer:process-timeout", "start-probe"],
    not: ["set-timer:startup-pause", "settled:true"],
  },
  {
    name: "awaiting-ready + ready (notify with ready_probe) → probing",
    from: { state: "awaiting-ready", pid: 42 },
    spec: { type: "notify", readyProbe: true },
    event: { type: "ready" },
    to: "probing",
    effects: ["start-probe"],
    not: ["settled:true"],
  },
  {
    name: "probing + probe passed → running, settled",
    from: { state: "probing", pid: 42 },
    spec: { readyProbe: true },
    event: { type: "probe-result", probe: "ready", ok: true },
    to: "running",
    effects: ["cancel-timer:process-timeout", "settled:true"],
  },
  {
    name: "probing + probe failed → still probing, the result kept for status",
    from: { state: "probing", pid: 42 },
    spec: { readyProbe: true },
    event: { type: "probe-result", probe: "ready", ok: false, error: "connection refused" },
    to: "probing",
    check: (n) => assert.deepEqual(n.lastProbe, { ok: false, error: "connection refused" }),
  },
  {
    name: "probing + process-timeout → failed start, like a notify service without READY",
    from: { state: "probing", pid: 42 },
    spec: { readyProbe: true },
    event: { type: "timer", timer: "process-timeout" },
    to: "failed",
    effects: ["log:error", "signal:kill-signal", "settled:false"],
  },
  {
    name: "running + becomes running with a health probe: the probe starts",
    from: { state: "pausing", pid: 42 },
    spec: { healthFailures: 3 },
    event: { type: "timer", timer: "startup-pause" },
    to: "running",
    effects: ["settled:true", "start-probe"],
  },
  {
    name: "running + health probe fails twice of three → still running, counted",
    from: { state: "running", pid: 42, healthFailures: 1 },
    spec: { healthFailures: 3 },
    event: { type: "probe-result", probe: "health", ok: false, error: "HTTP 503" },
    to: "running",
    not: ["signal:kill-signal"],
    check: (n) => assert.equal(n.healthFailures, 2),
  },
  {
    name: "running + the third health failure in a row → warned, killed, marked unhealthy",
    from: { state: "running", pid: 42, healthFailures: 2 },
    spec: { healthFailures: 3, restart: true },
    event: { type: "probe-result", probe: "health", ok: false, error: "HTTP 503" },
    to: "running",
    effects: ["log:warn", "signal:kill-signal", "set-timer:kill"],
    check: (n) => assert.equal(n.unhealthy, true),
  },
  {
    name: "running (unhealthy) + exit 0 after the kill → a failed run under the policy",
    from: { state: "running", pid: 42, unhealthy: true, restartsLeft: 5 },
    spec: { healthFailures: 3, restart: true },
    event: { type: "exited", pid: 42, status: EXIT0 },
    to: "backoff",
    check: (n) => assert.equal(n.restartsLeft, 4),
  },
  {
    name: "running + a passing health probe → failures in a row back to 0",
    from: { state: "running", pid: 42, healthFailures: 2 },
    spec: { healthFailures: 3 },
    event: { type: "probe-result", probe: "health", ok: true },
    to: "running",
    check: (n) => assert.equal(n.healthFailures, 0),
  },
  {
    name: "pausing + stop (by ctl) → stopping; the start is abandoned, not failed",
    from: { state: "pausing", pid: 42 },
    event: { type: "stop", operator: true },
    to: "stopping",
    effects: ["settled:false"],
    check: (n, fx) => {
      assert.equal(n.stoppedByOperator, true);
      const settled = fx.find((e) => e.type === "settled");
      assert.equal(settled?.type === "settled" && settled.abandoned, true);
    },
  },
  {
    name: "running + stop without operator (a shutdown) → not marked stopped by an operator",
    from: { state: "running", pid: 42 },
    event: { type: "stop" },
    to: "stopping",
    not: ["settled:false"],
    check: (n) => assert.equal(n.stoppedByOperator, false),
  },
  {
    name: "spawned → the run's pid is recorded for the next run's cleaning",
    from: { state: "spawning" },
    event: { type: "spawned", pid: 42 },
    to: "pausing",
    check: (n) => assert.deepEqual(n.runPids, [42]),
  },
  {
    name: "running + main-pid → its group and session belong to the run too",
    from: { state: "running", pid: 42, runPids: [42] },
    spec: { type: "forking" },
    event: { type: "main-pid", pid: 77 },
    to: "running",
    effects: ["follow-main"],
    check: (n) => assert.deepEqual(n.runPids, [42, 77]),
  },
];

for (const row of ROWS) {
  Deno.test(`transition(): ${row.name}`, () => {
    const spec = specOf(row.spec);
    const s: ServiceSnapshot = {
      ...initialSnapshot(spec.name, { restartLimit: spec.restart.limit, enabled: true }),
      ...row.from,
    };
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
    ...initialSnapshot("a.service", { restartLimit: 5, enabled: true }),
    state: "running" as const,
    pid: 1,
  });
  transition(s, { type: "exited", pid: 1, status: EXIT1 }, specOf({ restart: true }), 0);
  assert.equal(s.state, "running");
});
