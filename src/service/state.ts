/**
 * The pure model of one service: its states, the events that move it, and the effects the
 * supervisor performs in answer. Nothing here performs I/O or reads the clock. The table that
 * joins them is `machine.ts`; what differs between service types is data in `kinds.ts`.
 */
import type { ExitStatus } from "../process/exit_status.ts";

/**
 * Where a service is in its life. Every phase of a start is a state of its own, so that the
 * table in machine.ts has one cell for, say, "a notify service sends READY while it is
 * awaiting readiness" (`awaiting-ready` × `ready`).
 */
export type ServiceState =
  /** Not started, reset, or stopped. */
  | "idle"
  /** Start requested; waiting for prerequisites (and the IDLE delay). */
  | "waiting"
  /** What is left of the previous run is being killed; the new run starts once it is gone. */
  | "cleaning"
  /** A notify service's socket is being opened; the process is spawned once it is bound. */
  | "opening"
  /** The process is being spawned; `spawned` or `spawn-failed` comes next. */
  | "spawning"
  /** A simple service runs its `startup_pause`. */
  | "pausing"
  /** A notify service waits for `READY=1` (bounded by `process_timeout`). */
  | "awaiting-ready"
  /** A oneshot or forking launcher must exit 0 (bounded by `process_timeout`). */
  | "awaiting-exit"
  /** The launcher is done; the pidfile must name the daemon (bounded by `process_timeout`). */
  | "awaiting-pidfile"
  /** The service's own readiness is there; its `ready_probe` must pass (bounded by `process_timeout`). */
  | "probing"
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
  /** cron or inetd: the schedule or listener is being set up. */
  | "scheduling"
  /** cron: waiting for the next tick; inetd: listening. */
  | "scheduled"
  /** cron: a run of the job is in progress. */
  | "job-running"
  /** cron: the job's run is being stopped (`ctl reset`); the schedule stays. */
  | "job-stopping";

/** The coarse states `ctl status --json` reports (docs/ctl.md), stable across refinements. */
export type PublicState =
  | "idle"
  | "waiting"
  | "starting"
  | "running"
  | "finished"
  | "stopping"
  | "backoff"
  | "failed"
  | "scheduled";

/** Named timers a service can have armed; at most one of each. */
export type TimerName = "startup-pause" | "process-timeout" | "restart" | "kill" | "watchdog";

/** What reached the service. */
export type ServiceEvent =
  | { type: "start"; initial: boolean }
  /** What was left of the previous run is gone (`killed` processes had to be signalled). */
  | { type: "leftovers-gone"; killed: number }
  | { type: "deps-ready" }
  | { type: "deps-failed"; dependency: string }
  | { type: "notify-opened" }
  | { type: "spawned"; pid: number }
  | { type: "spawn-failed"; error: string }
  | { type: "scheduled" }
  | { type: "exited"; pid: number; status: ExitStatus }
  | { type: "group-gone" }
  | { type: "ready" }
  | { type: "notify-errno"; errno: number }
  | { type: "notify-status"; text: string }
  | { type: "main-pid"; pid: number }
  | { type: "pidfile-error"; error: string }
  /** The pidfile exists but holds no number (it may still be written). */
  | { type: "pidfile-garbage" }
  | { type: "timer"; timer: TimerName }
  | { type: "watchdog-ping" }
  | { type: "extend-timeout"; ms: number }
  /** `operator`: a ctl stop (not a shutdown); health then reports the service as stopped. */
  | { type: "stop"; operator?: boolean }
  | { type: "reset" }
  /** One attempt of a probe ended. */
  | { type: "probe-result"; probe: ProbeKind; ok: boolean; error?: string | undefined }
  | { type: "enable" }
  | { type: "disable" }
  /** A tick of a cron schedule, or `ctl run` (`manual`). */
  | { type: "cron-tick"; manual?: boolean }
  /** `ctl reload` changed `restart_limit` by `by`: the restarts left change with it. */
  | { type: "budget-changed"; by: number }
  | { type: "connection-opened" }
  | { type: "connection-closed" };

/** The two probes of a service: readiness at start, liveness while it runs. */
export type ProbeKind = "ready" | "health";

/** Log levels effects may ask for. */
export type LogLevel = "debug" | "info" | "warn" | "error" | "crit";

/** What the supervisor must do. */
export type Effect =
  /** Kill what is left of the previous run (its groups, sessions, descendants); report back. */
  | { type: "clean-leftovers" }
  /** Run the probe's attempts every interval while the service is in the probe's state. */
  | { type: "start-probe"; probe: ProbeKind }
  | { type: "open-notify" }
  | { type: "spawn" }
  | { type: "schedule" }
  | { type: "unschedule" }
  | { type: "signal"; signal: "kill-signal" | "SIGKILL" }
  | { type: "set-timer"; timer: TimerName; ms: number }
  | { type: "cancel-timer"; timer: TimerName }
  | { type: "cancel-all-timers" }
  | { type: "close-notify" }
  | { type: "watch-pidfile" }
  /** Follow the main pid just attached (it may not be Chaperone's child). */
  | { type: "follow-main" }
  | { type: "remove-pidfile" }
  | { type: "watch-group" }
  /** A start ended: `ok`, or failed for `reason`; `abandoned` when a stop ended it first. */
  | { type: "settled"; ok: boolean; reason?: string | undefined; abandoned?: boolean }
  | { type: "exit-kills"; status: ExitStatus | undefined }
  | { type: "log"; level: LogLevel; message: string };

