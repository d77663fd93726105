/**
 * `ctl logs` on the server side (docs/ctl.md, `logs`): the last lines of the chosen services from
 * the run's store of their output (syslog/service_logs.ts), then, with `-f`, the lines that come
 * after, as a streaming reply (control/stream.ts). The reply's data names the services shown,
 * so that ctl can align their names.
 */
import { DEFAULT_LOG_LINES, type LogsRequest } from "../control/logs_request.ts";
import type { ControlResponse } from "../control/protocol.ts";
import type { StreamFrame, StreamReply } from "../control/stream.ts";
import type { FollowItem, LogLine, ServiceLogs } from "../syslog/service_logs.ts";

/** Frames sent in one write at most, so a long tail is never encoded in one piece. */
export const FRAMES_PER_WRITE = 500;

/** The services of the run, as the handler knows them. */
export interface ServiceNames {
  /** Every service, full names. */
  all(): string[];
  /** Full names of the names given (with or without `.service`); throws for an unknown one. */
  resolve(names: readonly string[]): string[];
}

/** The data of a `logs` reply's header. */
export interface LogsReplyData {
  /** The services whose lines may follow (full names). */
  readonly services: string[];
}

function lineFrame(line: LogLine): StreamFrame {
  return { kind: "line", service: line.service, time: line.time, text: line.text };
}

function itemFrame(item: FollowItem): StreamFrame {
  switch (item.kind) {
    case "line":
      return lineFrame(item.line);
    case "dropped":
      return { kind: "dropped", count: item.count };
    default: {
      const exhaustive: never = item;
      throw new TypeError(`Unhandled item ${JSON.stringify(exhaustive)}`);
    }
  }
}

/** The reply to `request`: an error, or the stream of the lines asked for. */
export function logsReply(
  logs: ServiceLogs | undefined,
  request: LogsRequest,
  names: ServiceNames,
): ControlResponse | StreamReply {
  if (logs === undefined) {
    return { ok: false, error: "ctl logs is off: settings has log_buffer_lines: 0" };
  }
  const chosen = request.services.length > 0 ? names.resolve(request.services) : undefined;
  const data: LogsReplyData = { services: chosen ?? names.all() };
  const { tail, follower } = logs.read(
    chosen === undefined ? undefined : new Set(chosen),
    request.lines ?? DEFAULT_LOG_LINES,
    request.follow === true,
  );
  let sent = 0;
  let closed = false;
  return {
    ok: true,
    data,
    stream: {
      async next() {
        if (closed) return null;
        if (sent < tail.length) {
          const part = tail.slice(sent, sent + FRAMES_PER_WRITE);
          sent += part.length;
          return part.map(lineFrame);
        }
        if (follower === undefined) return null;
        await follower.wait();
        if (follower.closed) return null;
        const items = follower.take();
        return items.map(itemFrame);
      },
      close() {
        closed = true;
        follower?.close();
      },
    },
  };
}
