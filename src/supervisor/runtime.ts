/**
 * The runtime record of one service: its configuration, its machine snapshot, and the handles
 * the supervisor holds for it (timers, notify socket, cron job, inetd listener and
 * connections). The snapshot changes only through `Supervisor.dispatch`; the handles only in
 * the supervisor's effects.
 */
import type { ServiceSpec } from "../config/schema.ts";
import type { MachineSpec } from "../service/machine.ts";
import {
  initialSnapshot,
  type ProbeKind,
  type ServiceSnapshot,
  type TimerName,
} from "../service/state.ts";
import { OutputWatch } from "./output_watch.ts";
import type {
  Clock,
  CronJob,
  InetdListener,
  NotifyChannel,
  ProcessHandle,
  TimerId,
} from "./ports.ts";

/** The outcome a `ctl start --wait` waiter receives. */
export interface SettleResult {
  readonly ok: boolean;
  readonly reason?: string | undefined;
}

/** Runtime of one service. */
export interface ServiceRuntime {
  /** The directives (replaced by a `ctl reload` that changes supervision only). */
  spec: ServiceSpec;
  machine: MachineSpec;
  snap: ServiceSnapshot;
  readonly timers: ServiceTimers;
  /** Process group to signal and watch (our child's pid when detached). */
  pgid?: number | undefined;
  notify?: NotifyChannel | undefined;
  cronJob?: CronJob | undefined;
  listener?: InetdListener | undefined;
  /** The processes of an inetd service's connections. */
  readonly connections: Set<ProcessHandle>;
  /** Pids this run named as its main process and was refused (warned about once each). */
  readonly refusedPids: Set<number>;
  /** Waiters for the next settle of this service (ctl start --wait). */
  settleWaiters: Array<(result: SettleResult) => void>;
  /** Waiters for the end of a stop (ctl stop --wait). */
  stopWaiters: Array<() => void>;
  /** The probe loops running, by kind: a loop goes on while its token is here. */
  readonly probes: Map<ProbeKind, symbol>;
  /** The log probes' view of the service's output. */
  readonly outputWatch: OutputWatch;
}

/** A read-only view of one service for status and control. */
export interface ServiceView {
  readonly spec: ServiceSpec;
  readonly snap: ServiceSnapshot;
  /** The next run of a cron service. */
  readonly nextRun: Date | undefined;
  /** An inetd service's listener. */
  readonly listener: { readonly port: number; readonly requests: number } | undefined;
  /** Enabled, not failed, and up or with every prerequisite ready (system/order.ts). */
  readonly ready: boolean;
}

/** The part of a service's configuration the state machine needs. */
export function machineSpecOf(spec: ServiceSpec, stopTimeout: number): MachineSpec {
  const ms = (seconds: number) => Math.max(0, Math.round(seconds * 1000));
  return {
    name: spec.name,
    type: spec.type,
    restart: {
      mode: spec.restartPolicy,
      limit: spec.restartLimit,
      delayMs: ms(spec.restartDelay),
      backoff: spec.restartBackoff,
      maxDelayMs: ms(spec.restartDelayMax),
    },
    processTimeoutMs: ms(spec.processTimeout),
    startupPauseMs: ms(spec.startupPause),
    stopTimeoutMs: ms(stopTimeout),
    watchdogMs: spec.type === "notify" && spec.watchdogTimeout
      ? ms(spec.watchdogTimeout)
      : undefined,
    ignoreFailures: spec.ignoreFailures,
    exitKills: spec.exitKills,
    pidfile: spec.pidfile,
    command: spec.command,
    readyProbe: spec.readyProbe ? { description: spec.readyProbe.description } : undefined,
    healthProbe: spec.healthProbe
      ? { description: spec.healthProbe.description, failures: spec.healthProbe.failures }
      : undefined,
  };
}

/** A fresh runtime for a service that has not run; `stopTimeout` in s. */
export function createRuntime(
  spec: ServiceSpec,
  stopTimeout: number,
  clock: Clock,
): ServiceRuntime {
  return {
    spec,
    machine: machineSpecOf(spec, stopTimeout),
    snap: initialSnapshot(spec.name, {
      restartLimit: spec.restartLimit,
      enabled: spec.enabled,
      now: clock.now(),
    }),
    timers: new ServiceTimers(clock),
    connections: new Set(),
    refusedPids: new Set(),
    settleWaiters: [],
    stopWaiters: [],
    probes: new Map(),
    outputWatch: new OutputWatch(
      [spec.readyProbe, spec.healthProbe].flatMap((p) =>
        p?.source.kind === "log" ? [p.source.pattern] : []
      ),
    ),
  };
}

/**
 * The named timers of one service (at most one of each name, see TimerName). Arming a timer
 * replaces the one of the same name; a timer forgets itself when it fires.
 */
export class ServiceTimers {
  #clock: Clock;
  #armed = new Map<TimerName, TimerId>();

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  /** Names of the armed timers. */
  get armed(): TimerName[] {
    return [...this.#armed.keys()];
  }

  /** Arms `name` to call `fire` after `ms`, cancelling an earlier timer of that name. */
  set(name: TimerName, ms: number, fire: () => void): void {
    this.cancel(name);
    this.#armed.set(
      name,
      this.#clock.setTimeout(() => {
        this.#armed.delete(name);
        fire();
      }, ms),
    );
  }

  /** Cancels `name` if it is armed. */
  cancel(name: TimerName): void {
    const id = this.#armed.get(name);
    if (id !== undefined) this.#clock.clearTimeout(id);
    this.#armed.delete(name);
  }

  /** Cancels every armed timer. */
  cancelAll(): void {
    for (const id of this.#armed.values()) this.#clock.clearTimeout(id);
    this.#armed.clear();
  }
}
