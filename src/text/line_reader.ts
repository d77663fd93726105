/**
 * Lines from a byte source: a child's output pipe (a ReadableStream), a control connection or
 * the command FIFO (anything with `read(buffer)`). The one line reader of the program, so that
 * service output and the control endpoints agree on what a line is:
 *
 * - a line ends at `\n`, which is removed; nothing else is trimmed (callers decide);
 * - it is decoded as UTF-8 with invalid bytes replaced by U+FFFD, never fatal (Decision 6 in
 *   docs/migration.md);
 * - a line longer than `maxBytes` is never buffered whole, so a peer cannot make the reader
 *   hold more than `maxBytes` plus one read: it is split into pieces (service output), skipped
 *   up to its newline and reported (the FIFO), or an error (the control socket);
 * - a final line without a newline at the end of the stream is delivered too.
 */

/** Something lines can be read from with a caller's buffer: a socket connection, an open FIFO. */
export interface ByteReader {
  read(buffer: Uint8Array): Promise<number | null>;
}

/** A pipe's stream or a ByteReader. */
export type ByteSource = ReadableStream<Uint8Array> | ByteReader;

/** What becomes of a line longer than `maxBytes`. */
export type LongLinePolicy =
  /** Delivered in pieces of at most `maxBytes`, cut between characters. */
  | { readonly kind: "split" }
  /** Dropped up to its newline; `report` is called once for it. */
  | { readonly kind: "skip"; readonly report: () => void }
  /** Reading ends with the error `error(message)` makes. */
  | { readonly kind: "fail"; readonly error: (message: string) => Error };

/** Options of readLines. */
export interface ReadLinesOptions {
  /** Longest line delivered whole, in bytes, newline excluded. */
  readonly maxBytes: number;
  readonly tooLong: LongLinePolicy;
  /** Bytes read at a time (default READ_CHUNK). */
  readonly readBytes?: number;
}

/**
 * Default read size. Every service has two pipes with a read always pending; Deno's default
 * stream reader allocates 64 KiB for each, which cost about 130 KiB of resident memory per
 * service (65 MB at 500 services). Output is lines, so 4 KiB is plenty.
 */
export const READ_CHUNK = 4096;

const NEWLINE = 0x0a;
const EMPTY: Uint8Array = new Uint8Array(0);

/** Yields the lines of `source` as they arrive (see the module comment for what a line is). */
export async function* readLines(
  source: ByteSource,
  options: ReadLinesOptions,
): AsyncGenerator<string> {
  const { maxBytes, tooLong } = options;
  const decoder = new TextDecoder("utf-8", { fatal: false });
  // Bytes of the unfinished line, copied out of the read buffer (which the next read reuses).
  let pending = EMPTY;
  // Inside a long line that is being skipped, until its newline.
  let skipping = false;
  const overflow = () => {
    if (tooLong.kind === "fail") throw tooLong.error(`Line longer than ${maxBytes} bytes`);
    if (tooLong.kind === "skip") tooLong.report();
  };
  for await (const chunk of chunksOf(source, options.readBytes ?? READ_CHUNK)) {
    let start = 0;
    for (let nl = chunk.indexOf(NEWLINE); nl !== -1; nl = chunk.indexOf(NEWLINE, start)) {
      const line = join(pending, chunk.subarray(start, nl));
      start = nl + 1;
      pending = EMPTY;
      if (skipping) {
        skipping = false;
      } else if (line.length <= maxBytes) {
        yield decoder.decode(line);
      } else if (tooLong.kind === "split") {
        for (const piece of pieces(line, maxBytes, true)) yield decoder.decode(piece);
      } else {
        overflow();
      }
    }
    if (skipping) continue;
    const tail = chunk.subarray(start);
    const rest = join(pending, tail);
    if (rest.length <= maxBytes) {
      // Copied when it is still a view of the read buffer, which the next read reuses.
      pending = rest === tail ? tail.slice() : rest;
    } else if (tooLong.kind === "split") {
      // Whole pieces go now; the tail may still grow, so it waits for more bytes.
      let delivered = 0;
      for (const piece of pieces(rest, maxBytes, false)) {
        delivered += piece.length;
        yield decoder.decode(piece);
      }
      pending = rest.slice(delivered);
    } else {
      overflow();
      skipping = true;
      pending = EMPTY;
    }
  }
  if (!skipping && pending.length > 0) yield decoder.decode(pending);
}

/** `a` followed by `b`, without copying when `a` is empty. */
function join(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b;
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/**
 * `bytes` cut into pieces of at most `max` bytes, each ending before a UTF-8 continuation byte
 * where one is near, so a character is not torn in two. With `all` false, the last piece is
 * kept back unless it is full.
 */
function* pieces(bytes: Uint8Array, max: number, all: boolean): Generator<Uint8Array> {
  let at = 0;
  while (bytes.length - at > max) {
    let cut = at + max;
    // A character is at most 4 bytes: back off at most 3 continuation bytes.
    for (let back = 0; back < 3 && cut > at + 1 && (bytes[cut]! & 0xc0) === 0x80; back++) cut--;
    if ((bytes[cut]! & 0xc0) === 0x80) cut = at + max; // not UTF-8 anyway: cut anywhere
    yield bytes.subarray(at, cut);
    at = cut;
  }
  if (all && at < bytes.length) yield bytes.subarray(at);
}

/** The chunks of `source`, read into one reused buffer of `size` bytes where possible. */
function chunksOf(source: ByteSource, size: number): AsyncIterable<Uint8Array> {
  return source instanceof ReadableStream ? streamChunks(source, size) : readerChunks(source, size);
}

async function* readerChunks(reader: ByteReader, size: number): AsyncGenerator<Uint8Array> {
  const buffer = new Uint8Array(size);
  for (;;) {
    const n = await reader.read(buffer);
    if (n === null) return;
    yield buffer.subarray(0, n);
  }
}

async function* streamChunks(
  stream: ReadableStream<Uint8Array>,
  size: number,
): AsyncGenerator<Uint8Array> {
  let reader: ReadableStreamBYOBReader;
  try {
    reader = stream.getReader({ mode: "byob" });
  } catch {
    // Not a byte stream (no BYOB reader): its chunks come as they are.
    yield* stream;
    return;
  }
  try {
    let buffer = new ArrayBuffer(size);
    for (;;) {
      const { value, done } = await reader.read(new Uint8Array(buffer));
      if (done || value === undefined) return;
      // The consumer is done with the chunk before the next read takes the buffer back.
      yield value;
      buffer = value.buffer as ArrayBuffer;
    }
  } finally {
    reader.releaseLock();
  }
}
