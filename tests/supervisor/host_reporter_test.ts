import assert from "node:assert/strict";
import { HostReporter } from "../../src/supervisor/host_reporter.ts";
import { createLogger, MemorySink } from "../../src/log/logger.ts";
import { ManualClock } from "../_helpers/fakes.ts";

function setup(fail = false) {
  const clock = new ManualClock();
  const sink = new MemorySink();
  const logger = createLogger({ sink, threshold: 7, tag: "chaperone", pid: 1 });
  const sent: string[] = [];
  const notify = {
    send(m: string) {
      if (fail) throw new Error("connection refused");
      sent.push(m);
    },
  };
  return { clock, sink, logger, sent, reporter: new HostReporter(notify, logger, clock) };
}

Deno.test("HostReporter sends messages to the host socket", () => {
  const { reporter, sent } = setup();
  assert.equal(reporter.connected, true);
  reporter.send("READY=1");
  assert.deepEqual(sent, ["READY=1"]);
});

Deno.test("HostReporter does nothing without a host socket", async () => {
  const clock = new ManualClock();
  const sink = new MemorySink();
  const reporter = new HostReporter(
    undefined,
    createLogger({ sink, threshold: 7, tag: "c", pid: 1 }),
    clock,
  );
  assert.equal(reporter.connected, false);
  reporter.send("READY=1");
  reporter.startStatus(1, () => assert.fail("no status without a socket"));
  await clock.advance(5000);
  assert.deepEqual(sink.records, []);
});

Deno.test("HostReporter logs a failing send at debug and carries on", () => {
  const { reporter, sink } = setup(true);
  reporter.send("STOPPING=1");
  assert.ok(sink.messages().includes("host notify failed: connection refused"));
});

Deno.test("HostReporter sends STATUS= now and every interval until stopped", async () => {
  const { reporter, sent, clock } = setup();
  let n = 0;
  reporter.startStatus(2, () => `tick ${++n}`);
  assert.deepEqual(sent, ["STATUS=tick 1"]);
  await clock.advance(4000);
  assert.deepEqual(sent, ["STATUS=tick 1", "STATUS=tick 2", "STATUS=tick 3"]);
  reporter.stopStatus();
  await clock.advance(10_000);
  assert.equal(sent.length, 3);
});

Deno.test("HostReporter sends no STATUS= when the interval is 0", async () => {
  const { reporter, sent, clock } = setup();
  reporter.startStatus(0, () => "x");
  await clock.advance(10_000);
  assert.deepEqual(sent, []);
});
