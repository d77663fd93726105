/**
 * The actions that several cells of the service table (machine.ts) share: fail a start, end a
 * run under the restart policy, stop, become running. A `Step` is one transition under way:
 * the snapshot it starts from and the effects it collects; its methods return the next
 * snapshot. Pure, like the table.
 */
import { type ExitStatus, formatProcStatus, isNormalExit } from "../process/exit_status.ts";
import type { ServiceType } from "../config/schema.ts";
import { KIND_RULES, type KindRules } from "./kinds.ts";
import { decideRestart, type RestartPolicy } from "./restart.ts";
import type {
  Effect,
  LogLevel,
  ServiceEvent,
  ServiceSnapshot,
  TimerName,
  Transition,
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

  /** Spawns (or opens the notify socket first): the start of a run. */
  launch(patch: Partial<ServiceSnapshot>): Transition {
    const fresh = { pidfileGarbage: undefined, ...patch };
    if (this.rules.notifySocket) {
      return this.emit({ type: "open-notify" }).move({ ...fresh, state: "opening" });
    }
    return this.emit({ type: "spawn" }).move({ ...fresh, state: "spawning" });
  }

  /**
   * A failed run (`exit` undefined: it never started) with the restart policy applied: run
   * again after the delay, or end in `patch` with `giveUp` applied.
   */
  retry(
    exit: ExitStatus | undefined,
    patch: Partial<ServiceSnapshot>,
    giveUp: Partial<ServiceSnapshot>,
    onGiveUp?: () => void,
  ): Transition {
    const history = { left: this.s.restartsLeft, runStartedAt: exit && this.s.runStartedAt };
    const d = decideRestart(this.spec.restart, history, exit, this.now);
    if (!d.restart) {
      onGiveUp?.();
      return this.move({ ...patch, ...giveUp, restartsLeft: d.left });
    }
    this.log("info", `${this.spec.name} pausing between restart retries (${d.left} left)`);
    this.timer("restart", d.delayMs);
    const state = this.rules.scheduled ? this.s.state : "backoff";
    return this.move({ state, ...patch, restartsLeft: d.left });
  }

  /** A start attempt failed: count it as started with ignore_failures, else fail (killing what runs). */
  failStart(reason: string, procAlive = this.alive): Transition {
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
    this.emit({ type: "cancel-all-timers" });
    const patch = { lastExit: status, mainPid: undefined, pid: attached ? this.s.pid : undefined };
    if (this.spec.exitKills) {
      if (attached) this.log("warn", `${name} terminated with exit_kills enabled`);
      else if (!isNormalExit(status)) {
        this.log("warn", `${name} terminated abnormally with ${formatProcStatus(status)}`);
      }
      this.emit({ type: "exit-kills", status });
      return this.move({ ...patch, state: isNormalExit(status) ? "finished" : "failed" });
    }
    if (isNormalExit(status)) {
      if (attached) {
        this.log("info", `${name} got explicit return code ${formatProcStatus(status)}`);
      }
      return this.move({ ...patch, state: "finished" });
    }
    if (this.spec.ignoreFailures) {
      this.log("debug", `${name} abnormal process exit ignored due to ignore_failures=true`);
      return this.move({ ...patch, state: "idle" });
    }
    this.emit({ type: "close-notify" });
    const error = formatProcStatus(status);
    return this.retry(status, patch, { state: "failed", error }, () => {
      this.log("error", `${name} terminated abnormally with ${error}`);
    });
  }

  /** A restart that could not even be spawned: a failed run, so the restart policy applies. */
  failedRun(reason: string): Transition {
    this.emit({ type: "cancel-all-timers" });
    const patch = { error: reason, restarting: undefined };
    if (this.spec.ignoreFailures) {
      this.log("debug", `${this.spec.name} failed run ignored due to ignore_failures=true`);
      return this.move({ ...patch, state: "idle" });
    }
    this.emit({ type: "close-notify" });
    return this.retry(undefined, patch, { state: "failed" });
  }

  /** Stop (or reset): signal what runs, then wait for the group to be gone. */
  stop(target: "idle" | "scheduled"): Transition {
    this.emit({ type: "cancel-all-timers" });
    if (target === "idle") this.emit({ type: "unschedule" });
    const refill = { restartsLeft: this.spec.restart.limit };
    if (this.alive) {
      // The pidfile goes when the group is gone: a daemon still running removes its own at
      // exit and logs an error (nginx: "unlink() ... failed") when it is already deleted.
      this.emit({ type: "signal", signal: "kill-signal" });
      this.timer("kill", this.spec.stopTimeoutMs);
      return this.move({ ...refill, state: target === "idle" ? "stopping" : "job-stopping" });
    }
    this.emit({ type: "remove-pidfile" }, { type: "close-notify" });
    return this.move({ ...refill, state: target, error: undefined });
  }

  enterPidfileWait(): Transition {
    this.emit({ type: "cancel-timer", timer: "startup-pause" }, { type: "watch-pidfile" });
    this.timer("process-timeout", this.spec.processTimeoutMs);
    return this.move({ state: "awaiting-pidfile" });
  }

  becomeRunning(patch: Partial<ServiceSnapshot> = {}): Transition {
    this.emit(
      { type: "cancel-timer", timer: "startup-pause" },
      { type: "cancel-timer", timer: "process-timeout" },
    );
    if (this.spec.watchdogMs) this.timer("watchdog", this.spec.watchdogMs);
    this.emit({ type: "settled", ok: true });
    return this.move({ ...patch, state: "running", error: undefined });
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
    if (after.awaitsPidfile) {
      return this.s.state === "awaiting-pidfile" ? after.move({}) : after.enterPidfileWait();
    }
    after.emit({ type: "cancel-all-timers" }, { type: "settled", ok: true });
    return after.move({ state: "finished" });
  }
}
