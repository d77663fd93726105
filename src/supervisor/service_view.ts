/**
 * The read-only view of one service that status and control see: configuration, machine
 * snapshot and the live facts (enabled, STATUS= text, next cron run, inetd counters).
 */
import type { ServiceSpec } from "../config/schema.ts";
import type { ServiceSnapshot } from "../service/state.ts";
import type { ServiceRuntime } from "./runtime.ts";

/** A read-only view of one service for status and control. */
export interface ServiceView {
  readonly spec: ServiceSpec;
  readonly snap: ServiceSnapshot;
  readonly enabled: boolean;
  readonly statusText: string | undefined;
  readonly nextRun: Date | undefined;
  readonly listener: { port: number; requests: number } | undefined;
  readonly inetdRunning: number;
  readonly ready: boolean;
}

/** The view of runtime `r`; `ready` is judged by the caller, who knows the graph. */
export function serviceView(r: ServiceRuntime, ready: boolean): ServiceView {
  return {
    spec: r.spec,
    snap: r.snap,
    enabled: r.enabled,
    statusText: r.statusText,
    nextRun: r.cronJob?.nextRun() ?? undefined,
    listener: r.listener ? { port: r.listener.port, requests: r.listener.requests } : undefined,
    inetdRunning: r.inetdChildren.size,
    ready,
  };
}
