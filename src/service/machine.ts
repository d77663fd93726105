/**
 * The state × event table of one service, as s6-supervise's `actions[state][event]`:
 * `transition()` looks up `TABLE[state][event]`, a small named handler, and returns the next
 * snapshot and the effects the supervisor must perform. It never touches processes, timers or
 * the clock. A pair the table does not list is a no-op (the supervisor logs nothing for it).
 *
 * What differs between service types is data (kinds.ts); whether a failed run is run again is
 * decided in one place (restart.ts). The actions several cells share (fail a start, end a run
 * under the restart policy, stop) are the methods of `Step` in actions.ts.
 */
import { type ExitStatus, formatProcStatus, isNormalExit } from "../process/exit_status.ts";
import { type EventOf, type MachineSpec, Step } from "./actions.ts";
import { timeoutReason } from "./kinds.ts";
import { decideRestart } from "./restart.ts";
import type { ServiceEvent, ServiceSnapshot, ServiceState, Transition } from "./state.ts";

export type { MachineSpec } from "./actions.ts";

type Handler<T extends ServiceEvent["type"]> = (step: Step, event: EventOf<T>) => Transition;
/** One row of the table: the handlers of one state, by event type. */
type Row = { readonly [T in ServiceEvent["type"]]?: Handler<T> };

/** `pid` is the service's spawned or attached process. */
function owns(s: ServiceSnapshot, pid: number): boolean {
  return pid === s.pid || pid === s.mainPid;
}

// ---------------------------------------------------------------- cells shared by rows

const spawnedStarting: Handler<"spawned"> = (t, e) => {
  const base = {
    pid: e.pid,
    lastPid: e.pid,
    mainPid: undefined,
    runStartedAt: t.now,
    runPids: [e.pid],
  };
  const state = t.rules.afterSpawn;
  if (state === "pausing" && t.spec.readyProbe) {
    // For a simple service a ready_probe replaces the startup pause.
    t.timer("process-timeout", t.spec.processTimeoutMs);
    return t.derive(base).ready();
  }
  if (state === "pausing") t.timer("startup-pause", t.spec.startupPauseMs);
  else t.timer("process-timeout", t.spec.processTimeoutMs);
  return t.move({ ...base, state });
};

const spawnFailedStarting: Handler<"spawn-failed"> = (t, e) => t.failStart(e.error, false);

const exitedStarting: Handler<"exited"> = (t, e) =>
  owns(t.s, e.pid) ? t.exitedStarting(e) : t.stay();

const mainPidStarting: Handler<"main-pid"> = (t, e) => {
  t.log(
    "debug",
    `${t.spec.name} changing PID to ${e.pid} (from ${t.s.mainPid ?? t.s.pid ?? "none"})`,
  );
  if (e.pid !== t.s.pid && e.pid !== t.s.mainPid) t.emit({ type: "follow-main" });
  return t.move(attached(t, e.pid));
};

/** The snapshot fields of an attached main pid, whose group and session belong to the run. */
function attached(t: Step, pid: number): Partial<ServiceSnapshot> {
  const runPids = t.s.runPids.includes(pid) ? t.s.runPids : [...t.s.runPids, pid];
  return { mainPid: pid, lastPid: pid, runPids };
}

const processTimeout: Handler<"timer"> = (t, e) => {
  if (e.timer !== "process-timeout") return killTimer(t, e);
  const reason = timeoutReason(
    { ...t.spec, processTimeout: t.spec.processTimeoutMs / 1000 },
    t.s.state,
    { pidfileGarbage: t.s.pidfileGarbage === true, ignoreFailures: t.spec.ignoreFailures },
  );
  t.log("error", reason);
  return t.failStart(reason);
};

const killTimer: Handler<"timer"> = (t, e) => {
  // While stopping, the leader may be gone but members of its group still live (a child
  // that ignores SIGTERM): the group must still get its SIGKILL.
  const stopping = t.s.state === "stopping" || t.s.state === "job-stopping";
  if (e.timer === "kill" && (t.alive || stopping)) t.emit({ type: "signal", signal: "SIGKILL" });
  return t.stay();
};

const extendTimeout: Handler<"extend-timeout"> = (t, e) => t.timer("process-timeout", e.ms).stay();

const pidfileError: Handler<"pidfile-error"> = (t, e) => t.failStart(e.error);

const notifyErrnoStarting: Handler<"notify-errno"> = (t, e) =>
  t.failStart(`${t.spec.name} failed with reported error <ProcStatus exit_status=${e.errno}>`);

const stopLive = (t: Step, e?: EventOf<"stop" | "reset">): Transition =>
  t.stop("idle", e?.type === "stop" && e.operator === true);