/** Everything the machine knows about one service. */
export interface ServiceSnapshot {
  readonly name: string;
  readonly state: ServiceState;
  /** Whether the service may be started (its `enabled`, changed by ctl enable/disable). */
  readonly enabled: boolean;
  /** Pid of the process we spawned, while it lives. */
  readonly pid?: number | undefined;
  /** Pid attached by pidfile or MAINPID, while it lives. */
  readonly mainPid?: number | undefined;
  /** The last pid the service had, kept after it ends (status shows it, as the original). */
  readonly lastPid?: number | undefined;
  /** Restarts left in the current budget (Decision 10). */
  readonly restartsLeft: number;
  /** Restarts done since the service was last started by hand. */
  readonly restarts: number;
  /** Failed runs in a row (reset when the budget refills). */
  readonly failedRuns: number;
  /**
   * The pids of the current or last run whose groups and sessions are its own (the spawned
   * process, attached main pids): what is left of them is killed before the next run.
   */
  readonly runPids: readonly number[];
  /** Stopped by `ctl stop` (not by a shutdown): `ctl health` reports it. */
  readonly stoppedByOperator: boolean;
  /** The health probe failed this many times in a row. */
  readonly healthFailures: number;
  /** The last probe result, for status. */
  readonly lastProbe?: { readonly ok: boolean; readonly error?: string | undefined } | undefined;
  /** The health probe gave up on the run: its end is a failed run, whatever its status. */
  readonly unhealthy?: boolean | undefined;
  readonly lastExit?: ExitStatus | undefined;
  /** Why the service failed, for status and start-up errors. */
  readonly error?: string | undefined;
  /** The last `STATUS=` text of a notify service. */
  readonly statusText?: string | undefined;
  /** When the current run started (ms), for the 60 s budget refill. */
  readonly runStartedAt?: number | undefined;
  /** The start is part of the initial start-up (failures abort the system). */
  readonly initial: boolean;
  /** This start is a restart after a failure (a failed spawn then counts as a failed run). */
  readonly restarting?: boolean | undefined;
  /** The pidfile was seen holding something other than a pid during this start. */
  readonly pidfileGarbage?: boolean | undefined;
  /** inetd: connection processes still running. */
  readonly connections: number;
  /** When the state was entered (ms). */
  readonly since: number;
}

/** The result of one step. */
export interface Transition {
  readonly next: ServiceSnapshot;
  readonly effects: readonly Effect[];
}

/** A fresh snapshot for a service that has not run. */
export function initialSnapshot(
  name: string,
  options: { restartLimit: number; enabled: boolean; now?: number },
): ServiceSnapshot {
  return {
    name,
    state: "idle",
    enabled: options.enabled,
    restartsLeft: options.restartLimit,
    restarts: 0,
    failedRuns: 0,
    runPids: [],
    stoppedByOperator: false,
    healthFailures: 0,
    initial: false,
    connections: 0,
    since: options.now ?? 0,
  };
}

/** The states of a start in progress (the public `starting`). */
const STARTING: ReadonlySet<ServiceState> = new Set([
  "cleaning",
  "opening",
  "spawning",
  "pausing",
  "awaiting-ready",
  "awaiting-exit",
  "awaiting-pidfile",
  "probing",
  "scheduling",
]);

/** True while a start is in progress. */
export function isStarting(state: ServiceState): boolean {
  return STARTING.has(state);
}

/** States in which dependents may proceed. */
export function isSatisfied(state: ServiceState): boolean {
  return state === "running" || state === "finished" || state === "scheduled" ||
    state === "job-running" || state === "job-stopping";
}

/**
 * True while the service has a process, or is starting, running, stopping or about to run
 * again: the one definition of "live" that stop, restart, shutdown and detect-exit share.
 */
export function isLive(s: ServiceSnapshot): boolean {
  return hasProcess(s) || isStarting(s.state) || s.state === "running" ||
    s.state === "stopping" || s.state === "job-stopping" || s.state === "backoff";
}

/** True while a process of the service (spawned, attached or an inetd connection's) lives. */
export function hasProcess(s: ServiceSnapshot): boolean {
  return s.pid !== undefined || s.mainPid !== undefined || s.connections > 0;
}

/** The coarse state `ctl status --json` reports. */
export function publicState(state: ServiceState): PublicState {
  if (isStarting(state)) return "starting";
  switch (state) {
    case "job-running":
      return "scheduled";
    case "job-stopping":
      return "stopping";
    default:
      return state as PublicState;
  }
}
