/**
 * The pure model of one service: its states, the events that move it, and the effects the
 * supervisor performs in answer. Nothing here performs I/O or reads the clock.
 */
import type { ExitStatus } from "../process/exit_status.ts";

/** Where a service is in its life. */
export type ServiceState =
  /** Not started, reset, or stopped. */
  | "idle"
  /** Start requested; waiting for prerequisites (and the IDLE delay). */
  | "waiting"
  /** Process spawned; waiting for the readiness its type defines. */
  | "starting"
  /** Up and supervised. */
  | "running"
  /** Done and counted as started: a oneshot that succeeded, a simple service that exited 0,
   * a forking service without a pidfile whose launcher exited 0. */
  | "finished"
  /** Stop signal sent; waiting for the process group to be gone. */
  | "stopping"
  /** Waiting `restart_delay` before the next run. */
  | "backoff"
  /** Start failed or the service ended abnormally with no restart left. */
  | "failed"
  /** cron: waiting for the next tick (a job may be running); inetd: listening. */
  | "scheduled";

/** Named timers a service can have armed; at most one of each. */
export type TimerName = "startup-pause" | "process-timeout" | "restart" | "kill" | "watchdog";

/** What reached the service. */
export type ServiceEvent =
  | { type: "start"; initial: boolean }
  | { type: "deps-ready" }
  | { type: "deps-failed"; dependency: string }
  | { type: "spawned"; pid: number }
  | { type: "spawn-failed"; error: string; notFound: boolean }
  | { type: "exited"; pid: number; status: ExitStatus }
  | { type: "group-gone" }
  | { type: "ready" }
  | { type: "notify-errno"; errno: number }
  | { type: "main-pid"; pid: number }
  | { type: "pidfile-error"; error: string }
  /** The pidfile exists but holds no number (it may still be written). */
  | { type: "pidfile-garbage" }
  | { type: "timer"; timer: TimerName }
  | { type: "watchdog-ping" }
  | { type: "extend-timeout"; ms: number }
  | { type: "stop" }
  | { type: "reset" }
  | { type: "cron-tick" };

/** Log levels effects may ask for. */
export type LogLevel = "debug" | "info" | "warn" | "error";

/** What the supervisor must do. */
export type Effect =
  | { type: "spawn" }
  | { type: "signal"; signal: "kill-signal" | "SIGKILL" }
  | { type: "set-timer"; timer: TimerName; ms: number }
  | { type: "cancel-timer"; timer: TimerName }
  | { type: "cancel-all-timers" }
  | { type: "open-notify" }
  | { type: "close-notify" }
  | { type: "watch-pidfile" }
  | { type: "remove-pidfile" }
  | { type: "watch-group" }
  | { type: "schedule" }
  | { type: "unschedule" }
  | { type: "settled"; ok: boolean; reason?: string }
  | { type: "exit-kills"; status: ExitStatus | undefined }
  | { type: "log"; level: LogLevel; message: string };

/** Everything the machine knows about one service. */
export interface ServiceSnapshot {
  readonly name: string;
  readonly state: ServiceState;
  /** Pid of the process we spawned, while it lives. */
  readonly pid?: number | undefined;
  /** Pid attached by pidfile or MAINPID, while it lives. */
  readonly mainPid?: number | undefined;
  /** Restarts left in the current budget (Decision 10). */
  readonly restartsLeft: number;
  /** Restarts done since the service was last started by hand. */
  readonly restarts: number;
  readonly lastExit?: ExitStatus | undefined;
  /** Failure reported by notify ERRNO= before READY. */
  readonly reportedErrno?: number | undefined;
  /** Why the service failed, for status and start-up errors. */
  readonly error?: string | undefined;
  /** When the current run started (ms), for the 60 s budget refill. */
  readonly runStartedAt?: number | undefined;
  /** The start is part of the initial start-up (failures abort the system). */
  readonly initial: boolean;
  /** This start is a restart after a failure (a failed spawn then counts as a failed run). */
  readonly restarting?: boolean | undefined;
  /** The pidfile was seen holding something other than a pid during this start. */
  readonly pidfileGarbage?: boolean | undefined;
  /** Start-up phase inside `starting`. */
  readonly phase?: "pause" | "pidfile" | "ready-wait" | "exit-wait" | undefined;
  /** Where to go once `stopping` ends. */
  readonly afterStop?: "idle" | "scheduled" | undefined;
  readonly since: number;
}

/** The result of one step. */
export interface Transition {
  readonly next: ServiceSnapshot;
  readonly effects: readonly Effect[];
}

/** A fresh snapshot for a service that has not run. */
export function initialSnapshot(name: string, restartLimit: number, now = 0): ServiceSnapshot {
  return {
    name,
    state: "idle",
    restartsLeft: restartLimit,
    restarts: 0,
    initial: false,
    since: now,
  };
}

/** States in which dependents may proceed. */
export function isSatisfied(state: ServiceState): boolean {
  return state === "running" || state === "finished" || state === "scheduled";
}
