import assert from "node:assert/strict";
import { pipeServiceOutput, serviceOutputRecord } from "../../src/supervisor/service_output.ts";
import { MemorySink } from "../../src/log/logger.ts";
import { Facility, Severity } from "../../src/log/record.ts";

Deno.test("serviceOutputRecord() tags a line with the service name and the child's pid", () => {
  const rec = serviceOutputRecord("web.service", 42, Severity.WARN, "disk full", new MemorySink());
  assert.ok(rec);
  assert.equal(rec.tag, "web");
  assert.equal(rec.facility, Facility.DAEMON);
  assert.equal(rec.severity, Severity.WARN);
  assert.equal(rec.rest, "[42]: disk full");
});

Deno.test("serviceOutputRecord() drops blank lines", () => {
  assert.equal(
    serviceOutputRecord("web.service", 1, Severity.INFO, "  \t", new MemorySink()),
    undefined,
  );
});

function stream(text: string): ReadableStream<Uint8Array> {
  return ReadableStream.from([new TextEncoder().encode(text)]);
}

Deno.test("pipeServiceOutput() logs stdout at info and stderr at warning", async () => {
  const sink = new MemorySink();
  pipeServiceOutput("CONSOLE", {
    pid: 7,
    status: Promise.resolve({ code: 0, signal: null }),
    stdout: stream("hello\n\nworld\n"),
    stderr: stream("oops\n"),
  }, sink);
  const deadline = Date.now() + 2000;
  while (sink.records.length < 3 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 5));
  }
  const seen = sink.records.map((r) => [r.tag, r.severity, r.rest]).sort();
  assert.deepEqual(seen, [
    ["CONSOLE", Severity.WARN, "[7]: oops"],
    ["CONSOLE", Severity.INFO, "[7]: hello"],
    ["CONSOLE", Severity.INFO, "[7]: world"],
  ]);
});