/** The cells every starting state with a process shares. */
const STARTING_WITH_PROCESS: Row = {
  "exited": exitedStarting,
  "main-pid": mainPidStarting,
  "pidfile-error": pidfileError,
  "timer": processTimeout,
  "extend-timeout": extendTimeout,
  "notify-errno": notifyErrnoStarting,
  "stop": stopLive,
  "reset": stopLive,
};

const exitedGone: Handler<"exited"> = (t, e) => {
  if (!owns(t.s, e.pid)) return t.stay();
  if (e.pid === t.s.pid && t.s.state === "failed") t.emit({ type: "cancel-timer", timer: "kill" });
  return t.move(e.pid === t.s.pid ? { pid: undefined } : { mainPid: undefined });
};

const exitedStopping: Handler<"exited"> = (t, e) => {
  if (!owns(t.s, e.pid)) return t.stay();
  const rest = e.pid === t.s.pid ? { pid: undefined } : { mainPid: undefined };
  const next = { ...t.s, ...rest, lastExit: t.s.lastExit ?? e.status };
  if (next.pid === undefined && next.mainPid === undefined) t.emit({ type: "watch-group" });
  return { next, effects: t.fx };
};

const groupGone = (target: "idle" | "scheduled"): Handler<"group-gone"> => (t) => {
  // A daemon killed with SIGKILL leaves its pidfile, which the next start must not read.
  t.emit({ type: "cancel-all-timers" }, { type: "remove-pidfile" }, { type: "close-notify" });
  t.log("debug", `${t.spec.name} received reset`);
  return t.move({ state: target });
};

const stopIdle = (t: Step, e: EventOf<"stop">): Transition =>
  t.emit({ type: "unschedule" }).move({
    restartsLeft: t.spec.restart.limit,
    failedRuns: 0,
    stoppedByOperator: e.operator === true || t.s.stoppedByOperator,
  });

/** A stop while the process is being spawned: its pid is not known yet, so it is signalled when it comes. */
function stopSpawning(t: Step, operator: boolean): Transition {
  const reason = `${t.spec.name} was stopped before it was up`;
  t.emit({ type: "settled", ok: false, reason, abandoned: true });
  return t.timer("kill", t.spec.stopTimeoutMs).move({
    state: "stopping",
    stoppedByOperator: operator,
  });
}

/** A run of a cron job, on a tick (`manual`: ctl run) or a retry. */
function cronRun(t: Step, patch: Partial<ServiceSnapshot> = {}, manual = false): Transition {
  const why = manual ? " (ctl run)" : "";
  t.log("info", `cron service ${t.spec.name} running CMD ( ${t.spec.command} )${why}`);
  t.emit({ type: "cancel-timer", timer: "restart" }, { type: "spawn" });
  return t.move({ ...patch, state: "job-running" });
}

// ---------------------------------------------------------------- the table

