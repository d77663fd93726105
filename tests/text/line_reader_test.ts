import assert from "node:assert/strict";
import {
  type ByteReader,
  type ByteSource,
  type LongLinePolicy,
  READ_CHUNK,
  readLines,
} from "../../src/text/line_reader.ts";

const enc = new TextEncoder();
const SPLIT: LongLinePolicy = { kind: "split" };

/** A byte stream (the kind Deno gives for a child's pipes) delivering these chunks. */
function byteStream(chunks: readonly Uint8Array[]): ReadableStream<Uint8Array> {
  const queue = chunks.map((c) => c.slice());
  return new ReadableStream({
    type: "bytes",
    pull(controller) {
      const next = queue.shift();
      if (next === undefined) {
        controller.close();
        // A pending BYOB read is only settled by a response, as real pipes do at EOF.
        controller.byobRequest?.respond(0);
      } else controller.enqueue(next);
    },
  });
}

/** A default (non-byte) stream delivering these chunks. */
function plainStream(chunks: readonly Uint8Array[]): ReadableStream<Uint8Array> {
  return ReadableStream.from(chunks.map((c) => c.slice()));
}

/** A ByteReader (a socket or FIFO) returning these chunks, one per read. */
function byteReader(chunks: readonly Uint8Array[]): ByteReader {
  const queue = chunks.map((c) => c.slice());
  return {
    read(buffer: Uint8Array): Promise<number | null> {
      const next = queue.shift();
      if (next === undefined) return Promise.resolve(null);
      assert.ok(next.length <= buffer.length, "test chunk larger than the read buffer");
      buffer.set(next);
      return Promise.resolve(next.length);
    },
  };
}

const SOURCES = [
  ["byte stream", byteStream],
  ["plain stream", plainStream],
  ["reader", byteReader],
] as const;

async function collect(
  source: ByteSource,
  maxBytes: number,
  tooLong: LongLinePolicy = SPLIT,
): Promise<string[]> {
  const lines: string[] = [];
  for await (const line of readLines(source, { maxBytes, tooLong })) lines.push(line);
  return lines;
}

const text = (...parts: string[]) => parts.map((p) => enc.encode(p));
const euro = enc.encode("€"); // three bytes, split across chunks below

const CASES: Array<{ what: string; chunks: Uint8Array[]; lines: string[] }> = [
  { what: "lines in one chunk", chunks: text("a\nb\n"), lines: ["a", "b"] },
  {
    what: "a line across chunks",
    chunks: text("ab", "c\nde\nf", "g\n"),
    lines: ["abc", "de", "fg"],
  },
  {
    what: "a character split across chunks",
    chunks: [enc.encode("1"), euro.slice(0, 2), euro.slice(2), enc.encode("\n")],
    lines: ["1€"],
  },
  { what: "a final line without a newline", chunks: text("a\n", "tail"), lines: ["a", "tail"] },
  {
    what: "spaces and empty lines as sent",
    chunks: text("a  \n\n \t\n"),
    lines: ["a  ", "", " \t"],
  },
  { what: "invalid UTF-8", chunks: [new Uint8Array([0x61, 0xff, 0x0a])], lines: ["a\ufffd"] },
  { what: "a truncated character at the end", chunks: [euro.slice(0, 2)], lines: ["\ufffd"] },
];

