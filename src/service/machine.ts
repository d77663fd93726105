/**
 * The state x event table of one service (s6's actions[state][event], as a function).
 * `transition()` is pure: it returns the next snapshot and the effects the supervisor must
 * perform; it never touches processes, timers or the clock. Pairs not handled here are no-ops.
 */
import {
  type ExitStatus,
  formatProcStatus as procStatus,
  isNormalExit as isNormal,
} from "../process/exit_status.ts";
import type { ServiceType } from "../config/schema.ts";
import type { Effect, ServiceEvent, ServiceSnapshot, Transition } from "./state.ts";

/** The part of a service's configuration the machine needs. */
export interface MachineSpec {
  readonly name: string;
  readonly type: ServiceType;
  readonly restart: boolean;
  readonly restartLimit: number;
  readonly restartDelay: number; // s
  readonly processTimeout: number; // s
  readonly startupPause: number; // s
  readonly ignoreFailures: boolean;
  readonly exitKills: boolean;
  readonly pidfile?: string | undefined;
  /** Seconds between the stop signal and SIGKILL. */
  readonly stopTimeout: number;
  /** Watchdog interval in ms (notify services), when configured. */
  readonly watchdogMs?: number | undefined;
  /** The command as written, for log lines. */
  readonly command: string;
}

/** A run that stayed up this long refills the restart budget (Decision 10). */
export const BUDGET_REFILL_MS = 60_000;

