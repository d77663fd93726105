/**
 * The actions that several cells of the service table (machine.ts) share: fail a start, end a
 * run under the restart policy, stop, become running. A `Step` is one transition under way:
 * the snapshot it starts from and the effects it collects; its methods return the next
 * snapshot. Pure, like the table.
 */
import { type ExitStatus, formatProcStatus, isNormalExit } from "../process/exit_status.ts";
import type { ServiceType } from "../config/schema.ts";
import { KIND_RULES, type KindRules } from "./kinds.ts";
import { decideRestart, isFailedExit, type RestartPolicy } from "./restart.ts";
import {
  type Effect,
  isStarting,
  type LogLevel,
  type ServiceEvent,
  type ServiceSnapshot,
  type TimerName,
  type Transition,
} from "./state.ts";

/** The part of a service's configuration the machine needs (durations in ms). */
export interface MachineSpec {
  readonly name: string;
  readonly type: ServiceType;
  readonly restart: RestartPolicy;
  readonly processTimeoutMs: number;
  readonly startupPauseMs: number;
  /** Between the stop signal and SIGKILL. */
  readonly stopTimeoutMs: number;
  /** Watchdog interval (notify services), when configured. */
  readonly watchdogMs?: number | undefined;
  readonly ignoreFailures: boolean;
  readonly exitKills: boolean;
  readonly pidfile?: string | undefined;
  /** The command as written, for log lines. */
  readonly command: string;
  /** `ready_probe`: how it reads in log lines. */
  readonly readyProbe?: { readonly description: string } | undefined;
  /** `health_probe`: how it reads, and the failures in a row that restart the service. */
  readonly healthProbe?: { readonly description: string; readonly failures: number } | undefined;
}

/** The event of type `T`. */
export type EventOf<T extends ServiceEvent["type"]> = Extract<ServiceEvent, { type: T }>;

/** One step under way: the snapshot it starts from, and the effects it collects. */
export class Step {
  readonly rules: KindRules;
  constructor(
    readonly s: ServiceSnapshot,
    readonly spec: MachineSpec,
    readonly now: number,
    readonly fx: Effect[] = [],
  ) {
    this.rules = KIND_RULES[spec.type];
  }

  /** The same step, continued from `s` patched (its effects are shared). */
  derive(patch: Partial<ServiceSnapshot>): Step {
    return new Step({ ...this.s, ...patch }, this.spec, this.now, this.fx);
  }
  move(patch: Partial<ServiceSnapshot>): Transition {
    const next = { ...this.s, ...patch };
    if (next.state !== this.s.state) next.since = this.now;
    return { next, effects: this.fx };
  }
  stay(): Transition {
    return { next: this.s, effects: this.fx };
  }
  emit(...effects: Effect[]): this {
    this.fx.push(...effects);
    return this;
  }
  log(level: LogLevel, message: string): this {
    return this.emit({ type: "log", level, message });
  }
  timer(timer: TimerName, ms: number): this {
    return this.emit({ type: "set-timer", timer, ms: Math.max(0, Math.round(ms)) });
  }
  /** The spawned or attached process lives. */
  get alive(): boolean {
    return this.s.pid !== undefined || this.s.mainPid !== undefined;
  }
  /** The pidfile names the daemon of this service (simple and forking services). */
  get awaitsPidfile(): boolean {
    return this.rules.usesPidfile && this.spec.pidfile !== undefined;
  }

  /**
   * The start of a run: what is left of the previous run is killed first (`cleaning`), then the
   * process is spawned (a notify service's socket is opened before).
   */
  launch(patch: Partial<ServiceSnapshot>): Transition {
    const fresh: Partial<ServiceSnapshot> = {
      pidfileGarbage: undefined,
      unhealthy: undefined,
      healthFailures: 0,
      lastProbe: undefined,
      stoppedByOperator: false,
      ...patch,
    };
    if (!this.rules.scheduled && this.s.runPids.length > 0) {
      return this.emit({ type: "clean-leftovers" }).move({ ...fresh, state: "cleaning" });
    }
    return this.derive(fresh).spawn();
  }

  /**
   * Spawns, or opens the notify socket first. A pidfile left by an earlier run (a daemon killed
   * with SIGKILL cannot remove its own) goes first: the new run must not attach a dead pid.
   */
  spawn(): Transition {
    if (this.awaitsPidfile) this.emit({ type: "remove-pidfile" });
    if (this.rules.notifySocket) {
      return this.emit({ type: "open-notify" }).move({ state: "opening" });
    }
    return this.emit({ type: "spawn" }).move({ state: "spawning" });
  }

