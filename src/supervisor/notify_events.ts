/**
 * What one notify datagram of a service means to the supervisor (spec §5.2.4): the events to
 * dispatch, in the order the original acted on them, the log lines to write and the new status
 * text. Pure. A MAINPID= becomes a `main-pid` event whatever it names: the supervisor decides
 * whether the service may name that pid (main_pid_refusal.ts).
 */
import type { LogLevel, ServiceEvent } from "../service/state.ts";
import type { NotifyMessage } from "./ports.ts";

/** One thing to do for a notify datagram, in order. */
export type NotifyStep =
  | { readonly type: "event"; readonly event: ServiceEvent }
  | { readonly type: "log"; readonly level: LogLevel; readonly message: string };

/** The supervisor's reading of one notify datagram. */
export interface NotifyReading {
  /** STATUS= text, when the datagram carried one (set before any step runs). */
  readonly statusText?: string | undefined;
  readonly steps: readonly NotifyStep[];
}

/** Maps one datagram of `service` to a status text and the steps to take. */
export function notifyEvents(service: string, m: NotifyMessage): NotifyReading {
  const steps: NotifyStep[] = [];
  const event = (e: ServiceEvent) => steps.push({ type: "event", event: e });
  const log = (level: LogLevel, message: string) => steps.push({ type: "log", level, message });
  if (m.invalid.length > 0) {
    log(
      "warn",
      `${service} sent malformed notify lines (dropped): ${m.invalid.slice(0, 3).join(" | ")}`,
    );
  }
  if (m.mainPid !== undefined) event({ type: "main-pid", pid: m.mainPid });
  if (m.extendTimeoutUsec !== undefined) {
    event({ type: "extend-timeout", ms: Math.ceil(m.extendTimeoutUsec / 1000) });
  }
  if (m.watchdog) event({ type: "watchdog-ping" });
  if (m.errno !== undefined) event({ type: "notify-errno", errno: m.errno });
  if (m.ready) event({ type: "ready" });
  if (m.stopping) log("info", `${service} reports it is stopping`);
  return { statusText: m.status, steps };
}