/** Computes one step of the service's life. */
export function transition(
  s: ServiceSnapshot,
  e: ServiceEvent,
  spec: MachineSpec,
  now: number,
): Transition {
  const fx: Effect[] = [];
  const move = (patch: Partial<ServiceSnapshot>): Transition => {
    const next = { ...s, ...patch };
    if (next.state !== s.state) next.since = now;
    return { next, effects: fx };
  };
  const stay = (): Transition => ({ next: s, effects: fx });
  const log = (level: "debug" | "info" | "warn" | "error", message: string) =>
    fx.push({ type: "log", level, message });
  const ms = (seconds: number) => Math.max(0, Math.round(seconds * 1000));
  const alive = s.pid !== undefined || s.mainPid !== undefined;

  /** Another run after restart_delay, from a budget with `left` restarts. */
  const retry = (left: number, patch: Partial<ServiceSnapshot>): Transition => {
    log("info", `${spec.name} pausing between restart retries (${left - 1} left)`);
    fx.push({ type: "set-timer", timer: "restart", ms: ms(spec.restartDelay) });
    return move({ ...patch, restartsLeft: left - 1 });
  };

  /** A start attempt failed: count it as started with ignore_failures, else fail (killing what runs). */
  const failStart = (reason: string, procAlive: boolean): Transition => {
    fx.push({ type: "cancel-all-timers" });
    if (spec.ignoreFailures) {
      log("info", `service ${spec.name} ignoring failures. Exception: ${reason}`);
      fx.push({ type: "settled", ok: true });
      return move({ state: procAlive ? "running" : "finished", phase: undefined, error: reason });
    }
    if (procAlive) {
      fx.push({ type: "signal", signal: "kill-signal" });
      fx.push({ type: "set-timer", timer: "kill", ms: ms(spec.stopTimeout) });
    }
    fx.push({ type: "close-notify" });
    fx.push({ type: "settled", ok: false, reason });
    return move({ state: "failed", phase: undefined, error: reason });
  };

  /** The service's main process ended after start-up (or was reported failed by ERRNO=). */
  const ended = (status: ExitStatus, attached: boolean): Transition => {
    fx.push({ type: "cancel-all-timers" });
    const patch: Partial<ServiceSnapshot> = {
      lastExit: status,
      mainPid: undefined,
      pid: attached ? s.pid : undefined,
      phase: undefined,
    };
    if (spec.exitKills) {
      if (attached) log("warn", `${spec.name} terminated with exit_kills enabled`);
      else if (!isNormal(status)) {
        log("warn", `${spec.name} terminated abnormally with ${procStatus(status)}`);
      }
      fx.push({ type: "exit-kills", status });
      return move({ ...patch, state: isNormal(status) ? "finished" : "failed" });
    }
    if (isNormal(status)) {
      if (attached) log("info", `${spec.name} got explicit return code ${procStatus(status)}`);
      return move({ ...patch, state: "finished" });
    }
    if (spec.ignoreFailures) {
      log("debug", `${spec.name} abnormal process exit ignored due to ignore_failures=true`);
      return move({ ...patch, state: "idle" });
    }
    let left = s.restartsLeft;
    if (s.runStartedAt !== undefined && now - s.runStartedAt >= BUDGET_REFILL_MS) {
      left = spec.restartLimit;
    }
    if (spec.restart && left > 0) {
      fx.push({ type: "close-notify" });
      return retry(left, { ...patch, state: "backoff" });
    }
    log("error", `${spec.name} terminated abnormally with ${procStatus(status)}`);
    fx.push({ type: "close-notify" });
    return move({ ...patch, state: "failed", restartsLeft: left, error: procStatus(status) });
  };

  /**
   * A run that could not even be spawned (an expansion failing on this run, a program gone)
   * after the service had run: a failed run, so the restart policy applies as for a crash.
   */
  const failedRun = (reason: string): Transition => {
    fx.push({ type: "cancel-all-timers" });
    const patch = { phase: undefined, error: reason, restarting: undefined };
    if (spec.ignoreFailures) {
      log("debug", `${spec.name} failed run ignored due to ignore_failures=true`);
      return move({ ...patch, state: "idle" });
    }
    fx.push({ type: "close-notify" });
    if (spec.restart && s.restartsLeft > 0) {
      return retry(s.restartsLeft, { ...patch, state: "backoff" });
    }
    return move({ ...patch, state: "failed" });
  };

  /** Stop (or reset): signal what runs, then wait for the group to be gone. */
  const stop = (afterStop: "idle" | "scheduled"): Transition => {
    fx.push({ type: "cancel-all-timers" });
    if (afterStop === "idle") fx.push({ type: "unschedule" });
    const refill = { restartsLeft: spec.restartLimit };
    if (alive) {
      // The pidfile goes when the group is gone: a daemon still running removes its own at
      // exit and logs an error (nginx: "unlink() ... failed") when it is already deleted.
      fx.push({ type: "signal", signal: "kill-signal" });
      fx.push({ type: "set-timer", timer: "kill", ms: ms(spec.stopTimeout) });
      return move({ ...refill, state: "stopping", afterStop, phase: undefined });
    }
    fx.push({ type: "remove-pidfile" });
    fx.push({ type: "close-notify" });
    return move({ ...refill, state: afterStop, phase: undefined, error: undefined });
  };

  const enterPidfileWait = (): Transition => {
    fx.push({ type: "cancel-timer", timer: "startup-pause" });
    fx.push({ type: "watch-pidfile" });
    fx.push({ type: "set-timer", timer: "process-timeout", ms: ms(spec.processTimeout) });
    return move({ phase: "pidfile" });
  };

  const becomeRunning = (patch: Partial<ServiceSnapshot> = {}): Transition => {
    fx.push({ type: "cancel-timer", timer: "startup-pause" });
    fx.push({ type: "cancel-timer", timer: "process-timeout" });
    if (spec.watchdogMs) {
      fx.push({ type: "set-timer", timer: "watchdog", ms: spec.watchdogMs });
    }
    fx.push({ type: "settled", ok: true });
    return move({ ...patch, state: "running", phase: undefined, error: undefined });
  };

  switch (e.type) {
    case "start":
      if (s.state !== "idle") return stay();
      return move({ state: "waiting", initial: e.initial, error: undefined });

    case "deps-ready":
      if (s.state !== "waiting") return stay();
      if (spec.type === "cron" || spec.type === "inetd") {
        // Scheduling can fail (a port in use): the supervisor answers `ready` or `spawn-failed`.
        fx.push({ type: "schedule" });
        return move({ state: "starting", phase: undefined });
      }
      if (spec.type === "notify") fx.push({ type: "open-notify" });
      fx.push({ type: "spawn" });
      return move({
        state: "starting",
        phase: undefined,
        reportedErrno: undefined,
        pidfileGarbage: undefined,
        restarting: undefined,
      });

    case "deps-failed":
      if (s.state !== "waiting") return stay();
      fx.push({ type: "settled", ok: false, reason: `prerequisite ${e.dependency} failed` });
      return move({ state: "failed", error: `prerequisite ${e.dependency} failed` });

    case "spawned": {
      if (s.state === "scheduled") {
        fx.push({ type: "set-timer", timer: "process-timeout", ms: ms(spec.processTimeout) });
        return move({ pid: e.pid, runStartedAt: now });
      }
      if (s.state !== "starting") return stay();
      const base = { pid: e.pid, mainPid: undefined, runStartedAt: now };
      if (spec.type === "simple" || spec.type === "notify") {
        fx.push({ type: "set-timer", timer: "startup-pause", ms: ms(spec.startupPause) });
        if (spec.type === "notify") {
          fx.push({ type: "set-timer", timer: "process-timeout", ms: ms(spec.processTimeout) });
        }
        return move({ ...base, phase: "pause" });
      }
      fx.push({ type: "set-timer", timer: "process-timeout", ms: ms(spec.processTimeout) });
      return move({ ...base, phase: "exit-wait" });
    }

    case "spawn-failed":
      if (s.state === "scheduled") {
        log("error", `cron service ${spec.name} failed to start: ${e.error}`);
        // A failed run of the job: with `restart` it is repeated, as after a failed exit.
        const again = spec.restart && s.restartsLeft > 0 && !spec.ignoreFailures;
        return again && !spec.exitKills ? retry(s.restartsLeft, {}) : stay();
      }
      if (s.state !== "starting") return stay();
      if (s.restarting) {
        log("error", `${spec.name} failed to start: ${e.error}`);
        return failedRun(e.error);
      }
      return failStart(e.error, false);

    case "exited": {
      const isChild = e.pid === s.pid;
      const isMain = e.pid === s.mainPid;
      if (!isChild && !isMain) return stay();
      const rest: Partial<ServiceSnapshot> = isChild ? { pid: undefined } : { mainPid: undefined };
      switch (s.state) {
        case "starting": {
          // The startup pause had already run out when this exit is handled: its timer is due
          // but a busy event loop delivered the exit first. Settle the start as the timer would
          // have, so a crash after the pause is a service failure (restarted by the policy),
          // not a failed start (never retried) that depends on the order of two due events.
          if (
            isChild && spec.type === "simple" && !spec.pidfile && s.phase === "pause" &&
            s.runStartedAt !== undefined && now - s.runStartedAt >= ms(spec.startupPause)
          ) {
            const started = transition(s, { type: "timer", timer: "startup-pause" }, spec, now);
            const ended = transition(started.next, e, spec, now);
            return { next: ended.next, effects: [...started.effects, ...ended.effects] };
          }
          // An exit_kills process ends the system with its own status even while it is still
          // starting (`--task false` exits 1, a task killed by SIGKILL 137: Decision 1).
          if (spec.exitKills && (isMain || spec.type === "simple" || spec.type === "oneshot")) {
            fx.push({ type: "exit-kills", status: e.status });
          }
          if (isMain) {
            s = { ...s, ...rest };
            return failStart(
              `${spec.name} failed on start-up with result '${procStatus(e.status)}'`,
              s.pid !== undefined,
            );
          }
          s = { ...s, ...rest, lastExit: e.status };
          if (!isNormal(e.status)) {
            return failStart(
              `${spec.name} failed on start-up with result '${procStatus(e.status)}'`,
              s.mainPid !== undefined,
            );
          }
          switch (spec.type) {
            case "notify":
              return move({}); // a daemonising launcher: its child must send READY=1
            case "simple":
            case "forking":
              if (spec.pidfile && s.phase !== "pidfile") return enterPidfileWait();
              if (spec.pidfile) return move({});
              break;
            default:
              break;
          }
          fx.push({ type: "cancel-all-timers" });
          fx.push({ type: "settled", ok: true });
          return move({ state: "finished", phase: undefined });
        }
        case "running": {
          // A forking/notify launcher that exits after handing over to an attached pid.
          if (isChild && s.mainPid !== undefined) return move(rest);
          return ended(e.status, isMain);
        }
        case "scheduled": {
          fx.push({ type: "cancel-timer", timer: "process-timeout" });
          // A kill timer left from an overstaying run must not hit the next run.
          fx.push({ type: "cancel-timer", timer: "kill" });
          if (spec.exitKills) fx.push({ type: "exit-kills", status: e.status });
          if (isNormal(e.status)) {
            // Budgets count consecutive failed runs (Decision 10).
            return move({ ...rest, lastExit: e.status, restartsLeft: spec.restartLimit });
          }
          if (spec.ignoreFailures) {
            log("debug", `${spec.name} abnormal process exit ignored due to ignore_failures=true`);
          } else if (spec.restart && s.restartsLeft > 0 && !spec.exitKills) {
            // As the original: with `restart` a failed run is repeated after restart_delay.
            return retry(s.restartsLeft, { ...rest, lastExit: e.status });
          } else {
            log("warn", `${spec.name} terminated abnormally with ${procStatus(e.status)}`);
          }
          return move({ ...rest, lastExit: e.status });
        }
        case "stopping": {
          const next = { ...s, ...rest, lastExit: s.lastExit ?? e.status };
          if (next.pid === undefined && next.mainPid === undefined) {
            fx.push({ type: "watch-group" });
          }
          return { next, effects: fx };
        }
        default:
          if (isChild && s.state === "failed") fx.push({ type: "cancel-timer", timer: "kill" });
          return move(rest);
      }
    }

    case "group-gone":
      if (s.state !== "stopping") return stay();
      fx.push({ type: "cancel-all-timers" });
      // A daemon killed with SIGKILL leaves its pidfile, which the next start must not read.
      fx.push({ type: "remove-pidfile" });
      fx.push({ type: "close-notify" });
      log("info", `${spec.name} received reset`);
      return move({ state: s.afterStop ?? "idle", afterStop: undefined, phase: undefined });

    case "ready":
      if (s.state === "starting" && (spec.type === "cron" || spec.type === "inetd")) {
        fx.push({ type: "settled", ok: true });
        return move({ state: "scheduled", phase: undefined, error: undefined });
      }
      if (s.state !== "starting" || spec.type !== "notify") return stay();
      if (s.reportedErrno !== undefined) {
        return failStart(
          `${spec.name} failed with reported error <ProcStatus exit_status=${s.reportedErrno}>`,
          alive,
        );
      }
      return becomeRunning();

    case "notify-errno":
      if (s.state === "starting") {
        return failStart(
          `${spec.name} failed with reported error <ProcStatus exit_status=${e.errno}>`,
          alive,
        );
      }
      if (s.state === "running") return ended({ code: e.errno, signal: null }, true);
      return stay();

    case "main-pid":
      if (s.state !== "starting" && s.state !== "running") return stay();
      log("debug", `${spec.name} changing PID to ${e.pid} (from ${s.mainPid ?? s.pid ?? "none"})`);
      if (s.state === "starting" && s.phase === "pidfile") {
        return becomeRunning({ mainPid: e.pid });
      }
      return move({ mainPid: e.pid });

    case "pidfile-garbage":
      if (s.state !== "starting" || s.phase !== "pidfile") return stay();
      return move({ pidfileGarbage: true });

    case "pidfile-error":
      if (s.state !== "starting") return stay();
      return failStart(e.error, alive);

    case "timer":
      switch (e.timer) {
        case "startup-pause":
          if (s.state !== "starting") return stay();
          if (spec.type === "notify") return move({ phase: "ready-wait" });
          if (spec.pidfile) return enterPidfileWait();
          return becomeRunning();
        case "process-timeout": {
          if (s.state === "scheduled" && s.pid !== undefined) {
            log("warn", `cron service ${spec.name} overstayed its process_timeout, terminating`);
            fx.push({ type: "signal", signal: "kill-signal" });
            fx.push({ type: "set-timer", timer: "kill", ms: ms(spec.stopTimeout) });
            return stay();
          }
          if (s.state !== "starting") return stay();
          const t = spec.processTimeout;
          const how = spec.ignoreFailures
            ? "proceeding due to 'ignore_failures=True'"
            : "terminating due to 'ignore_failures=False'";
          let reason: string;
          if (s.phase === "pidfile") {
            reason = s.pidfileGarbage
              ? `${spec.name} found pid file '${spec.pidfile}' but contents did not contain an integer`
              : `${spec.name} did not find pid file '${spec.pidfile}' before ${t}sec process_timeout expired`;
          } else if (spec.type === "notify") {
            reason =
              `notify service '${spec.name}' did not receive ready notification after ${t} second(s), ${how}`;
          } else {
            reason =
              `${spec.type} service '${spec.name}' did not exit after ${t} second(s), ${how}`;
          }
          log("error", reason);
          return failStart(reason, alive);
        }
        case "restart":
          if (s.state === "scheduled" && spec.type === "cron") {
            if (s.pid !== undefined) return stay(); // a tick started a run meanwhile
            log("info", `cron service ${spec.name} running CMD ( ${spec.command} )`);
            fx.push({ type: "spawn" });
            return move({ restarts: s.restarts + 1 });
          }
          if (s.state !== "backoff") return stay();
          if (spec.type === "notify") fx.push({ type: "open-notify" });
          fx.push({ type: "spawn" });
          return move({
            state: "starting",
            restarts: s.restarts + 1,
            reportedErrno: undefined,
            pidfileGarbage: undefined,
            restarting: true,
          });
        case "kill":
          // While stopping, the leader may be gone but members of its group still live (a
          // child that ignores SIGTERM): the group must still get its SIGKILL.
          if (alive || s.state === "stopping") fx.push({ type: "signal", signal: "SIGKILL" });
          return stay();
        case "watchdog":
          if (s.state !== "running") return stay();
          log("error", `${spec.name} missed its watchdog deadline, terminating`);
          fx.push({ type: "signal", signal: "kill-signal" });
          fx.push({ type: "set-timer", timer: "kill", ms: ms(spec.stopTimeout) });
          return stay();
        default: {
          const _exhaustive: never = e.timer;
          throw new TypeError(`unknown timer ${_exhaustive}`);
        }
      }

    case "watchdog-ping":
      if (s.state === "running" && spec.watchdogMs) {
        fx.push({ type: "set-timer", timer: "watchdog", ms: spec.watchdogMs });
      }
      return stay();

    case "extend-timeout":
      if (s.state === "starting") {
        fx.push({ type: "set-timer", timer: "process-timeout", ms: e.ms });
      }
      return stay();

    case "stop":
      if (s.state === "idle" && !alive) {
        fx.push({ type: "unschedule" });
        return move({ restartsLeft: spec.restartLimit });
      }
      if (s.state === "stopping") return move({ afterStop: "idle" });
      return stop("idle");

    case "reset": {
      if (s.state === "stopping") return stay();
      const target = s.state === "scheduled" ? "scheduled" : "idle";
      return stop(target);
    }

    case "cron-tick":
      if (s.state !== "scheduled") return stay();
      if (s.pid !== undefined) {
        log(
          "warn",
          `cron service ${spec.name} is still running when next interval expired, will not run again`,
        );
        return stay();
      }
      log("info", `cron service ${spec.name} running CMD ( ${spec.command} )`);
      fx.push({ type: "cancel-timer", timer: "restart" });
      fx.push({ type: "spawn" });
      return stay();

    default: {
      const _exhaustive: never = e;
      throw new TypeError(`unknown event ${JSON.stringify(_exhaustive)}`);
    }
  }
}