for (const [kind, make] of SOURCES) {
  for (const c of CASES) {
    Deno.test(`readLines() reads ${c.what} from a ${kind}`, async () => {
      assert.deepEqual(await collect(make(c.chunks), 1024), c.lines);
    });
  }

  Deno.test(`readLines() accepts a line of exactly maxBytes from a ${kind}`, async () => {
    assert.deepEqual(await collect(make(text("12345\n", "12345")), 5), ["12345", "12345"]);
  });

  Deno.test(`readLines() splits a long line into maxBytes pieces from a ${kind}`, async () => {
    const long = "0123456789".repeat(30) + "x";
    // Arriving whole in one chunk, and in small chunks that never hold a newline.
    const small = long.match(/.{1,7}/g)!.map((s) => enc.encode(s));
    for (const chunks of [text(long + "\nend\n"), [...small, enc.encode("\nend\n")]]) {
      const lines = await collect(make(chunks), 100);
      assert.deepEqual(lines.map((l) => l.length), [100, 100, 100, 1, 3]);
      assert.equal(lines.slice(0, 4).join(""), long);
    }
  });

  Deno.test(`readLines() never tears a character when splitting, from a ${kind}`, async () => {
    // 2 + 3n bytes: a cut every 10 bytes would fall inside a euro sign.
    const long = "ab" + "€".repeat(40);
    const lines = await collect(make(text(long + "\n")), 10);
    assert.ok(lines.every((l) => !l.includes("\ufffd")), JSON.stringify(lines));
    assert.ok(lines.every((l) => enc.encode(l).length <= 10));
    assert.equal(lines.join(""), long);
  });

  Deno.test(`readLines() skips an over-long line and reports it once, from a ${kind}`, async () => {
    let reported = 0;
    const tooLong: LongLinePolicy = { kind: "skip", report: () => reported++ };
    const chunks = text("a\n", "0123456789", "01234\nb\nccccccccccccc\nd");
    assert.deepEqual(await collect(make(chunks), 5, tooLong), ["a", "b", "d"]);
    assert.equal(reported, 2);
  });

  Deno.test(`readLines() fails on an over-long line before its newline, from a ${kind}`, async () => {
    class TooLong extends Error {}
    let reads = 0;
    const inner = make(text("ok\n", "0123456789", "0123456789", "never read\n"));
    // Counts what was read: the reader must stop as soon as the line passes maxBytes.
    const counted: ByteReader = {
      read: async (buffer) => {
        const n = await readOnce(inner, buffer);
        if (n !== null) reads++;
        return n;
      },
    };
    const lines = readLines(counted, {
      maxBytes: 15,
      tooLong: { kind: "fail", error: (m) => new TooLong(m) },
    });
    assert.equal((await lines.next()).value, "ok");
    await assert.rejects(() => lines.next(), (e: unknown) => {
      assert.ok(e instanceof TooLong);
      assert.equal(e.message, "Line longer than 15 bytes");
      return true;
    });
    assert.equal(reads, 3);
  });
}

/** One read from either kind of source, for the counting wrapper above. */
const streamReaders = new WeakMap<
  ReadableStream<Uint8Array>,
  ReadableStreamDefaultReader<Uint8Array>
>();
async function readOnce(source: ByteSource, buffer: Uint8Array): Promise<number | null> {
  if (!(source instanceof ReadableStream)) return await source.read(buffer);
  let reader = streamReaders.get(source);
  if (reader === undefined) streamReaders.set(source, reader = source.getReader());
  const { value, done } = await reader.read();
  if (done) return null;
  buffer.set(value);
  return value.length;
}

Deno.test("readLines() reads a stream chunk larger than the read size", async () => {
  const big = "y".repeat(READ_CHUNK * 3);
  assert.deepEqual(await collect(byteStream(text(big + "\nz\n")), READ_CHUNK * 4), [big, "z"]);
});

/** The lines of what `script` writes to its stdout, read from the pipe as a service's are. */
async function childLines(script: string): Promise<string[]> {
  const child = new Deno.Command("/bin/sh", {
    args: ["-c", script],
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const lines = await collect(child.stdout, 64 * 1024);
  assert.equal((await child.status).code, 0);
  return lines;
}

Deno.test("readLines() reads every line of a child's pipe when output exceeds the read size", async () => {
  const lines = await childLines('i=0; while [ $i -lt 2000 ]; do echo "line $i"; i=$((i+1)); done');
  assert.equal(lines.length, 2000);
  assert.equal(lines[0], "line 0");
  assert.equal(lines[1999], "line 1999");
});

Deno.test("readLines() reads a line of a child's pipe far over maxBytes in pieces", async () => {
  const lines = await childLines("head -c 300000 /dev/zero | tr '\\0' x; echo; echo after");
  assert.deepEqual(lines.map((l) => l.length), [65536, 65536, 65536, 65536, 37856, 5]);
  assert.equal(lines.at(-1), "after");
});

Deno.test("readLines() stops reading when the consumer stops", async () => {
  let reads = 0;
  const endless: ByteReader = {
    read(buffer) {
      reads++;
      buffer.set(enc.encode("line\n"));
      return Promise.resolve(5);
    },
  };
  for await (const line of readLines(endless, { maxBytes: 10, tooLong: SPLIT })) {
    assert.equal(line, "line");
    if (reads === 3) break;
  }
  assert.equal(reads, 3);
});
