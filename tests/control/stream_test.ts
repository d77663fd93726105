/**
 * Streaming replies (src/control/stream.ts): the frames, the server sending them (stream_reply.ts)
 * and sendControl receiving them. A client that stops reading holds one write and no more; one
 * that hangs up, or a server that closes, ends the stream at once.
 */
import assert from "node:assert/strict";
import { createLogger, MemorySink } from "../../src/log/logger.ts";
import { Severity } from "../../src/log/record.ts";
import type {
  ControlContext,
  ControlHandler,
  ControlReply,
  ControlRequest,
} from "../../src/control/protocol.ts";
import {
  decodeFrame,
  encodeFrames,
  encodeStreamHeader,
  type ReplyStream,
  type StreamFrame,
} from "../../src/control/stream.ts";
import { sendControl } from "../../src/control/client.ts";
import { ProtocolError } from "../../src/control/protocol.ts";
import { serveControl } from "../../src/control/server.ts";
import { withTempDir } from "../_helpers/with_temp_dir.ts";
import { waitFor } from "../_helpers/pid1.ts";

/** A stream the test feeds by hand. */
class FakeStream implements ReplyStream {
  #queue: StreamFrame[][] = [];
  #wake: (() => void) | undefined;
  #ended = false;
  closed = false;
  nextCalls = 0;

  push(...frames: StreamFrame[]): void {
    this.#queue.push(frames);
    this.#wakeUp();
  }

  end(): void {
    this.#ended = true;
    this.#wakeUp();
  }

