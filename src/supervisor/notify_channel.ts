/**
 * A service's notify socket as the supervisor reads it (docs/configuration.md, `type:
 * notify`): each datagram, parsed by notify/protocol.ts, becomes the events to dispatch, in
 * the order the original acted on them (MAINPID, EXTEND_TIMEOUT_USEC, WATCHDOG, ERRNO,
 * READY), with STATUS= first. A MAINPID= becomes a `main-pid` event whatever it names: the
 * supervisor decides whether the service may name that pid (main_pid_refusal.ts). A failing
 * socket or a bug while acting on one datagram is logged, never fatal.
 */
import type { Logger } from "../log/logger.ts";
import type { NotifyMessage, ParsedNotify } from "../notify/protocol.ts";
import type { LogLevel, ServiceEvent } from "../service/state.ts";
import type { NotifyChannel } from "./ports.ts";
import { errorMessage, errorStack } from "../text/error_message.ts";

/** One thing to do for a notify datagram, in order. */
export type NotifyStep =
  | { readonly type: "event"; readonly event: ServiceEvent }
  | { readonly type: "log"; readonly level: LogLevel; readonly message: string };

/** The last message of type `T` in the datagram (a later assignment overrides an earlier one). */
function last<T extends NotifyMessage["type"]>(
  messages: readonly NotifyMessage[],
  type: T,
): Extract<NotifyMessage, { type: T }> | undefined {
  return messages.findLast((m): m is Extract<NotifyMessage, { type: T }> => m.type === type);
}

/** Maps one datagram of `service` to the steps to take. */
export function notifySteps(service: string, datagram: ParsedNotify): NotifyStep[] {
  const { messages, invalid } = datagram;
  const steps: NotifyStep[] = [];
  const event = (e: ServiceEvent) => steps.push({ type: "event", event: e });
  if (invalid.length > 0) {
    steps.push({
      type: "log",
      level: "warn",
      message: `${service} sent malformed notify lines (dropped): ${
        invalid.slice(0, 3).join(" | ")
      }`,
    });
  }
  const status = last(messages, "status");
  if (status) event({ type: "notify-status", text: status.text });
  const mainPid = last(messages, "mainpid");
  if (mainPid) event({ type: "main-pid", pid: mainPid.pid });
  const extend = last(messages, "extend-timeout");
  if (extend) event({ type: "extend-timeout", ms: Math.ceil(extend.usec / 1000) });
  if (last(messages, "watchdog")) event({ type: "watchdog-ping" });
  const failure = messages.findLast((m) => m.type === "errno" || m.type === "buserror");
  if (failure?.type === "errno") event({ type: "notify-errno", errno: failure.errno });
  if (failure?.type === "buserror") {
    event({ type: "notify-errno", errno: Number.parseInt(failure.error, 10) || 1 });
  }
  if (last(messages, "ready")) event({ type: "ready" });
  if (last(messages, "stopping")) {
    steps.push({ type: "log", level: "info", message: `${service} reports it is stopping` });
  }
  return steps;
}

/** What reading a service's notify socket needs. */
export interface NotifyReaderContext {
  readonly service: string;
  readonly logger: Logger;
  /** False once this channel is no longer the service's (closed or replaced). */
  active(): boolean;
  /** An event for the service, in the order the datagram implies. */
  onEvent(event: ServiceEvent): void;
}

/** Reads `channel` until it ends or the context turns inactive. */
export async function readNotify(channel: NotifyChannel, ctx: NotifyReaderContext): Promise<void> {
  try {
    for await (const datagram of channel.messages) {
      if (!ctx.active()) break;
      try {
        for (const step of notifySteps(ctx.service, datagram)) {
          if (step.type === "event") ctx.onEvent(step.event);
          else ctx.logger[step.level](step.message);
        }
      } catch (err) {
        // A bug while acting on one datagram: the next ones are still read.
        const detail = errorStack(err);
        ctx.logger.error(`${ctx.service} notify message failed (Chaperone carries on): ${detail}`);
      }
    }
  } catch (err) {
    ctx.logger.warn(
      `${ctx.service} notify socket failed: ${errorMessage(err)}`,
    );
  }
}