  /**
   * A run ended in failure (or, under `restart: always`, cleanly): the restart policy decides
   * between another run after the delay and giving up (`giveUp`, with one line at error).
   * `failed` is false only for a clean exit. What of the run still lives is killed.
   */
  runEnded(
    failed: boolean,
    reason: string,
    patch: Partial<ServiceSnapshot>,
    alive = false,
  ): Transition {
    const { name } = this.spec;
    this.emit({ type: "cancel-all-timers" });
    if (alive) {
      this.emit({ type: "signal", signal: "kill-signal" });
      this.timer("kill", this.spec.stopTimeoutMs);
    }
    this.emit({ type: "close-notify" });
    const history = {
      left: this.s.restartsLeft,
      runStartedAt: this.s.runStartedAt,
      failures: this.s.failedRuns,
    };
    const d = decideRestart(this.spec.restart, history, failed, this.now);
    const counts = { restartsLeft: d.left, failedRuns: d.failures, restarting: undefined };
    if (d.restart) {
      this.log("info", `${name} pausing between restart retries (${d.left} left)`);
      this.timer("restart", d.delayMs);
      const state = this.rules.scheduled ? this.s.state : "backoff";
      return this.move({ state, ...patch, ...counts });
    }
    if (!failed) return this.move({ state: "finished", ...patch, ...counts });
    if (this.spec.restart.mode === "never") {
      this.log("error", `${name} terminated abnormally with ${reason}`);
    } else {
      // The original's line stays, at info; the one error line says why nothing follows.
      this.log("info", `${name} terminated abnormally with ${reason}`);
      this.log("error", `${name} restart limit reached after ${d.failures} failed runs; giving up`);
    }
    return this.move({ state: "failed", ...patch, ...counts, error: reason });
  }

  /**
   * A start attempt failed. A restart's run is a failed run like any other (the restart policy
   * applies). A first start counts as started with ignore_failures, else fails (killing what
   * runs) and reports the failure to whoever started it.
   */
  failStart(reason: string, procAlive = this.alive): Transition {
    if (this.s.restarting) {
      this.log("error", `${this.spec.name} failed to start: ${reason}`);
      if (!this.spec.ignoreFailures) {
        return this.runEnded(true, reason, { error: reason }, procAlive);
      }
      this.emit({ type: "cancel-all-timers" });
      this.log("debug", `${this.spec.name} failed run ignored due to ignore_failures=true`);
      return this.move({ error: reason, restarting: undefined, state: "idle" });
    }
    this.emit({ type: "cancel-all-timers" });
    if (this.spec.ignoreFailures) {
      this.log("info", `service ${this.spec.name} ignoring failures. Exception: ${reason}`);
      this.emit({ type: "settled", ok: true });
      return this.move({ state: procAlive ? "running" : "finished", error: reason });
    }
    if (procAlive) {
      this.emit({ type: "signal", signal: "kill-signal" });
      this.timer("kill", this.spec.stopTimeoutMs);
    }
    this.emit({ type: "close-notify" }, { type: "settled", ok: false, reason });
    return this.move({ state: "failed", error: reason });
  }

  /** The service's main process ended after start-up (or was reported failed by ERRNO=). */
  ended(status: ExitStatus, attached: boolean): Transition {
    const { name } = this.spec;
    const patch = { lastExit: status, mainPid: undefined, pid: attached ? this.s.pid : undefined };
    // A run the health probe gave up on failed, whatever its status.
    const failed = isFailedExit(status) || this.s.unhealthy === true;
    if (this.spec.exitKills) {
      this.emit({ type: "cancel-all-timers" });
      if (attached) this.log("warn", `${name} terminated with exit_kills enabled`);
      else if (!isNormalExit(status)) {
        this.log("warn", `${name} terminated abnormally with ${formatProcStatus(status)}`);
      }
      this.emit({ type: "exit-kills", status });
      return this.move({ ...patch, state: isNormalExit(status) ? "finished" : "failed" });
    }
    if (!failed && this.spec.restart.mode !== "always") {
      this.emit({ type: "cancel-all-timers" });
      if (attached) {
        this.log("info", `${name} got explicit return code ${formatProcStatus(status)}`);
      }
      return this.move({ ...patch, state: "finished", failedRuns: 0 });
    }
    if (failed && this.spec.ignoreFailures) {
      this.emit({ type: "cancel-all-timers" });
      this.log("debug", `${name} abnormal process exit ignored due to ignore_failures=true`);
      return this.move({ ...patch, state: "idle" });
    }
    return this.runEnded(failed, formatProcStatus(status), patch);
  }

