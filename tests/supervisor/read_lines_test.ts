import assert from "node:assert/strict";
import { MAX_LINE, READ_CHUNK, readLines } from "../../src/supervisor/read_lines.ts";

const enc = new TextEncoder();

/** A byte stream (the kind Deno gives for a child's pipes) delivering these chunks. */
function byteStream(chunks: Uint8Array[]): ReadableStream<Uint8Array> {
  const queue = [...chunks];
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
function plainStream(chunks: Uint8Array[]): ReadableStream<Uint8Array> {
  return ReadableStream.from(chunks);
}

async function collect(stream: ReadableStream<Uint8Array>): Promise<string[]> {
  const lines: string[] = [];
  await readLines(stream, (line) => lines.push(line));
  return lines;
}

const euro = enc.encode("€"); // three bytes, split across chunks below
const cases: Array<{ what: string; chunks: Uint8Array[]; lines: string[] }> = [
  { what: "lines in one chunk", chunks: [enc.encode("a\nb\n")], lines: ["a", "b"] },
  { what: "a line across chunks", chunks: [enc.encode("ab"), enc.encode("c\n")], lines: ["abc"] },
  {
    what: "a character split across chunks",
    chunks: [enc.encode("1"), euro.slice(0, 2), euro.slice(2), enc.encode("\n")],
    lines: ["1€"],
  },
  {
    what: "trailing spaces and no final newline",
    chunks: [enc.encode("a  \nb \t")],
    lines: ["a", "b"],
  },
  { what: "invalid UTF-8", chunks: [new Uint8Array([0x61, 0xff, 0x0a])], lines: ["a\ufffd"] },
  {
    what: "a chunk larger than READ_CHUNK",
    chunks: [enc.encode("y".repeat(READ_CHUNK * 3) + "\nz\n")],
    lines: ["y".repeat(READ_CHUNK * 3), "z"],
  },
];

for (const c of cases) {
  Deno.test(`readLines() splits ${c.what} from a byte stream`, async () => {
    assert.deepEqual(await collect(byteStream(c.chunks.map((x) => x.slice()))), c.lines);
  });
  Deno.test(`readLines() splits ${c.what} from a plain stream`, async () => {
    assert.deepEqual(await collect(plainStream(c.chunks.map((x) => x.slice()))), c.lines);
  });
}

Deno.test("readLines() reads every line of a child's pipe when output exceeds the read size", async () => {
  const child = new Deno.Command("/bin/sh", {
    args: ["-c", 'i=0; while [ $i -lt 2000 ]; do echo "line $i"; i=$((i+1)); done'],
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const lines = await collect(child.stdout);
  await child.status;
  assert.equal(lines.length, 2000);
  assert.equal(lines[0], "line 0");
  assert.equal(lines[1999], "line 1999");
});

for (const [kind, make] of [["byte", byteStream], ["plain", plainStream]] as const) {
  Deno.test(`readLines() splits a line far over MAX_LINE into pieces from a ${kind} stream`, async () => {
    const long = "0123456789".repeat((MAX_LINE * 3) / 10 + 7);
    const lines = await collect(make([enc.encode(long + "\n")]));
    assert.ok(lines.length >= 3, `${lines.length} pieces`);
    assert.ok(lines.every((l) => l.length <= MAX_LINE));
    assert.equal(lines.join(""), long);
  });
}
