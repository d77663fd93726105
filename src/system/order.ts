/**
 * Dependency order at run time, judged from the services' snapshots: whether a waiting
 * service may start (docs/configuration.md, "after" and "before"), whether it counts as ready
 * for `ctl status`, and which services a shutdown may stop now (dependents first, the mirror
 * of the start). Pure.
 */
import { hasProcess, isLive, isSatisfied, type ServiceSnapshot } from "../service/state.ts";

/** Looks a service's snapshot up by name (undefined: not a service). */
export type SnapshotOf = (name: string) => ServiceSnapshot | undefined;

/** A waiting service's verdict: start, keep waiting, or fail because `failed` failed. */
export type StartVerdict = "ready" | "wait" | { readonly failed: string };

/**
 * Judges the prerequisites of one waiting service: disabled prerequisites are ignored, a
 * failed one fails the dependent, and one that was not asked to start (idle and not part of
 * the start-up, `pending`) does not hold it back.
 */
export function startVerdict(
  prerequisites: readonly string[],
  snapshotOf: SnapshotOf,
  pending: ReadonlySet<string>,
): StartVerdict {
  for (const p of prerequisites) {
    const pr = snapshotOf(p);
    if (!pr || !pr.enabled) continue;
    if (isSatisfied(pr.state)) continue;
    if (pr.state === "failed") return { failed: p };
    if (pr.state === "idle" && !pending.has(p)) continue;
    return "wait";
  }
  return "ready";
}

/**
 * The `ready` column of status: enabled, not failed, and either up already or with every
 * enabled prerequisite ready in turn.
 */
export function isReady(
  name: string,
  prerequisitesOf: (name: string) => readonly string[],
  snapshotOf: SnapshotOf,
): boolean {
  const s = snapshotOf(name);
  if (!s) return true;
  if (!s.enabled || s.state === "failed") return false;
  if (isSatisfied(s.state)) return true;
  return prerequisitesOf(name).every((p) => {
    const pr = snapshotOf(p);
    return !pr || !pr.enabled || isReady(p, prerequisitesOf, snapshotOf);
  });
}

/** The services a shutdown stops now, and whether any service still has something running. */
export interface ShutdownStep {
  readonly stop: readonly string[];
  readonly anyLive: boolean;
}

/** True while something of the service runs (a process, or a stop under way). */
function running(s: ServiceSnapshot): boolean {
  return hasProcess(s) || s.state === "stopping" || s.state === "job-stopping";
}

/**
 * Decides which services a shutdown may stop now: those that are live or may still start
 * something (waiting, scheduled) and are not already stopping, once every service that
 * depends on them is down. `order` is the start order.
 */
export function shutdownStep(
  order: readonly string[],
  dependentsOf: (name: string) => readonly string[],
  snapshotOf: SnapshotOf,
): ShutdownStep {
  const stop: string[] = [];
  let anyLive = false;
  for (const name of order) {
    const s = snapshotOf(name);
    if (!s) continue;
    if (running(s)) anyLive = true;
    if (s.state === "stopping" || s.state === "job-stopping" || s.state === "idle") continue;
    if (!isLive(s) && s.state !== "waiting" && s.state !== "scheduled") continue;
    const dependentsDown = dependentsOf(name).every((d) => {
      const ds = snapshotOf(d);
      return !ds || !running(ds);
    });
    if (dependentsDown) stop.push(name);
  }
  return { stop, anyLive };
}
