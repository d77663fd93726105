/**
 * Health decided from a service's state (docs/ctl.md, `health`): the one place that says
 * whether a service is ready and whether it is alive, for `ctl health`, the HTTP probes and the
 * status display. Pure.
 *
 * - **ready**: running (and not being restarted by its health probe), finished successfully,
 *   or scheduled (a cron or inetd service); a disabled service does not count.
 * - **alive**: not failed, not given up, not stopped by an operator. A service that is still
 *   starting, or waiting between restarts, is alive: a Kubernetes liveness probe must not kill
 *   a container for a restart that is under way.
 */
import type { ServiceSnapshot } from "./state.ts";
import { isStarting } from "./state.ts";

/** What a service is doing, as health and status see it. */
export type Condition =
  | "disabled"
  | "idle"
  | "starting"
  | "up"
  | "done"
  | "scheduled"
  | "retrying"
  | "failed"
  | "stopping"
  | "stopped";

/** The condition of one service. */
export function conditionOf(s: ServiceSnapshot): Condition {
  if (isStarting(s.state) || s.state === "waiting") return "starting";
  switch (s.state) {
    case "running":
      return "up";
    case "finished":
      return "done";
    case "scheduled":
    case "job-running":
    case "job-stopping":
      return "scheduled";
    case "backoff":
      return "retrying";
    case "failed":
      return "failed";
    case "stopping":
      return s.stoppedByOperator ? "stopped" : "stopping";
    default:
      if (!s.enabled) return "disabled";
      return s.stoppedByOperator ? "stopped" : "idle";
  }
}

/** The two health levels of one service (a disabled one passes both). */
export interface ServiceHealth {
  readonly ready: boolean;
  readonly alive: boolean;
}

/** Whether the service is ready and alive. */
export function healthOf(s: ServiceSnapshot): ServiceHealth {
  // Only enabled services count (`ctl disable` takes one out of the health checks).
  if (!s.enabled) return { ready: true, alive: true };
  const c = conditionOf(s);
  const ready = (c === "up" && !s.unhealthy) || c === "done" || c === "scheduled";
  const alive = c !== "failed" && c !== "stopped";
  return { ready, alive };
}

/** The health levels of `ctl health --level`. */
export type HealthLevel = "ready" | "alive";

/** Whether the service passes `level`. */
export function passes(s: ServiceSnapshot, level: HealthLevel): boolean {
  const h = healthOf(s);
  return level === "ready" ? h.ready : h.alive;
}
