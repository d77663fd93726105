import assert from "node:assert/strict";
import { createLogger, MemorySink } from "../../src/log/logger.ts";
import { Severity } from "../../src/log/record.ts";
import {
  type ControlContext,
  type ControlHandler,
  type ControlRequest,
  type ControlResponse,
  decodeResponse,
  encode,
} from "../../src/control/protocol.ts";
import { readLines } from "../../src/text/line_reader.ts";
import { serveControl } from "../../src/control/server.ts";
import { withTempDir } from "../_helpers/with_temp_dir.ts";

/** A handler that records what it was asked and answers with the command name. */
class FakeHandler implements ControlHandler {
  calls: { request: ControlRequest; context: ControlContext }[] = [];
  /** Per-command answers; the default echoes the request. */
  answers = new Map<string, (request: ControlRequest) => Promise<ControlResponse>>();
  handle(request: ControlRequest, context: ControlContext): Promise<ControlResponse> {
    this.calls.push({ request, context });
    const answer = this.answers.get(request.cmd);
    if (answer) return answer(request);
    return Promise.resolve({ ok: true, text: `did ${JSON.stringify(request)}` });
  }
}

async function pollUntil(check: () => boolean | Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** A raw client connection that reads response lines. */
class RawClient implements AsyncDisposable {
  conn: Deno.UnixConn;
  lines: AsyncGenerator<string>;
  private constructor(conn: Deno.UnixConn) {
    this.conn = conn;
    this.lines = readLines(conn, { maxBytes: 64 * 1024 * 1024, tooLong: { kind: "split" } });
  }
  static async open(path: string): Promise<RawClient> {
    return new RawClient(await Deno.connect({ transport: "unix", path }));
  }
  async send(text: string | Uint8Array): Promise<void> {
    const bytes = typeof text === "string" ? new TextEncoder().encode(text) : text;
    let offset = 0;
    while (offset < bytes.length) offset += await this.conn.write(bytes.subarray(offset));
  }
  async reply(): Promise<ControlResponse> {
    const next = await this.lines.next();
    assert.equal(next.done, false, "connection closed without a reply");
    return decodeResponse(next.value as string);
  }
  async [Symbol.asyncDispose](): Promise<void> {
    try {
      this.conn.close();
    } catch {
      // Already closed by the test.
    }
    await this.lines.return(undefined).catch(() => {});
  }
}

const STATUS = new TextDecoder().decode(encode({ cmd: "status" }));

Deno.test("serveControl() answers each request of a connection in order", async () => {
  await withTempDir(async (dir) => {
    const handler = new FakeHandler();
    await using _server = serveControl({ socketPath: `${dir}/c.sock` }, handler);
    await using client = await RawClient.open(`${dir}/c.sock`);
    const requests: ControlRequest[] = [
      { cmd: "stop", services: ["a"], wait: true },
      { cmd: "status" },
      { cmd: "shutdown", delay: 5 },
    ];
    await client.send(requests.map((r) => new TextDecoder().decode(encode(r))).join(""));
    for (const request of requests) {
      assert.deepEqual(await client.reply(), { ok: true, text: `did ${JSON.stringify(request)}` });
    }
    assert.deepEqual(
      handler.calls.map((c) => c.context),
      requests.map(() => ({
        interactive: true,
      })),
    );
  });
});

Deno.test("serveControl() creates the socket with mode 0600 by default", async () => {
  await withTempDir(async (dir) => {
    await using _server = serveControl({ socketPath: `${dir}/c.sock` }, new FakeHandler());
    const info = await Deno.stat(`${dir}/c.sock`);
    assert.ok(info.isSocket);
    assert.equal(info.mode! & 0o777, 0o600);
    // The staging directory used for a race-free chmod is gone.
    const names = [];
    for await (const entry of Deno.readDir(dir)) names.push(entry.name);
    assert.deepEqual(names, ["c.sock"]);
  });
});

Deno.test("serveControl() applies the configured mode and group to socket and FIFO", async () => {
  await withTempDir(async (dir) => {
    const gid = Deno.gid()!;
    await using _server = serveControl(
      { socketPath: `${dir}/c.sock`, fifoPath: `${dir}/fifo`, mode: 0o660, gid },
      new FakeHandler(),
    );
    for (const path of [`${dir}/c.sock`, `${dir}/fifo`]) {
      const info = await Deno.stat(path);
      assert.equal(info.mode! & 0o777, 0o660, path);
      assert.equal(info.gid, gid, path);
    }
  });
});

Deno.test({
  name: "serveControl() gives socket and FIFO to the owner it is told, keeping mode 0600",
  // Giving a file away needs root.
  ignore: Deno.uid() !== 0,
  fn: () =>
    withTempDir(async (dir) => {
      await using _server = serveControl(
        { socketPath: `${dir}/c.sock`, fifoPath: `${dir}/fifo`, uid: 65534, gid: 65534 },
        new FakeHandler(),
      );
      for (const path of [`${dir}/c.sock`, `${dir}/fifo`]) {
        const info = await Deno.stat(path);
        assert.deepEqual([info.mode! & 0o777, info.uid, info.gid], [0o600, 65534, 65534], path);
      }
    }),
});

Deno.test("serveControl() replaces stale files and removes both endpoints on close", async () => {
  await withTempDir(async (dir) => {
    await Deno.writeTextFile(`${dir}/c.sock`, "stale");
    await Deno.writeTextFile(`${dir}/fifo`, "stale");
    const server = serveControl({ socketPath: `${dir}/c.sock`, fifoPath: `${dir}/fifo` }, {
      handle: () => Promise.resolve({ ok: true }),
    });
    assert.ok((await Deno.stat(`${dir}/c.sock`)).isSocket);
    assert.ok((await Deno.stat(`${dir}/fifo`)).isFifo);
    await server.close();
    await assert.rejects(() => Deno.stat(`${dir}/c.sock`), Deno.errors.NotFound);
    await assert.rejects(() => Deno.stat(`${dir}/fifo`), Deno.errors.NotFound);
  });
});

Deno.test("serveControl() keeps serving others while a client sends nothing", async () => {
  await withTempDir(async (dir) => {
    await using _server = serveControl({ socketPath: `${dir}/c.sock` }, new FakeHandler());
    await using _silent = await RawClient.open(`${dir}/c.sock`);
    await using client = await RawClient.open(`${dir}/c.sock`);
    await client.send(STATUS);
    assert.equal((await client.reply()).ok, true);
  });
});

Deno.test("serveControl() answers garbage with an error and keeps the connection", async () => {
  await withTempDir(async (dir) => {
    const handler = new FakeHandler();
    await using _server = serveControl({ socketPath: `${dir}/c.sock` }, handler);
    await using client = await RawClient.open(`${dir}/c.sock`);
    await client.send("\x00\xffgarbage{\n");
    const bad = await client.reply();
    assert.equal(bad.ok, false);
    assert.match((bad as { error: string }).error, /not JSON/);
    await client.send('{"cmd":"nope"}\n');
    assert.equal((await client.reply()).ok, false);
    await client.send(STATUS);
    assert.equal((await client.reply()).ok, true);
    assert.equal(handler.calls.length, 1);
  });
});

Deno.test("serveControl() rejects a 10 MB line and stays responsive", async () => {
  await withTempDir(async (dir) => {
    const handler = new FakeHandler();
    await using _server = serveControl({ socketPath: `${dir}/c.sock` }, handler);
    await using flooder = await RawClient.open(`${dir}/c.sock`);
    // The server hangs up part way through, so the rest of the write may fail: that is fine.
    const flood = flooder.send(new Uint8Array(10 * 1024 * 1024).fill(0x61)).catch(() => {});
    const answer = await flooder.reply();
    assert.equal(answer.ok, false);
    assert.match((answer as { error: string }).error, /longer than 65536 bytes/);
    await flood;
    assert.equal((await flooder.lines.next()).done, true, "server closes the connection");
    await using client = await RawClient.open(`${dir}/c.sock`);
    await client.send(STATUS);
    assert.equal((await client.reply()).ok, true);
    assert.equal(handler.calls.length, 1);
  });
});

Deno.test("serveControl() survives a client that disconnects mid-reply", async () => {
  await withTempDir(async (dir) => {
    const handler = new FakeHandler();
    let started = false;
    handler.answers.set("dependencies", () => {
      started = true;
      return Promise.resolve({ ok: true, text: "x".repeat(8 * 1024 * 1024) });
    });
    await using _server = serveControl({ socketPath: `${dir}/c.sock` }, handler);
    const quitter = await Deno.connect({ transport: "unix", path: `${dir}/c.sock` });
    await quitter.write(encode({ cmd: "dependencies" }));
    // Read a little of the big reply, then vanish.
    await quitter.read(new Uint8Array(1024));
    assert.ok(started);
    quitter.close();
    await using client = await RawClient.open(`${dir}/c.sock`);
    await client.send(STATUS);
    assert.equal((await client.reply()).ok, true);
  });
});

Deno.test("serveControl() serves 20 clients at once, each getting its own reply", async () => {
  await withTempDir(async (dir) => {
    const handler = new FakeHandler();
    // Hold every request until all 20 have arrived, proving they are handled concurrently.
    let release!: () => void;
    const gate = new Promise<void>((resolve) => release = resolve);
    handler.answers.set("stop", async (request) => {
      if (handler.calls.length === 20) release();
      await gate;
      return { ok: true, text: (request as { services: string[] }).services[0]! };
    });
    await using _server = serveControl({ socketPath: `${dir}/c.sock` }, handler);
    const clients = await Promise.all(
      Array.from({ length: 20 }, () => RawClient.open(`${dir}/c.sock`)),
    );
    try {
      const replies = await Promise.all(clients.map(async (client, i) => {
        await client.send(encode({ cmd: "stop", services: [`s${i}`] }));
        return await client.reply();
      }));
      assert.deepEqual(replies, clients.map((_, i) => ({ ok: true, text: `s${i}` })));
    } finally {
      for (const client of clients) await client[Symbol.asyncDispose]();
    }
  });
});

Deno.test("serveControl() turns a throwing handler into an error response", async () => {
  await withTempDir(async (dir) => {
    const handler = new FakeHandler();
    handler.answers.set("health", () => Promise.reject(new Error("supervisor exploded")));
    const sink = new MemorySink();
    const logger = createLogger({ sink, threshold: Severity.DEBUG, tag: "t", pid: 1 });
    await using _server = serveControl({ socketPath: `${dir}/c.sock`, logger }, handler);
    await using client = await RawClient.open(`${dir}/c.sock`);
    await client.send(encode({ cmd: "health" }));
    assert.deepEqual(await client.reply(), { ok: false, error: "supervisor exploded" });
    assert.ok(sink.messages().some((m) => m.includes("supervisor exploded")));
  });
});

Deno.test("serveControl() closes promptly while a handler is still running", async () => {
  await withTempDir(async (dir) => {
    const handler = new FakeHandler();
    handler.answers.set("start", () => new Promise(() => {}));
    const server = serveControl({ socketPath: `${dir}/c.sock` }, handler);
    await using client = await RawClient.open(`${dir}/c.sock`);
    await client.send(encode({ cmd: "start", services: ["a"], wait: true }));
    await pollUntil(() => handler.calls.length === 1, "the request to arrive");
    await server.close();
    assert.equal((await client.lines.next()).done, true);
  });
});

Deno.test("serveControl() runs FIFO lines in order, non-interactively, without --wait", async () => {
  await withTempDir(async (dir) => {
    const handler = new FakeHandler();
    const sink = new MemorySink();
    const logger = createLogger({ sink, threshold: Severity.DEBUG, tag: "t", pid: 1 });
    await using _server = serveControl(
      { socketPath: `${dir}/c.sock`, fifoPath: `${dir}/fifo`, logger },
      handler,
    );
    const writer = await Deno.open(`${dir}/fifo`, { write: true });
    try {
      await writer.write(new TextEncoder().encode(
        "stop --wait 'my svc'\nstatus\n\nbogus command\nstart --enable a\n" +
          "x".repeat(70 * 1024) + "\nshutdown 2\n",
      ));
    } finally {
      writer.close();
    }
    await pollUntil(() => handler.calls.length === 3, "three FIFO commands");
    assert.deepEqual(handler.calls, [
      {
        request: { cmd: "stop", services: ["my svc"], wait: false },
        context: { interactive: false },
      },
      {
        request: { cmd: "start", services: ["a"], enable: true, wait: false },
        context: { interactive: false },
      },
      { request: { cmd: "shutdown", delay: 2 }, context: { interactive: false } },
    ]);
    const messages = sink.messages().join("\n");
    assert.match(messages, /"status" needs a reply/);
    assert.match(messages, /command "bogus command" rejected: unknown command "bogus"/);
    assert.match(messages, /longer than 65536 bytes ignored/);
  });
});

Deno.test("serveControl() keeps the FIFO open after a writer goes away", async () => {
  await withTempDir(async (dir) => {
    const handler = new FakeHandler();
    await using _server = serveControl(
      { socketPath: `${dir}/c.sock`, fifoPath: `${dir}/fifo` },
      handler,
    );
    for (const name of ["one", "two"]) {
      const writer = await Deno.open(`${dir}/fifo`, { write: true });
      await writer.write(new TextEncoder().encode(`disable ${name}\n`));
      writer.close();
      await pollUntil(
        () => handler.calls.some((c) => JSON.stringify(c.request).includes(name)),
        name,
      );
    }
  });
});

Deno.test("serveControl() leaves a successor's socket in place at close", async () => {
  await withTempDir(async (dir) => {
    const first = serveControl({ socketPath: `${dir}/c.sock` }, new FakeHandler());
    await using _second = serveControl({ socketPath: `${dir}/c.sock` }, new FakeHandler());
    await first.close();
    assert.ok((await Deno.stat(`${dir}/c.sock`)).isSocket);
    await using client = await RawClient.open(`${dir}/c.sock`);
    await client.send(STATUS);
    assert.equal((await client.reply()).ok, true);
  });
});
