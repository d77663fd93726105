/**
 * Sends a streaming reply (stream.ts) on one control connection. One write is in flight at a
 * time and each carries what the stream had ready, so a client that stops reading holds one
 * write and nothing more: the stream's source bounds what waits behind it (a `ctl logs -f`
 * reader drops lines with a count, syslog/log_follower.ts). The client hanging up is noticed
 * even while nothing is being sent (a read that ends), and ends the stream at once: no reader
 * outlives its connection.
 */
import { encodeFrames, encodeStreamHeader, type StreamReply } from "./stream.ts";

/** How long the end frame may wait for a client while the server closes. */
const CLOSING_WRITE_MS = 100;

/** Writes every byte; a peer that has gone away makes this reject. */
async function writeAll(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  let offset = 0;
  while (offset < bytes.length) offset += await conn.write(bytes.subarray(offset));
}

/** Resolves when the peer hangs up (or the connection is closed); what it sends is dropped. */
async function hangUp(conn: Deno.Conn): Promise<void> {
  const sink = new Uint8Array(1024);
  try {
    while ((await conn.read(sink)) !== null) {
      // A stream is the last reply on its connection: later requests are not answered.
    }
  } catch {
    // Reset by the peer, or closed under us.
  }
}

function closeQuietly(conn: Deno.Conn): void {
  try {
    conn.close();
  } catch {
    // Already closed.
  }
}

/**
 * Sends `reply`'s header, frames and end frame on `conn` until the stream ends, the client
 * hangs up, or `closing` is aborted (the server closes: the end frame still goes out when the
 * connection can take it, otherwise the connection is closed under the pending write). The
 * stream is always closed when this returns; the caller closes the connection.
 */
export async function sendStream(
  conn: Deno.Conn,
  reply: StreamReply,
  closing: AbortSignal,
): Promise<void> {
  const stream = reply.stream;
  let writing = false;
  const onClosing = () => {
    stream.close();
    if (writing) closeQuietly(conn);
  };
  closing.addEventListener("abort", onClosing, { once: true });
  if (closing.aborted) stream.close();
  let gone = false;
  void hangUp(conn).then(() => {
    gone = true;
    stream.close();
  });
  try {
    const send = async (bytes: Uint8Array) => {
      writing = true;
      // Once the server closes, a client that does not take the end frame in time loses it.
      const guard = closing.aborted
        ? setTimeout(() => closeQuietly(conn), CLOSING_WRITE_MS)
        : undefined;
      try {
        await writeAll(conn, bytes);
      } finally {
        writing = false;
        clearTimeout(guard);
      }
    };
    await send(encodeStreamHeader(reply.data));
    for (;;) {
      const frames = await stream.next();
      if (frames === null) break;
      if (frames.length > 0) await send(encodeFrames(frames));
    }
    if (!gone) await send(encodeFrames([{ kind: "end" }]));
  } catch {
    // The client went away, or the server closed the connection under a pending write.
  } finally {
    closing.removeEventListener("abort", onClosing);
    stream.close();
  }
}