/** `TABLE[state][event]`: the handler of each pair that does something. */
export const TABLE: { readonly [S in ServiceState]: Row } = {
  "idle": {
    "start": (t, e) =>
      t.s.enabled ? t.move({ state: "waiting", initial: e.initial, error: undefined }) : t.stay(),
    "exited": exitedGone,
    "stop": (t, e) => t.alive ? stopLive(t, e) : stopIdle(t, e),
    "reset": (t) => t.stop("idle"),
    "timer": killTimer,
  },
  "cleaning": {
    "leftovers-gone": (t, e) => {
      if (e.killed > 0) {
        t.log("warn", `${t.spec.name} killed ${e.killed} leftover process(es) of its previous run`);
      }
      return t.derive({ runPids: [] }).spawn();
    },
    "stop": stopLive,
    "reset": stopLive,
  },
  "waiting": {
    "deps-ready": (t) => {
      if (t.rules.scheduled) return t.emit({ type: "schedule" }).move({ state: "scheduling" });
      return t.launch({ restarting: undefined });
    },
    "deps-failed": (t, e) => {
      const reason = `prerequisite ${e.dependency} failed`;
      return t.emit({ type: "settled", ok: false, reason }).move({
        state: "failed",
        error: reason,
      });
    },
    "stop": stopLive,
    "reset": stopLive,
  },
  "opening": {
    "notify-opened": (t) => t.emit({ type: "spawn" }).move({ state: "spawning" }),
    "spawn-failed": spawnFailedStarting,
    "stop": stopLive,
    "reset": stopLive,
  },
  "spawning": {
    "spawned": spawnedStarting,
    "spawn-failed": spawnFailedStarting,
    // The process may already be running, its `spawned` still queued: stop it when it comes.
    "stop": (t, e) => stopSpawning(t, e.operator === true),
    "reset": (t) => stopSpawning(t, false),
  },
  "pausing": {
    ...STARTING_WITH_PROCESS,
    "exited": (t, e) => {
      // The startup pause had already run out when this exit is handled: its timer is due
      // but a busy event loop delivered the exit first. Settle the start as the timer would
      // have, so a crash after the pause is a service failure (restarted by the policy), not
      // a failed start (never retried) that depends on the order of two due events.
      const elapsed = t.s.runStartedAt !== undefined &&
        t.now - t.s.runStartedAt >= t.spec.startupPauseMs;
      if (e.pid === t.s.pid && !t.awaitsPidfile && elapsed) {
        const running = t.becomeRunning().next;
        return t.derive(running).ended(e.status, false);
      }
      return exitedStarting(t, e);
    },
    "timer": (t, e) => {
      if (e.timer !== "startup-pause") return processTimeout(t, e);
      return t.awaitsPidfile ? t.enterPidfileWait() : t.ready();
    },
  },
  "awaiting-ready": {
    ...STARTING_WITH_PROCESS,
    "ready": (t) => t.ready(),
  },
  "awaiting-exit": STARTING_WITH_PROCESS,
  "awaiting-pidfile": {
    ...STARTING_WITH_PROCESS,
    "main-pid": (t, e) => {
      mainPidStarting(t, e);
      return t.ready(attached(t, e.pid));
    },
    "pidfile-garbage": (t) => t.move({ pidfileGarbage: true }),
  },
  "probing": {
    ...STARTING_WITH_PROCESS,
    "probe-result": (t, e) => {
      if (e.probe !== "ready") return t.stay();
      if (e.ok) return t.becomeRunning({ lastProbe: { ok: true } });
      return t.move({ lastProbe: { ok: false, error: e.error } });
    },
  },
  "running": {
    "exited": (t, e) => {
      if (!owns(t.s, e.pid)) return t.stay();
      // A forking or notify launcher that exits after handing over to an attached pid.
      if (e.pid === t.s.pid && t.s.mainPid !== undefined) return t.move({ pid: undefined });
      return t.ended(e.status, e.pid === t.s.mainPid);
    },
    "main-pid": mainPidStarting,
    "notify-errno": (t, e) => t.ended({ code: e.errno, signal: null }, true),
    "timer": (t, e) => {
      if (e.timer !== "watchdog") return killTimer(t, e);
      t.log("error", `${t.spec.name} missed its watchdog deadline, terminating`);
      t.emit({ type: "signal", signal: "kill-signal" });
      return t.timer("kill", t.spec.stopTimeoutMs).stay();
    },
    "watchdog-ping": (t) =>
      t.spec.watchdogMs ? t.timer("watchdog", t.spec.watchdogMs).stay() : t.stay(),
    "probe-result": (t, e) => {
      const probe = t.spec.healthProbe;
      if (e.probe !== "health" || !probe || t.s.unhealthy) return t.stay();
      if (e.ok) return t.move({ healthFailures: 0, lastProbe: { ok: true } });
      const failures = t.s.healthFailures + 1;
      const lastProbe = { ok: false, error: e.error };
      if (failures < probe.failures) return t.move({ healthFailures: failures, lastProbe });
      t.log(
        "warn",
        `${t.spec.name} health probe ${probe.description} failed ${failures} times in a row ` +
          `(last: ${e.error}); restarting`,
      );
      t.emit({ type: "signal", signal: "kill-signal" });
      t.timer("kill", t.spec.stopTimeoutMs);
      return t.move({ healthFailures: failures, lastProbe, unhealthy: true });
    },
    "stop": stopLive,
    "reset": stopLive,
  },
  "finished": { "exited": exitedGone, "stop": stopLive, "reset": stopLive, "timer": killTimer },
  "failed": { "exited": exitedGone, "stop": stopLive, "reset": stopLive, "timer": killTimer },
  "backoff": {
    "timer": (t, e) => {
      if (e.timer !== "restart") return killTimer(t, e);
      return t.launch({ restarts: t.s.restarts + 1, restarting: true });
    },
    "exited": exitedGone,
    "stop": stopLive,
    "reset": stopLive,
  },
  "stopping": {
    "spawned": (t, e) =>
      t.emit({ type: "signal", signal: "kill-signal" }).move({
        pid: e.pid,
        lastPid: e.pid,
        runStartedAt: t.now,
        runPids: [e.pid],
      }),
    "spawn-failed": (t) =>
      t.emit({ type: "cancel-all-timers" }, { type: "close-notify" }).move({ state: "idle" }),
    "exited": exitedStopping,
    "group-gone": groupGone("idle"),
    "timer": killTimer,
  },
  "scheduling": {
    "scheduled": (t) =>
      t.emit({ type: "settled", ok: true }).move({ state: "scheduled", error: undefined }),
    "spawn-failed": (t, e) => t.failStart(e.error, false),
    "stop": stopLive,
    "reset": stopLive,
  },
  "scheduled": {
    "cron-tick": (t, e) => cronRun(t, {}, e.manual === true),
    "timer": (t, e) => {
      if (e.timer !== "restart") return killTimer(t, e);
      return cronRun(t, { restarts: t.s.restarts + 1 });
    },
    "exited": exitedGone,
    "stop": stopLive,
    "reset": (t) => t.stop("scheduled"),
  },
  "job-running": {
    "spawned": (t, e) =>
      t.timer("process-timeout", t.spec.processTimeoutMs).move({
        pid: e.pid,
        lastPid: e.pid,
        runStartedAt: t.now,
      }),
    "spawn-failed": (t, e) => {
      t.log("error", `cron service ${t.spec.name} failed to start: ${e.error}`);
      return jobFailed(t, undefined, { state: "scheduled" });
    },
    "exited": (t, e) => {
      if (e.pid !== t.s.pid) return t.stay();
      t.emit({ type: "cancel-timer", timer: "process-timeout" });
      // A kill timer left from an overstaying run must not hit the next run.
      t.emit({ type: "cancel-timer", timer: "kill" });
      if (t.spec.exitKills) t.emit({ type: "exit-kills", status: e.status });
      const patch = { state: "scheduled" as const, pid: undefined, lastExit: e.status };
      if (isNormalExit(e.status)) return t.move({ ...patch, restartsLeft: t.spec.restart.limit });
      return jobFailed(t, e.status, patch);
    },
    "cron-tick": (t) => {
      t.log(
        "warn",
        `cron service ${t.spec.name} is still running when next interval expired, will not run again`,
      );
      return t.stay();
    },
    "timer": (t, e) => {
      if (e.timer !== "process-timeout") return killTimer(t, e);
      t.log("warn", `cron service ${t.spec.name} overstayed its process_timeout, terminating`);
      t.emit({ type: "signal", signal: "kill-signal" });
      return t.timer("kill", t.spec.stopTimeoutMs).stay();
    },
    "stop": stopLive,
    "reset": (t) => t.stop("scheduled"),
  },
  "job-stopping": {
    "exited": exitedStopping,
    "group-gone": groupGone("scheduled"),
    "stop": (t) => t.emit({ type: "unschedule" }).move({ state: "stopping" }),
    "timer": killTimer,
  },
};

