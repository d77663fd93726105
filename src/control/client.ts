/**
 * The client end of the control socket: send one request, read its one response (or a
 * streaming reply's frames up to its end: stream.ts). Used by `chaperone ctl`; tells "nobody
 * is listening here" apart from every other failure, because ctl reports that case with its own
 * exit status.
 */
import {
  type ControlRequest,
  type ControlResponse,
  decodeResponse,
  encode,
  LINE_TOO_LONG,
  MAX_RESPONSE_BYTES,
  ProtocolError,
} from "./protocol.ts";
import { decodeFrame, type StreamFrame } from "./stream.ts";
import { readLines } from "../text/line_reader.ts";

/** Read size for replies, which can be large (status of many services). */
const REPLY_READ_BYTES = 64 * 1024;

/** No Chaperone listens at this path: the socket file is missing or refuses connections. */
export class ControlUnavailableError extends Error {
  readonly path: string;
  constructor(path: string, options?: ErrorOptions) {
    super(`no chaperone is listening at ${path}`, options);
    this.name = "ControlUnavailableError";
    this.path = path;
  }
}

/** Options for one exchange. */
export interface SendControlOptions {
  /** Give up after this long (connect, send and reply together); no limit when absent. */
  timeoutMs?: number;
  /**
   * Receives a streaming reply (`logs`: stream.ts) as it arrives, up to its end frame;
   * sendControl then returns the reply's header. Without it a stream is a ProtocolError.
   */
  stream?: StreamReceiver;
}

/** What takes a streaming reply apart. */
export interface StreamReceiver {
  /** The header (`{ok: true, stream: true, data}`), before any frame. */
  header?(response: ControlResponse & { ok: true }): void;
  frame(frame: StreamFrame): void;
}

/**
 * Sends `request` to the control socket at `socketPath` and returns the response. Throws
 * ControlUnavailableError when nothing listens there, Deno.errors.TimedOut on timeout,
 * ProtocolError on a malformed or missing reply, and the connect error otherwise (for
 * example PermissionDenied for a socket the caller may not use).
 */
export async function sendControl(
  socketPath: string,
  request: ControlRequest,
  options: SendControlOptions = {},
): Promise<ControlResponse> {
  let conn: Deno.UnixConn | undefined;
  let timedOut = false;
  const timer = options.timeoutMs === undefined ? undefined : setTimeout(() => {
    timedOut = true;
    try {
      conn?.close();
    } catch {
      // Closed meanwhile.
    }
  }, options.timeoutMs);
  try {
    try {
      conn = await Deno.connect({ transport: "unix", path: socketPath });
    } catch (error) {
      if (error instanceof Deno.errors.NotFound || error instanceof Deno.errors.ConnectionRefused) {
        throw new ControlUnavailableError(socketPath, { cause: error });
      }
      throw error;
    }
    if (timedOut) conn.close();
    const bytes = encode(request);
    let offset = 0;
    while (offset < bytes.length) offset += await conn.write(bytes.subarray(offset));
    const lines = readLines(conn, {
      maxBytes: MAX_RESPONSE_BYTES,
      tooLong: LINE_TOO_LONG,
      readBytes: REPLY_READ_BYTES,
    });
    let header: ControlResponse | undefined;
    for await (const line of lines) {
      if (line.trim() === "") continue;
      if (header === undefined) {
        header = decodeResponse(line);
        if (!header.ok || header.stream !== true) return header;
        if (options.stream === undefined) {
          throw new ProtocolError(`Chaperone at ${socketPath} answered with a stream`);
        }
        options.stream.header?.(header);
        continue;
      }
      const frame = decodeFrame(line);
      if (frame.kind === "end") return header;
      options.stream?.frame(frame);
    }
    throw new ProtocolError(
      header === undefined
        ? `Chaperone at ${socketPath} closed the connection without a reply`
        : `Chaperone at ${socketPath} closed the connection before the end of its reply`,
    );
  } catch (error) {
    if (timedOut) {
      throw new Deno.errors.TimedOut(
        `no reply from chaperone at ${socketPath} within ${options.timeoutMs} ms`,
      );
    }
    throw error;
  } finally {
    clearTimeout(timer);
    try {
      conn?.close();
    } catch {
      // Already closed by the timer.
    }
  }
}