  /**
   * Stop (or reset): signal what runs, then wait for the group to be gone. A start under way is
   * abandoned: whoever waits for it (ctl start --wait, the start-up) learns that it ended.
   */
  stop(target: "idle" | "scheduled", operator = false): Transition {
    this.emit({ type: "cancel-all-timers" });
    if (target === "idle") this.emit({ type: "unschedule" });
    if (isStarting(this.s.state) || this.s.state === "waiting") {
      const reason = `${this.spec.name} was stopped before it was up`;
      this.emit({ type: "settled", ok: false, reason, abandoned: true });
    }
    const patch = {
      restartsLeft: this.spec.restart.limit,
      failedRuns: 0,
      stoppedByOperator: operator,
      restarting: undefined,
    };
    if (this.alive) {
      // The pidfile goes when the group is gone: a daemon still running removes its own at
      // exit and logs an error (nginx: "unlink() ... failed") when it is already deleted.
      this.emit({ type: "signal", signal: "kill-signal" });
      this.timer("kill", this.spec.stopTimeoutMs);
      return this.move({ ...patch, state: target === "idle" ? "stopping" : "job-stopping" });
    }
    this.emit({ type: "remove-pidfile" }, { type: "close-notify" });
    return this.move({ ...patch, state: target, error: undefined });
  }

  enterPidfileWait(): Transition {
    this.emit({ type: "cancel-timer", timer: "startup-pause" }, { type: "watch-pidfile" });
    this.timer("process-timeout", this.spec.processTimeoutMs);
    return this.move({ state: "awaiting-pidfile" });
  }

  /**
   * The service's own readiness is there (its pause passed, READY=1, its pidfile): with a
   * `ready_probe` the probe must pass too (`probing`, still bounded by `process_timeout`).
   */
  ready(patch: Partial<ServiceSnapshot> = {}): Transition {
    if (!this.spec.readyProbe) return this.becomeRunning(patch);
    this.emit({ type: "cancel-timer", timer: "startup-pause" }, {
      type: "start-probe",
      probe: "ready",
    });
    return this.move({ ...patch, state: "probing" });
  }

  /** Up: running while a process of it lives, else (a forking launcher's daemon untracked) finished. */
  becomeRunning(patch: Partial<ServiceSnapshot> = {}): Transition {
    this.emit(
      { type: "cancel-timer", timer: "startup-pause" },
      { type: "cancel-timer", timer: "process-timeout" },
    );
    this.emit({ type: "settled", ok: true });
    const next = { ...this.s, ...patch };
    if (next.pid === undefined && next.mainPid === undefined) {
      return this.move({ ...patch, state: "finished", error: undefined });
    }
    if (this.spec.watchdogMs) this.timer("watchdog", this.spec.watchdogMs);
    if (this.spec.healthProbe) this.emit({ type: "start-probe", probe: "health" });
    return this.move({ ...patch, state: "running", error: undefined, healthFailures: 0 });
  }

  /** The spawned or attached process ended while the start was under way. */
  exitedStarting(e: EventOf<"exited">): Transition {
    const { name, type } = this.spec;
    const isMain = e.pid === this.s.mainPid;
    const result = `${name} failed on start-up with result '${formatProcStatus(e.status)}'`;
    // An exit_kills process ends the system with its own status even while it is still
    // starting (`--task false` exits 1, a task killed by SIGKILL 137: Decision 1).
    if (this.spec.exitKills && (isMain || type === "simple" || type === "oneshot")) {
      this.emit({ type: "exit-kills", status: e.status });
    }
    if (isMain) return this.derive({ mainPid: undefined }).failStart(result);
    const after = this.derive({ pid: undefined, lastExit: e.status });
    if (!isNormalExit(e.status)) return after.failStart(result);
    if (this.rules.cleanExit === "keep-waiting") return after.move({}); // a daemonising launcher
    // A probed service's process exiting 0: the probe still decides (process_timeout bounds it).
    if (this.s.state === "probing") return after.move({});
    if (after.awaitsPidfile) {
      return this.s.state === "awaiting-pidfile" ? after.move({}) : after.enterPidfileWait();
    }
    // The launcher's clean exit completes the start (a oneshot, a forking service without a
    // pidfile); with a ready_probe the probe must pass first.
    if (this.spec.readyProbe) return after.ready();
    after.emit({ type: "cancel-all-timers" }, { type: "settled", ok: true });
    return after.move({ state: "finished" });
  }
}
