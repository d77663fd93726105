/**
 * The runtime record of one service: its configuration, its machine snapshot and every handle
 * the supervisor holds for it (child, timers, notify socket, cron job, inetd listener). Only
 * the supervisor mutates these records.
 */
import type { ServiceSpec } from "../config/schema.ts";
import type { MachineSpec } from "../service/machine.ts";
import { initialSnapshot, type ServiceSnapshot } from "../service/state.ts";
import type { Clock, CronJob, InetdListener, NotifyChannel, ProcessHandle } from "./ports.ts";
import { ServiceTimers } from "./service_timers.ts";

/** The outcome a `ctl start --wait` waiter receives. */
export interface SettleResult {
  ok: boolean;
  reason?: string | undefined;
}

/** Runtime of one service. */
export interface ServiceRuntime {
  spec: ServiceSpec;
  machine: MachineSpec;
  snap: ServiceSnapshot;
  enabled: boolean;
  readonly timers: ServiceTimers;
  child?: ProcessHandle | undefined;
  /** Process group to signal and watch (our child's pid when detached). */
  pgid?: number | undefined;
  notify?: NotifyChannel | undefined;
  cronJob?: CronJob | undefined;
  listener?: InetdListener | undefined;
  inetdChildren: Set<ProcessHandle>;
  statusText?: string | undefined;
  /** Pids this run named as its main process and was refused (warned about once each). */
  refusedPids: Set<number>;
  /** Waiters for the next settle of this service (ctl start --wait). */
  settleWaiters: Array<(result: SettleResult) => void>;
  /** Waiters for the end of a stop (ctl stop --wait). */
  stopWaiters: Array<() => void>;
  startAttempted: boolean;
}

/** The part of a service's configuration the state machine needs. */
export function machineSpecOf(spec: ServiceSpec, stopTimeout: number): MachineSpec {
  return {
    name: spec.name,
    type: spec.type,
    restart: spec.restart,
    restartLimit: spec.restartLimit,
    restartDelay: spec.restartDelay,
    processTimeout: spec.processTimeout,
    startupPause: spec.startupPause,
    ignoreFailures: spec.ignoreFailures,
    exitKills: spec.exitKills,
    pidfile: spec.pidfile,
    stopTimeout,
    command: spec.command,
    ...(spec.type === "notify" && spec.watchdogTimeout
      ? { watchdogMs: Math.round(spec.watchdogTimeout * 1000) }
      : {}),
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
    snap: initialSnapshot(spec.name, spec.restartLimit, clock.now()),
    enabled: spec.enabled,
    timers: new ServiceTimers(clock),
    inetdChildren: new Set(),
    refusedPids: new Set(),
    settleWaiters: [],
    stopWaiters: [],
    startAttempted: false,
  };
}
