/**
 * Streaming replies of the control protocol (docs/ctl.md, "Protocol"), used by `ctl logs`: the
 * reply's first line is an ordinary response with `"stream":true`, so a client that reads one
 * reply per request still reads a valid one; then one JSON line per frame, and an end frame:
 *
 * ```
 * {"ok":true,"stream":true,"data":{"services":["web.service"]}}
 * {"line":{"service":"web.service","time":"2025-01-02T03:04:05.678Z","text":"GET / 200"}}
 * {"dropped":120}
 * {"end":true}
 * ```
 *
 * A stream is the last reply on its connection: the server closes it after the end frame, and
 * discards whatever the client sends meanwhile (it watches only for the client hanging up).
 * Server (stream_reply.ts) and client (client.ts) both frame through this module.
 */
import { ProtocolError } from "./protocol.ts";

/** One frame after the header. */
export type StreamFrame =
  /** A line of a service's output; `time` in ms since the epoch. */
  | {
    readonly kind: "line";
    readonly service: string;
    readonly time: number;
    readonly text: string;
  }
  /** The reader fell behind and this many lines were not sent (`-- N lines dropped --`). */
  | { readonly kind: "dropped"; readonly count: number }
  /** Nothing follows. */
  | { readonly kind: "end" };

/** The frames a server sends, produced on demand. */
export interface ReplyStream {
  /** The next frames, waiting until there are some; null once the stream has ended. */
  next(): Promise<readonly StreamFrame[] | null>;
  /** Ends the stream (the client hung up, or the server closes); next() then gives null. */
  close(): void;
}

/** A handler's streaming reply: the header's data, then the stream's frames. */
export interface StreamReply {
  readonly ok: true;
  readonly stream: ReplyStream;
  readonly data?: unknown;
}

/** Whether a handler's reply is a stream (the others are sent as one response line). */
export function isStreamReply(reply: object): reply is StreamReply {
  return "stream" in reply && typeof reply.stream === "object" && reply.stream !== null;
}

const encoder = new TextEncoder();

/** The header line of a streaming reply. */
export function encodeStreamHeader(data: unknown): Uint8Array {
  return encoder.encode(
    JSON.stringify(
      data === undefined ? { ok: true, stream: true } : { ok: true, stream: true, data },
    ) +
      "\n",
  );
}

function frameObject(frame: StreamFrame): unknown {
  switch (frame.kind) {
    case "line":
      return {
        line: {
          service: frame.service,
          time: new Date(frame.time).toISOString(),
          text: frame.text,
        },
      };
    case "dropped":
      return { dropped: frame.count };
    case "end":
      return { end: true };
    default: {
      const exhaustive: never = frame;
      throw new TypeError(`Unhandled frame ${JSON.stringify(exhaustive)}`);
    }
  }
}

/** Frames as lines, ready for one write. */
export function encodeFrames(frames: readonly StreamFrame[]): Uint8Array {
  let text = "";
  for (const frame of frames) text += JSON.stringify(frameObject(frame)) + "\n";
  return encoder.encode(text);
}

/** Decodes one frame line; throws ProtocolError on anything else. */
export function decodeFrame(line: string): StreamFrame {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    throw new ProtocolError("Cannot parse stream frame: not JSON", { cause: error });
  }
  const obj = (typeof value === "object" && value !== null ? value : {}) as Record<string, unknown>;
  if (obj.end === true) return { kind: "end" };
  if (typeof obj.dropped === "number" && Number.isInteger(obj.dropped) && obj.dropped >= 0) {
    return { kind: "dropped", count: obj.dropped };
  }
  const l = obj.line as Record<string, unknown> | null | undefined;
  if (
    typeof l === "object" && l !== null && typeof l.service === "string" &&
    typeof l.text === "string" && typeof l.time === "string"
  ) {
    const time = Date.parse(l.time);
    if (Number.isFinite(time)) return { kind: "line", service: l.service, time, text: l.text };
  }
  throw new ProtocolError(`Cannot parse stream frame: ${line.slice(0, 80)}`);
}
