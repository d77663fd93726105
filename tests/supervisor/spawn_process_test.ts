import assert from "node:assert/strict";
import { spawnProcess } from "../../src/supervisor/spawn_process.ts";
import { createLogger, MemorySink } from "../../src/log/logger.ts";
import type { ProcessRequest } from "../../src/supervisor/ports.ts";
import type { ExitStatus } from "../../src/process/exit_status.ts";
import { FakeProcesses, flush } from "../_helpers/fakes.ts";

const REQUEST: ProcessRequest = {
  argv: ["/bin/web"],
  env: {},
  detached: true,
  stdin: "null",
  stdout: "inherit",
  stderr: "inherit",
};

/** A process table where nothing can be started. */
class FailingProcesses extends FakeProcesses {
  override spawn(): never {
    throw new Error("exec format error");
  }
}

function setup() {
  const processes = new FakeProcesses();
  const sink = new MemorySink();
  const logger = createLogger({ sink, threshold: 7, tag: "chaperone", pid: 1 });
  return { processes, sink, ctx: { processes, sink, logger } };
}

Deno.test("spawnProcess() starts the request and reports the exit after logging it", async () => {
  const { processes, sink, ctx } = setup();
  const seen: Array<[number, ExitStatus]> = [];
  const child = spawnProcess(ctx, "web.service", REQUEST, (c, s) => {
    assert.ok(sink.messages().some((m) => m.startsWith("web.service exit status")));
    seen.push([c.pid, s]);
  });
  assert.deepEqual(processes.of("/bin/web")!.request, REQUEST);
  processes.of("/bin/web")!.exit({ code: 3, signal: null });
  await flush();
  assert.deepEqual(seen, [[child.pid, { code: 3, signal: null }]]);
  const line = sink.records.find((r) => r.rest.includes("exit status"))!;
  assert.equal(line.severity, 6, "a failing exit is logged at info");
});

Deno.test("spawnProcess() logs a clean exit at debug", async () => {
  const { processes, sink, ctx } = setup();
  spawnProcess(ctx, "web.service", REQUEST, () => {});
  processes.of("/bin/web")!.exit();
  await flush();
  const line = sink.records.find((r) => r.rest.includes("exit status"))!;
  assert.equal(line.severity, 7);
});

Deno.test("spawnProcess() throws when the process cannot start", () => {
  const { ctx } = setup();
  const failing = { ...ctx, processes: new FailingProcesses() };
  assert.throws(
    () => spawnProcess(failing, "web.service", REQUEST, () => assert.fail("never started")),
    /exec format error/,
  );
});
