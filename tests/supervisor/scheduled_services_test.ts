/**
 * Supervisor behaviour of cron and inetd services with fake ports, a manual clock and fake
 * processes: scheduling failures, ticks, overlap, process_timeout, facility, stop.
 */
import assert from "node:assert/strict";
import { Facility } from "../../src/log/record.ts";
import type { ServiceSpec } from "../../src/config/schema.ts";
import type { ExitStatus } from "../../src/process/exit_status.ts";
import type {
  InetdConnection,
  InetdListener,
  InetdPort,
  InetdProcessRequest,
  ProcessHandle,
} from "../../src/supervisor/ports.ts";
import {
  buildSupervisor,
  type FakeProcesses,
  flush,
  spec,
  stopService,
} from "../_helpers/fakes.ts";

/** An inetd port whose connections the test makes; `busy` ports fail to listen. */
class FakeInetd implements InetdPort {
  busy = new Set<number>();
  handlers = new Map<number, (conn: InetdConnection) => void>();
  closed: number[] = [];
  listen(port: number, onConnection: (conn: InetdConnection) => void): InetdListener {
    if (this.busy.has(port)) {
      throw new Deno.errors.AddrInUse(`Cannot bind to port ${port}: Address already in use`);
    }
    this.handlers.set(port, onConnection);
    return { port, requests: 0, close: () => this.closed.push(port) };
  }
}

/** A connection that starts its process through FakeProcesses. */
function fakeConnection(procs: FakeProcesses): InetdConnection & { closed: boolean } {
  const conn = {
    remote: { hostname: "127.0.0.1", port: 50000 },
    local: { hostname: "127.0.0.1", port: 7000 },
    closed: false,
    spawn(request: InetdProcessRequest): ProcessHandle {
      conn.closed = true;
      return procs.spawn({
        ...request,
        detached: true,
        stdin: "null",
        stdout: "inherit",
        stderr: "inherit",
      });
    },
    close() {
      conn.closed = true;
    },
  };
  return conn;
}

function build(services: ServiceSpec[]) {
  const inetd = new FakeInetd();
  const { sup, clock, procs, cron, sink } = buildSupervisor(services, {
    inetd,
    envFor: () => ({ PATH: "/bin" }),
  });
  const logs = (facility?: number) =>
    sink.records.filter((r) => facility === undefined || r.facility === facility)
      .map((r) => r.rest.replace(/^\[\d+\]: /, ""));
  return { sup, clock, procs, cron, inetd, logs };
}

const EXIT0: ExitStatus = { code: 0, signal: null };

Deno.test("Supervisor fails the start-up when an inetd port cannot be bound", async () => {
  const { sup, inetd, logs } = build([spec("web.service", { type: "inetd", port: 8080 })]);
  inetd.busy.add(8080);
  sup.start();
  await flush();
  assert.equal(sup.view("web.service")!.snap.state, "failed");
  assert.ok(
    logs().includes(
      "system startup cancelled due to error: inetd service web.service cannot listen: " +
        "Cannot bind to port 8080: Address already in use",
    ),
    logs().join("\n"),
  );
  assert.equal((await sup.finished).code, 1);
});

Deno.test("Supervisor runs a cron job per tick and skips a tick while the job runs", async () => {
  const { sup, cron, procs, logs } = build([
    spec("job.service", { type: "cron", interval: "* * * * * *", command: "job" }),
  ]);
  sup.start();
  await flush();
  assert.equal(sup.view("job.service")!.snap.state, "scheduled");
  cron.ticks.get("* * * * * *")!();
  const first = procs.of("job")!;
  assert.equal(first.alive, true);
  cron.ticks.get("* * * * * *")!();
  assert.equal(procs.procs.length, 1, "no second run while the first goes on");
  first.exit(EXIT0);
  await flush();
  cron.ticks.get("* * * * * *")!();
  assert.equal(procs.procs.length, 2);
  const cronLines = logs(Facility.CRON);
  assert.ok(
    cronLines.includes(
      "cron service job.service is still running when next interval expired, will not run again",
    ),
    cronLines.join("\n"),
  );
  assert.ok(cronLines.includes("cron service job.service running CMD ( job )"));
  assert.ok(
    cronLines.includes("cron service job.service scheduled using interval spec '* * * * * *'"),
  );
  procs.of("job")!.exit(EXIT0);
  sup.shutdown({ code: 0, reason: "test" });
  await sup.finished;
});

Deno.test("Supervisor ends a cron run that overstays process_timeout and runs the next tick", async () => {
  const { sup, cron, procs, clock } = build([
    spec("job.service", { type: "cron", interval: "@hourly", command: "job", processTimeout: 20 }),
  ]);
  sup.start();
  await flush();
  cron.ticks.get("@hourly")!();
  const run = procs.of("job")!;
  procs.dieOn.clear();
  await clock.advance(19_999);
  assert.deepEqual(run.signals, []);
  await clock.advance(1);
  assert.deepEqual(run.signals, [15]);
  run.exit({ code: null, signal: 15 });
  await flush();
  assert.equal(sup.view("job.service")!.snap.state, "scheduled");
  cron.ticks.get("@hourly")!();
  assert.equal(procs.procs.length, 2);
  // The first run's SIGKILL timer (8 s after its SIGTERM) must not reach the second run.
  await clock.advance(8000);
  assert.deepEqual(procs.procs[1]!.signals, []);
  procs.procs[1]!.exit(EXIT0);
  sup.shutdown({ code: 0, reason: "test" });
  await sup.finished;
});

Deno.test("Supervisor stops an inetd service: listener closed, running processes signalled", async () => {
  const { sup, inetd, procs, logs } = build([
    spec("echo.service", { type: "inetd", port: 7000, command: "cat" }),
    spec("keep.service", { command: "keep" }),
  ]);
  sup.start();
  await flush();
  const conn = fakeConnection(procs);
  inetd.handlers.get(7000)!(conn);
  const child = procs.of("cat")!;
  assert.equal(child.request.env.TCPREMOTEPORT, "50000");
  assert.equal(child.request.env.TCPLOCALPORT, "7000");
  assert.equal(sup.view("echo.service")!.snap.connections, 1);
  await stopService(sup, "echo.service");
  assert.deepEqual(inetd.closed, [7000]);
  assert.deepEqual(child.signals, [15]);
  assert.ok(
    logs().includes("echo.service terminating 1 processes on port 7000 that are still running"),
  );
  await flush();
  assert.equal(sup.view("echo.service")!.snap.connections, 0);
  assert.equal(sup.view("echo.service")!.snap.state, "idle");
  procs.of("keep")!.exit(EXIT0);
  sup.shutdown({ code: 0, reason: "test" });
  await sup.finished;
});
