/** The store behind `ctl logs`: which lines it keeps, the tail of several services, followers. */
import assert from "node:assert/strict";
import { makeRecord } from "../../src/log/logger.ts";
import { type LogRecord, type LogSink, Severity } from "../../src/log/record.ts";
import { parseSyslog } from "../../src/syslog/parse.ts";
import { serviceOutputRecord } from "../../src/supervisor/service_process.ts";
import {
  type FollowItem,
  MAX_LINE_CHARS,
  MAX_SERVICE_BYTES,
  MAX_TOTAL_BYTES,
  ServiceLogs,
  serviceLogsFor,
} from "../../src/syslog/service_logs.ts";
import { CUT_MARK, LINE_OVERHEAD } from "../../src/log/log_ring.ts";

const NOWHERE: LogSink = { write() {} };

/** A line a service wrote to its stdout, as the supervisor hands it on. */
function out(service: string, text: string, pid = 42): LogRecord {
  return serviceOutputRecord(service, pid, Severity.INFO, text, NOWHERE)!;
}

/** A /dev/log datagram from pid `pid`. */
function syslog(text: string, pid: number): LogRecord {
  return parseSyslog(`<14>Jan  2 03:04:05 app[${pid}]: ${text}`, { now: new Date() });
}

const texts = (lines: readonly { text: string }[]) => lines.map((l) => l.text);

function items(list: FollowItem[]): string[] {
  return list.map((i) => i.kind === "line" ? `${i.line.service}: ${i.line.text}` : `-${i.count}`);
}

Deno.test("ServiceLogs keeps each service's own lines, and /dev/log lines of its processes", () => {
  const logs = new ServiceLogs({
    lines: 10,
    services: 2,
    serviceOfPid: (pid) => pid === 77 ? "db.service" : undefined,
  });
  logs.write(out("web.service", "GET / 200"));
  logs.write(syslog("from the database", 77));
  logs.write(syslog("from nobody we know", 78));
  // Chaperone's own messages belong to no service.
  logs.write(makeRecord({ sink: NOWHERE, threshold: 7, tag: "chaperone", pid: 1 }, 3, 6, "hi"));
  logs.write(out("db.service", "ready"));
  const all = logs.read(undefined, 100, false).tail;
  assert.deepEqual(all.map((l) => `${l.service}: ${l.text}`), [
    "web.service: GET / 200",
    "db.service: app[77]: from the database",
    "db.service: ready",
  ]);
  assert.deepEqual(texts(logs.read(new Set(["web.service"]), 100, false).tail), ["GET / 200"]);
});

Deno.test("ServiceLogs reads the last n lines of several services together, oldest first", () => {
  const logs = new ServiceLogs({ lines: 5, services: 3 });
  for (let i = 1; i <= 4; i++) {
    logs.write(out("a.service", `a${i}`));
    logs.write(out("b.service", `b${i}`));
    logs.write(out("c.service", `c${i}`));
  }
  assert.deepEqual(texts(logs.read(undefined, 4, false).tail), ["c3", "a4", "b4", "c4"]);
  assert.deepEqual(
    texts(logs.read(new Set(["a.service", "c.service"]), 5, false).tail),
    ["c2", "a3", "c3", "a4", "c4"],
  );
  // Each ring keeps its own last `lines`: a2 is gone from a's ring of 5 only after a6.
  assert.deepEqual(texts(logs.read(new Set(["a.service"]), 100, false).tail), [
    "a1",
    "a2",
    "a3",
    "a4",
  ]);
  assert.deepEqual(logs.read(undefined, 0, false).tail, []);
  assert.deepEqual(logs.read(new Set(["nothing.service"]), 10, false).tail, []);
});

Deno.test("ServiceLogs cuts long lines and bounds each service's bytes", () => {
  const logs = new ServiceLogs({ lines: 1_000_000, services: 1 });
  logs.write(out("big.service", "x".repeat(MAX_LINE_CHARS + 100)));
  const [cut] = logs.read(undefined, 1, false).tail;
  assert.equal(cut!.text.length, MAX_LINE_CHARS);
  assert.ok(cut!.text.endsWith(CUT_MARK));
  const line = "y".repeat(1000);
  for (let i = 0; i < 1000; i++) logs.write(out("big.service", line));
  const kept = logs.read(undefined, 1_000_000, false).tail;
  assert.equal(kept.length, Math.floor(MAX_SERVICE_BYTES / (1000 + LINE_OVERHEAD)));
});

