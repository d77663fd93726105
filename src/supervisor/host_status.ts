/**
 * The STATUS= line Chaperone sends to the host's NOTIFY_SOCKET every status interval
 * (spec §5.12): uptime, how many services started, and how many are scheduled or failed.
 */
import type { ServiceState } from "../service/state.ts";

/** The STATUS= text for `uptime` seconds and the current state of every service. */
export function hostStatus(uptime: number, states: readonly ServiceState[]): string {
  const up = Math.floor(uptime);
  const hh = String(Math.floor(up / 3600)).padStart(2, "0");
  const mm = String(Math.floor(up / 60) % 60).padStart(2, "0");
  const ss = String(up % 60).padStart(2, "0");
  const started = states.filter((s) => s === "running" || s === "finished").length;
  const scheduled = states.filter((s) => s === "scheduled").length;
  const failed = states.filter((s) => s === "failed").length;
  let text = `Uptime ${hh}:${mm}:${ss}; ${started || "No"} service${
    started === 1 ? "" : "s"
  } started`;
  if (scheduled) text += `; ${scheduled} scheduled`;
  if (failed) text += `; ${failed} failed`;
  return text;
}
