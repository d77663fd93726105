import assert from "node:assert/strict";
import { createLogger, MemorySink } from "../../src/log/logger.ts";
import { Severity } from "../../src/log/record.ts";
import type { ExitStatus } from "../../src/process/exit_status.ts";
import { type InetdServiceContext, serveInetdConnection } from "../../src/supervisor/scheduling.ts";
import type {
  InetdConnection,
  InetdProcessRequest,
  ProcessHandle,
} from "../../src/supervisor/ports.ts";

/** A connection whose spawn records the request and returns a process the test ends. */
class FakeConnection implements InetdConnection {
  remote = { hostname: "10.0.0.2", port: 40000 };
  local = { hostname: "10.0.0.1", port: 7000 };
  closed = false;
  requests: InetdProcessRequest[] = [];
  end: (status: ExitStatus) => void = () => {};
  constructor(readonly fails = false) {}
  spawn(request: InetdProcessRequest): ProcessHandle {
    if (this.fails) throw new Error("executable 'nope' not found");
    this.requests.push(request);
    const status = new Promise<ExitStatus>((resolve) => (this.end = resolve));
    return { pid: 321, status, stdout: null, stderr: null };
  }
  close(): void {
    this.closed = true;
  }
}

function context(over: Partial<InetdServiceContext> = {}) {
  const sink = new MemorySink();
  const logger = createLogger({ sink, threshold: Severity.DEBUG, tag: "chaperone", pid: 1 });
  let exits = 0;
  let starts = 0;
  const ctx: InetdServiceContext = {
    name: "echo.service",
    port: 7000,
    logger,
    accepting: true,
    request: () => ({ argv: ["/bin/cat"], env: { PATH: "/bin" }, cwd: "/tmp" }),
    children: new Set(),
    onStart: () => starts++,
    onExit: () => exits++,
    ...over,
  };
  return { ctx, sink, exits: () => exits, starts: () => starts };
}

Deno.test("serveInetdConnection() starts the command with the TCP* variables", async () => {
  const { ctx, sink, exits, starts } = context();
  const conn = new FakeConnection();
  const child = serveInetdConnection(conn, ctx);
  assert.ok(child);
  assert.equal(starts(), 1);
  assert.deepEqual(conn.requests, [{
    argv: ["/bin/cat"],
    cwd: "/tmp",
    env: {
      PATH: "/bin",
      TCPREMOTEIP: "10.0.0.2",
      TCPREMOTEPORT: "40000",
      TCPLOCALIP: "10.0.0.1",
      TCPLOCALPORT: "7000",
    },
  }]);
  assert.equal(ctx.children.size, 1);
  conn.end({ code: 3, signal: null });
  await child.status;
  await Promise.resolve();
  assert.equal(ctx.children.size, 0);
  assert.equal(exits(), 1);
  const text = sink.messages().join("\n");
  assert.match(
    text,
    /echo.service received connection on port 7000; attempting start '\/bin\/cat'/,
  );
  assert.match(text, /echo.service exit status for pid=321 is '<ProcStatus exit_status=3>'/);
});

Deno.test("serveInetdConnection() closes the connection unanswered when not accepting", () => {
  const { ctx, starts } = context({ accepting: false });
  const conn = new FakeConnection();
  assert.equal(serveInetdConnection(conn, ctx), undefined);
  assert.equal(starts(), 0);
  assert.equal(conn.closed, true);
  assert.deepEqual(conn.requests, []);
});

Deno.test("serveInetdConnection() logs and closes when the command cannot start", () => {
  const { ctx, sink } = context();
  const conn = new FakeConnection(true);
  assert.equal(serveInetdConnection(conn, ctx), undefined);
  assert.equal(conn.closed, true);
  assert.equal(ctx.children.size, 0);
  assert.match(sink.messages().join("\n"), /echo.service failed to start: .*not found/);
});