/** A cron job's run failed: with `restart` it is repeated after the delay, as the original. */
function jobFailed(
  t: Step,
  exit: ExitStatus | undefined,
  patch: Partial<ServiceSnapshot>,
): Transition {
  if (t.spec.ignoreFailures) {
    t.log("debug", `${t.spec.name} abnormal process exit ignored due to ignore_failures=true`);
    return t.move(patch);
  }
  let next = patch;
  if (!t.spec.exitKills) {
    const history = {
      left: t.s.restartsLeft,
      runStartedAt: exit && t.s.runStartedAt,
      failures: t.s.failedRuns,
    };
    const d = decideRestart(t.spec.restart, history, true, t.now);
    next = { ...patch, restartsLeft: d.left, failedRuns: d.failures };
    if (d.restart) {
      t.log("info", `${t.spec.name} pausing between restart retries (${d.left} left)`);
      return t.timer("restart", d.delayMs).move(next);
    }
  }
  // A failed run of a job is an error of the cron facility (`*.err` sections see it); the
  // schedule stays.
  if (exit) t.log("error", `${t.spec.name} terminated abnormally with ${formatProcStatus(exit)}`);
  return t.move(next);
}

/** The cells that do the same in every state. */
const ANY: Row = {
  "notify-status": (t, e) => t.move({ statusText: e.text }),
  "enable": (t) => t.move({ enabled: true }),
  "disable": (t) => t.move({ enabled: false }),
  "connection-opened": (t) => t.move({ connections: t.s.connections + 1 }),
  "budget-changed": (t, e) => t.move({ restartsLeft: Math.max(0, t.s.restartsLeft + e.by) }),
  "connection-closed": (t) => t.move({ connections: Math.max(0, t.s.connections - 1) }),
  // A notify socket that opens after its start was abandoned is closed again.
  "notify-opened": (t) => t.emit({ type: "close-notify" }).stay(),
};

/** Computes one step of the service's life: `TABLE[state][event]`, else the shared cells. */
export function transition(
  s: ServiceSnapshot,
  e: ServiceEvent,
  spec: MachineSpec,
  now: number,
): Transition {
  const handler = (TABLE[s.state][e.type] ?? ANY[e.type]) as Handler<typeof e.type> | undefined;
  const step = new Step(s, spec, now);
  return handler ? handler(step, e as never) : step.stay();
}
