/**
 * Whether a waiting service may start, judged from its prerequisites' states (spec §5.3):
 * disabled prerequisites are ignored, a failed one fails the dependent, and one that has not
 * been asked to start (idle and not part of the start-up) does not hold it back.
 */
import { isSatisfied, type ServiceState } from "../service/state.ts";

/** What the verdict needs to know about a prerequisite. */
export interface PrerequisiteView {
  readonly enabled: boolean;
  readonly snap: { readonly state: ServiceState };
}

/** A waiting service's verdict: start, keep waiting, or fail because `failed` failed. */
export type PrerequisiteVerdict = "ready" | "wait" | { readonly failed: string };

/** Judges the prerequisites `prerequisites` of one waiting service. */
export function prerequisiteVerdict(
  prerequisites: readonly string[],
  view: (name: string) => PrerequisiteView | undefined,
  startupPending: ReadonlySet<string>,
): PrerequisiteVerdict {
  for (const p of prerequisites) {
    const pr = view(p);
    if (!pr || !pr.enabled) continue;
    const st = pr.snap.state;
    if (isSatisfied(st)) continue;
    if (st === "failed") return { failed: p };
    if (st === "idle" && !startupPending.has(p)) continue;
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
  view: (name: string) => PrerequisiteView | undefined,
): boolean {
  const r = view(name);
  if (!r) return true;
  if (!r.enabled || r.snap.state === "failed") return false;
  if (isSatisfied(r.snap.state)) return true;
  return prerequisitesOf(name).every((p) => {
    const pr = view(p);
    return !pr || !pr.enabled || isReady(p, prerequisitesOf, view);
  });
}
