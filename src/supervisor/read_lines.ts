/** Splits a byte stream into UTF-8 lines (invalid bytes replaced, Decision 6). */

/** Longest line handed on in one piece; longer lines are split, never fatal. */
export const MAX_LINE = 64 * 1024;

/**
 * Bytes read from a pipe at a time. Every service has two pipes with a read always pending;
 * Deno's default reader allocates 64 KiB for each, which cost about 130 KiB of resident
 * memory per service (65 MB at 500 services). Service output is lines, so 4 KiB is plenty.
 */
export const READ_CHUNK = 4096;

/** Calls `onLine` for each line of `stream` (without its newline, right-trimmed). */
export async function readLines(
  stream: ReadableStream<Uint8Array>,
  onLine: (line: string) => void,
): Promise<void> {
  const decoder = new TextDecoder("utf-8", { fatal: false });
  let pending = "";
  for await (const chunk of chunks(stream)) {
    pending += decoder.decode(chunk, { stream: true });
    let nl = pending.indexOf("\n");
    while (nl >= 0) {
      let line = pending.slice(0, nl).trimEnd();
      // A long line may arrive whole in one chunk; it is split all the same.
      for (; line.length > MAX_LINE; line = line.slice(MAX_LINE)) onLine(line.slice(0, MAX_LINE));
      onLine(line);
      pending = pending.slice(nl + 1);
      nl = pending.indexOf("\n");
    }
    while (pending.length > MAX_LINE) {
      onLine(pending.slice(0, MAX_LINE));
      pending = pending.slice(MAX_LINE);
    }
  }
  pending += decoder.decode();
  if (pending.trimEnd() !== "") onLine(pending.trimEnd());
}

/** The stream's chunks, read into one reused READ_CHUNK buffer when it is a byte stream. */
async function* chunks(stream: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  let reader: ReadableStreamBYOBReader;
  try {
    reader = stream.getReader({ mode: "byob" });
  } catch {
    // Not a byte stream (no BYOB reader): its chunks come as they are.
    yield* stream;
    return;
  }
  try {
    let buffer = new ArrayBuffer(READ_CHUNK);
    for (;;) {
      const { value, done } = await reader.read(new Uint8Array(buffer));
      if (done || value === undefined) return;
      // The chunk is decoded before the next read takes the buffer back.
      yield value;
      buffer = value.buffer as ArrayBuffer;
    }
  } finally {
    reader.releaseLock();
  }
}
