/**
 * The shutdown ordering decision (spec §5.10): a service is stopped once every service that
 * depends on it is down, so services go in reverse start order, each as soon as it may. Pure:
 * the supervisor asks after every event and acts on the answer.
 */
import type { ServiceState } from "../service/state.ts";

/** What the decision needs to know about one service. */
export interface ShutdownView {
  readonly state: ServiceState;
  readonly pid?: number | undefined;
  readonly mainPid?: number | undefined;
  /** Running processes of an inetd service's connections. */
  readonly inetdRunning: number;
}

/** The services to stop now, and whether any service still has something running. */
export interface ShutdownDecision {
  readonly stop: readonly string[];
  readonly anyLive: boolean;
}

/**
 * Decides which services may be stopped now: those not stopping or idle that still have a
 * process (or may still start one: waiting, backoff, scheduled) and whose dependents are all
 * down. `order` is the start order; `view` is undefined for a name that is not a service.
 */
export function shutdownStep(
  order: readonly string[],
  dependentsOf: (name: string) => readonly string[],
  view: (name: string) => ShutdownView | undefined,
): ShutdownDecision {
  const stop: string[] = [];
  let anyLive = false;
  for (const name of order) {
    const v = view(name);
    if (!v) continue;
    const live = v.pid !== undefined || v.mainPid !== undefined || v.state === "stopping" ||
      v.inetdRunning > 0;
    if (live) anyLive = true;
    if (v.state === "stopping" || v.state === "idle") continue;
    if (!live && v.state !== "waiting" && v.state !== "backoff" && v.state !== "scheduled") {
      continue;
    }
    const dependentsDown = dependentsOf(name).every((d) => {
      const dv = view(d);
      return !dv ||
        (dv.pid === undefined && dv.mainPid === undefined && dv.state !== "stopping");
    });
    if (dependentsDown) stop.push(name);
  }
  return { stop, anyLive };
}
