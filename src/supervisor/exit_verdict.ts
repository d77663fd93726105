/**
 * Detect-exit (spec §5.9): once nothing runs and nothing is about to, the system ends by itself,
 * unless cron or inetd services are scheduled, which keep it active.
 */
import type { ServiceState } from "../service/state.ts";

/** What the verdict needs to know about one service. */
export interface ExitView {
  readonly name: string;
  readonly state: ServiceState;
  readonly pid?: number | undefined;
  readonly mainPid?: number | undefined;
  readonly inetdRunning: number;
}

/** Busy (something runs or is about to), kept active by scheduled services, or done. */
export type ExitVerdict =
  | { readonly type: "busy" }
  | { readonly type: "scheduled"; readonly names: readonly string[] }
  | { readonly type: "exit" };

/** Judges whether the system may end; `hasChildren` is asked only when no service is busy. */
export function exitVerdict(views: readonly ExitView[], hasChildren: () => boolean): ExitVerdict {
  const busy = { type: "busy" } as const;
  if (views.some((v) => v.pid !== undefined || v.mainPid !== undefined || v.inetdRunning > 0)) {
    return busy;
  }
  if (
    views.some((v) =>
      v.state === "starting" || v.state === "backoff" || v.state === "stopping" ||
      v.state === "waiting"
    )
  ) return busy;
  if (hasChildren()) return busy;
  const names = views.filter((v) => v.state === "scheduled").map((v) => v.name);
  return names.length > 0 ? { type: "scheduled", names } : { type: "exit" };
}
