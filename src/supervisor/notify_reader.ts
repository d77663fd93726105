/**
 * Reads a service's notify socket until it closes or is replaced, acting on each datagram as
 * `notifyEvents()` reads it. A failing socket is logged, never fatal.
 */
import type { Logger } from "../log/logger.ts";
import type { ServiceEvent } from "../service/state.ts";
import { notifyEvents } from "./notify_events.ts";
import type { NotifyChannel } from "./ports.ts";

/** What reading a service's notify socket needs. */
export interface NotifyReaderContext {
  readonly service: string;
  readonly logger: Logger;
  /** False once this channel is no longer the service's (closed or replaced). */
  active(): boolean;
  /** A STATUS= text arrived. */
  onStatus(text: string): void;
  /** An event for the service, in the order the datagram implies. */
  onEvent(event: ServiceEvent): void;
}

/** Reads `channel` until it ends or the context turns inactive. */
export async function readNotify(channel: NotifyChannel, ctx: NotifyReaderContext): Promise<void> {
  try {
    for await (const m of channel.messages) {
      if (!ctx.active()) break;
      try {
        const reading = notifyEvents(ctx.service, m);
        if (reading.statusText !== undefined) ctx.onStatus(reading.statusText);
        for (const step of reading.steps) {
          if (step.type === "event") ctx.onEvent(step.event);
          else ctx.logger[step.level](step.message);
        }
      } catch (err) {
        // A bug while acting on one datagram: the next ones are still read.
        const detail = err instanceof Error ? err.stack ?? err.message : String(err);
        ctx.logger.error(`${ctx.service} notify message failed (Chaperone carries on): ${detail}`);
      }
    }
  } catch (err) {
    ctx.logger.warn(
      `${ctx.service} notify socket failed: ${err instanceof Error ? err.message : err}`,
    );
  }
}