Deno.test("ServiceLogs shares its total among many services", () => {
  const services = 1000;
  const logs = new ServiceLogs({ lines: 1_000_000, services });
  const share = Math.floor(MAX_TOTAL_BYTES / services);
  const line = "z".repeat(1000);
  for (let i = 0; i < 2 * share / 1000; i++) logs.write(out("one.service", line));
  assert.equal(
    logs.read(undefined, 1_000_000, false).tail.length,
    Math.floor(share / (1000 + LINE_OVERHEAD)),
  );
});

Deno.test("serviceLogsFor() makes no store for log_buffer_lines: 0", () => {
  assert.equal(serviceLogsFor(0, 3, () => undefined), undefined);
  assert.ok(serviceLogsFor(1, 3, () => undefined) instanceof ServiceLogs);
});

Deno.test("ServiceLogs.before() keeps a record and passes it on", () => {
  const logs = new ServiceLogs({ lines: 10, services: 1 });
  const seen: LogRecord[] = [];
  const sink = logs.before({ write: (r) => seen.push(r) });
  const record = out("web.service", "hello");
  sink.write(record);
  assert.deepEqual(seen, [record]);
  assert.deepEqual(texts(logs.read(undefined, 10, false).tail), ["hello"]);
});

Deno.test("a follower gets the lines after its tail, only of its services", async () => {
  const logs = new ServiceLogs({ lines: 10, services: 2 });
  logs.write(out("web.service", "before"));
  const { tail, follower } = logs.read(new Set(["web.service"]), 10, true);
  assert.deepEqual(texts(tail), ["before"]);
  assert.equal(logs.followers, 1);
  const waiting = follower!.wait();
  logs.write(out("db.service", "not followed"));
  logs.write(out("web.service", "after"));
  await waiting;
  assert.deepEqual(items(follower!.take()), ["web.service: after"]);
  assert.deepEqual(follower!.take(), []);
  follower!.close();
  assert.equal(logs.followers, 0);
  logs.write(out("web.service", "unheard"));
  assert.deepEqual(follower!.take(), []);
});

Deno.test("a follower that falls behind loses the newest lines, counted where they were", () => {
  const logs = new ServiceLogs({
    lines: 10,
    services: 1,
    followLimits: { maxLines: 3, maxChars: 1000 },
  });
  const { follower } = logs.read(undefined, 0, true);
  for (let i = 1; i <= 8; i++) logs.write(out("web.service", `l${i}`));
  // Taken while still behind: the queue, then the count of what could not wait.
  assert.deepEqual(items(follower!.take()), [
    "web.service: l1",
    "web.service: l2",
    "web.service: l3",
    "-5",
  ]);
  for (let i = 9; i <= 13; i++) logs.write(out("web.service", `l${i}`));
  follower!.close();
  assert.equal(follower!.closed, true);
  assert.equal(logs.followers, 0);

  // Caught up before it was taken: the marker stands between the lines kept.
  const again = new ServiceLogs({
    lines: 10,
    services: 1,
    followLimits: { maxLines: 2, maxChars: 1000 },
  });
  const reader = again.read(undefined, 0, true).follower!;
  for (const t of ["a", "b", "c", "d"]) again.write(out("web.service", t));
  assert.deepEqual(items(reader.take()), ["web.service: a", "web.service: b", "-2"]);
  again.write(out("web.service", "e"));
  again.write(out("web.service", "f"));
  again.write(out("web.service", "g"));
  reader.take();
  again.write(out("web.service", "h"));
  assert.deepEqual(items(reader.take()), ["web.service: h"]);
});

Deno.test("a follower's queue is bounded in characters too", () => {
  const logs = new ServiceLogs({
    lines: 10,
    services: 1,
    followLimits: { maxLines: 100, maxChars: 10 },
  });
  const reader = logs.read(undefined, 0, true).follower!;
  for (const t of ["12345", "67890", "x", "y"]) logs.write(out("web.service", t));
  assert.deepEqual(items(reader.take()), ["web.service: 12345", "web.service: 67890", "-2"]);
});

Deno.test("closing a follower wakes a reader waiting on it", async () => {
  const logs = new ServiceLogs({ lines: 10, services: 1 });
  const reader = logs.read(undefined, 0, true).follower!;
  const waiting = reader.wait();
  reader.close();
  await waiting;
  assert.equal(reader.closed, true);
});

Deno.test("a throwing serviceOfPid leaves the message out of every ring", () => {
  const logs = new ServiceLogs({
    lines: 10,
    services: 1,
    serviceOfPid: () => {
      throw new Error("gone");
    },
  });
  logs.write(syslog("x", 5));
  assert.deepEqual(logs.read(undefined, 10, false).tail, []);
  // Records without a pid are never looked up.
  logs.write(parseSyslog("<14>no pid here", { now: new Date() }));
  assert.deepEqual(logs.read(undefined, 10, false).tail, []);
});