  async next(): Promise<readonly StreamFrame[] | null> {
    this.nextCalls++;
    while (!this.closed && !this.#ended && this.#queue.length === 0) {
      await new Promise<void>((resolve) => this.#wake = resolve);
    }
    if (this.closed) return null;
    return this.#queue.shift() ?? null;
  }

  close(): void {
    this.closed = true;
    this.#wakeUp();
  }

  #wakeUp(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }
}

/** Answers `logs` with `stream` (and its data), everything else with "ok". */
class StreamingHandler implements ControlHandler {
  constructor(readonly stream: FakeStream, readonly data: unknown = { services: ["web"] }) {}
  handle(request: ControlRequest, _context: ControlContext): Promise<ControlReply> {
    if (request.cmd === "logs") {
      return Promise.resolve({ ok: true, stream: this.stream, data: this.data });
    }
    return Promise.resolve({ ok: true, text: "ok" });
  }
}

const LOGS: ControlRequest = { cmd: "logs", services: [], follow: true };
const line = (text: string): StreamFrame => ({
  kind: "line",
  service: "web.service",
  time: Date.UTC(2025, 0, 2, 3, 4, 5, 678),
  text,
});

Deno.test("stream frames survive encoding and decoding", () => {
  const frames: StreamFrame[] = [
    line("GET / 200"),
    line('quotes " and \n newlines'),
    { kind: "dropped", count: 120 },
    { kind: "end" },
  ];
  const lines = new TextDecoder().decode(encodeFrames(frames)).trimEnd().split("\n");
  assert.equal(lines.length, 4);
  assert.deepEqual(lines.map(decodeFrame), frames);
  assert.equal(
    lines[0],
    `{"line":{"service":"web.service","time":"2025-01-02T03:04:05.678Z","text":"GET / 200"}}`,
  );
  assert.equal(lines[2], `{"dropped":120}`);
  assert.equal(
    new TextDecoder().decode(encodeStreamHeader({ services: [] })),
    `{"ok":true,"stream":true,"data":{"services":[]}}\n`,
  );
  for (const bad of ["x", "{}", `{"dropped":-1}`, `{"line":{"service":"a","text":"b"}}`]) {
    assert.throws(() => decodeFrame(bad), ProtocolError, bad);
  }
});

Deno.test("sendControl() receives a stream's header and frames up to its end", async () => {
  await withTempDir(async (dir) => {
    const stream = new FakeStream();
    await using _server = serveControl(
      { socketPath: `${dir}/c.sock` },
      new StreamingHandler(stream),
    );
    const got: StreamFrame[] = [];
    let header: unknown;
    const done = sendControl(`${dir}/c.sock`, LOGS, {
      stream: { header: (h) => header = h, frame: (f) => got.push(f) },
    });
    stream.push(line("one"), line("two"));
    await waitFor(() => got.length === 2 || undefined, { what: "two lines" });
    stream.push({ kind: "dropped", count: 3 }, line("three"));
    stream.end();
    const response = await done;
    assert.deepEqual(response, { ok: true, stream: true, data: { services: ["web"] } });
    assert.deepEqual(header, response);
    assert.deepEqual(got, [line("one"), line("two"), { kind: "dropped", count: 3 }, line("three")]);
    assert.equal(stream.closed, true);
  });
});

Deno.test("a stream is the last reply on its connection", async () => {
  await withTempDir(async (dir) => {
    const stream = new FakeStream();
    stream.end();
    await using _server = serveControl(
      { socketPath: `${dir}/c.sock` },
      new StreamingHandler(stream),
    );
    const conn = await Deno.connect({ transport: "unix", path: `${dir}/c.sock` });
    try {
      await conn.write(
        new TextEncoder().encode(`{"cmd":"logs","services":[]}\n{"cmd":"status"}\n`),
      );
      let text = "";
      const buf = new Uint8Array(4096);
      for (let n = await conn.read(buf); n !== null; n = await conn.read(buf)) {
        text += new TextDecoder().decode(buf.subarray(0, n));
      }
      assert.equal(text, `{"ok":true,"stream":true,"data":{"services":["web"]}}\n{"end":true}\n`);
    } finally {
      conn.close();
    }
  });
});

Deno.test("a client that hangs up ends its stream even while nothing is sent", async () => {
  await withTempDir(async (dir) => {
    const stream = new FakeStream();
    await using _server = serveControl(
      { socketPath: `${dir}/c.sock` },
      new StreamingHandler(stream),
    );
    const conn = await Deno.connect({ transport: "unix", path: `${dir}/c.sock` });
    await conn.write(new TextEncoder().encode(`{"cmd":"logs","services":[],"follow":true}\n`));
    await conn.read(new Uint8Array(4096)); // the header
    conn.close();
    await waitFor(() => stream.closed || undefined, { what: "the stream to be closed" });
  });
});

Deno.test("a client that stops reading holds one write: the stream is not drained into memory", async () => {
  await withTempDir(async (dir) => {
    const stream = new FakeStream();
    const server = serveControl({ socketPath: `${dir}/c.sock` }, new StreamingHandler(stream));
    const conn = await Deno.connect({ transport: "unix", path: `${dir}/c.sock` });
    try {
      await conn.write(new TextEncoder().encode(`{"cmd":"logs","services":[],"follow":true}\n`));
      const big = line("x".repeat(64 * 1024));
      // Far more than the socket buffers take: the server stops asking for more.
      for (let i = 0; i < 200; i++) stream.push(big);
      await waitFor(async () => {
        const before = stream.nextCalls;
        await new Promise((r) => setTimeout(r, 200));
        return stream.nextCalls === before || undefined;
      }, { what: "the server to stop taking frames" });
      assert.ok(stream.nextCalls < 100, `next() called ${stream.nextCalls} times`);
      // Closing the server does not wait for the reader: the pending write is given up.
      const started = performance.now();
      await server.close();
      assert.ok(performance.now() - started < 900, `close took ${performance.now() - started} ms`);
      assert.equal(stream.closed, true);
    } finally {
      conn.close();
      await server.close();
    }
  });
});

Deno.test("closing the server ends a following stream with its end frame, at once", async () => {
  await withTempDir(async (dir) => {
    const stream = new FakeStream();
    const server = serveControl({ socketPath: `${dir}/c.sock` }, new StreamingHandler(stream));
    const got: StreamFrame[] = [];
    const done = sendControl(`${dir}/c.sock`, LOGS, { stream: { frame: (f) => got.push(f) } });
    stream.push(line("only"));
    await waitFor(() => got.length === 1 || undefined, { what: "the line" });
    const started = performance.now();
    await server.close();
    assert.ok(performance.now() - started < 500, `close took ${performance.now() - started} ms`);
    assert.deepEqual(await done, { ok: true, stream: true, data: { services: ["web"] } });
  });
});

Deno.test("sendControl() tells a stream cut short, and a stream nobody asked for", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/c.sock`;
    const listener = Deno.listen({ transport: "unix", path });
    const serveOnce = async (reply: string) => {
      const conn = await listener.accept();
      await conn.read(new Uint8Array(4096));
      await conn.write(new TextEncoder().encode(reply));
      conn.close();
    };
    try {
      const cut = serveOnce(`{"ok":true,"stream":true}\n{"dropped":1}\n`);
      await assert.rejects(
        sendControl(path, LOGS, { stream: { frame() {} } }),
        (e) => e instanceof ProtocolError && /before the end of its reply/.test(e.message),
      );
      await cut;
      const unasked = serveOnce(`{"ok":true,"stream":true}\n{"end":true}\n`);
      await assert.rejects(
        sendControl(path, LOGS),
        (e) => e instanceof ProtocolError && /answered with a stream/.test(e.message),
      );
      await unasked;
    } finally {
      listener.close();
    }
  });
});

Deno.test("the FIFO refuses logs: it has no reply channel", async () => {
  await withTempDir(async (dir) => {
    const sink = new MemorySink();
    const logger = createLogger({ sink, threshold: Severity.DEBUG, tag: "t", pid: 1 });
    const stream = new FakeStream();
    await using _server = serveControl(
      { socketPath: `${dir}/c.sock`, fifoPath: `${dir}/fifo`, logger },
      new StreamingHandler(stream),
    );
    const fifo = await Deno.open(`${dir}/fifo`, { write: true });
    await fifo.write(new TextEncoder().encode("logs -f web\n"));
    fifo.close();
    await waitFor(
      () => sink.records.some((r) => r.rest.includes(`"logs" needs a reply`)) || undefined,
      { what: "the refusal" },
    );
    assert.equal(stream.nextCalls, 0);
  });
});
