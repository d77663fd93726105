/**
 * The supervisor over fakes for "Supervision production can trust": failed restarts are
 * retried, leftovers are killed before a new run, probes gate readiness and restart unhealthy
 * services, `ctl run`, and a stop during start-up.
 */
import assert from "node:assert/strict";
import type { ProbeSpec } from "../../src/config/schema.ts";
import { buildSupervisor as build, flush, spec, stopService } from "../_helpers/fakes.ts";

const EXIT1 = { code: 1, signal: null };

Deno.test("a restart that fails in its startup pause is retried until the budget is spent", async () => {
  const { sup, procs, clock, sink } = build([
    spec("app.service", { restart: true, restartLimit: 3, restartDelay: 1, startupPause: 0.5 }),
    spec("keeper.service"),
  ]);
  sup.start();
  await clock.advance(600);
  assert.equal(sup.view("app.service")!.snap.state, "running");
  await clock.advance(2000);
  procs.of("app")!.exit(EXIT1); // a crash after 2 s
  let runs = 1;
  for (let i = 0; i < 3; i++) {
    await flush();
    assert.equal(sup.view("app.service")!.snap.state, "backoff", `retry ${i + 1}`);
    await clock.advance(1000);
    await flush();
    runs++;
    procs.of("app")!.exit(EXIT1); // fails at once, inside its startup pause
  }
  await flush();
  const app = sup.view("app.service")!.snap;
  assert.equal(app.state, "failed");
  assert.equal(procs.procs.filter((p) => p.argv[0] === "app").length, runs);
  assert.equal(runs, 4, "the first run and three restarts");
  const said = sink.messages();
  assert.deepEqual(
    said.filter((m) => /pausing between restart retries/.test(m)).map((m) =>
      /\((\d) left\)/.exec(m)?.[1]
    ),
    ["2", "1", "0"],
  );
  assert.ok(said.includes("app.service restart limit reached after 4 failed runs; giving up"));
});

Deno.test("what is left of the previous run is killed before the restart", async () => {
  const { sup, procs, clock, sink } = build([
    spec("web.service", { restart: true, restartDelay: 1, startupPause: 0.5 }),
    spec("keeper.service"),
  ]);
  sup.start();
  await clock.advance(600);
  const first = procs.of("web")!;
  // A worker in the run's process group, and a daemon that made its own session, attached.
  const worker = procs.foreign({ pgid: first.pid, sid: first.pid, ppid: first.pid });
  first.exit({ code: null, signal: 9 });
  await flush();
  assert.equal(sup.view("web.service")!.snap.state, "backoff");
  await clock.advance(1000);
  await flush();
  assert.deepEqual(worker.signals, [15], "the leftover got the kill signal");
  await clock.advance(200);
  await flush();
  const second = procs.of("web")!;
  assert.notEqual(second.pid, first.pid, "then the new run started");
  assert.ok(
    sink.messages().includes("web.service killed 1 leftover process(es) of its previous run"),
  );
});

Deno.test("a leftover that ignores the kill signal gets SIGKILL after the stop timeout", async () => {
  const { sup, procs, clock } = build([
    spec("web.service", { restart: true, restartDelay: 1, startupPause: 0.5 }),
    spec("keeper.service"),
  ]);
  sup.start();
  await clock.advance(600);
  const first = procs.of("web")!;
  const stubborn = procs.foreign({ pgid: first.pid, sid: first.pid });
  procs.dieOn = new Set([9]);
  first.exit(EXIT1);
  await clock.advance(1000);
  assert.equal(sup.view("web.service")!.snap.state, "cleaning");
  await clock.advance(7800);
  assert.deepEqual(stubborn.signals, [15], "not before the stop timeout");
  await clock.advance(400);
  await flush();
  assert.deepEqual(stubborn.signals, [15, 9]);
  await clock.advance(200);
  assert.notEqual(procs.of("web")!.pid, first.pid);
});

Deno.test("another service's process is never taken for a leftover", async () => {
  const { sup, procs, clock } = build([
    spec("web.service", { restart: true, restartDelay: 1, startupPause: 0.5 }),
    spec("db.service"),
  ]);
  sup.start();
  await clock.advance(600);
  const web = procs.of("web")!;
  const db = procs.of("db")!;
  // db's process joined web's group (a pid the kernel reused, say): it is db's, not web's.
  db.facts = { ...db.facts, pgid: web.pid };
  web.exit(EXIT1);
  await clock.advance(1200);
  assert.deepEqual(db.signals, []);
  assert.ok(db.alive);
});

const probe = (over: Partial<ProbeSpec> = {}): ProbeSpec => ({
  source: { kind: "tcp", host: "127.0.0.1", port: 8080 },
  intervalMs: 500,
  timeoutMs: 2000,
  failures: 3,
  description: "tcp 127.0.0.1:8080",
  ...over,
});

Deno.test("a ready probe holds the service starting, and its dependents back, until it passes", async () => {
  const { sup, procs, clock, probes } = build([
    spec("db.service", { readyProbe: probe() }),
    spec("app.service", { after: ["db.service"] }),
  ]);
  sup.start();
  await clock.advance(2000);
  assert.equal(sup.view("db.service")!.snap.state, "probing");
  assert.equal(procs.of("app"), undefined, "app waits for db's probe");
  assert.ok(probes.attempts.length >= 4, `attempts: ${probes.attempts.length}`);
  probes.answers.set(JSON.stringify(probe().source), { ok: true });
  await clock.advance(500);
  await flush();
  assert.equal(sup.view("db.service")!.snap.state, "running");
  assert.ok(procs.of("app"), "app starts once the probe passed");
});

Deno.test("a ready probe that never passes within process_timeout fails the start", async () => {
  const { sup, clock } = build([
    spec("db.service", { readyProbe: probe(), processTimeout: 3 }),
  ]);
  sup.start();
  await clock.advance(3500);
  const ending = await sup.finished;
  assert.equal(ending.code, 1);
  assert.match(ending.reason, /db\.service/);
});

Deno.test("three failed health probes in a row restart the service under its policy", async () => {
  const health = probe({
    source: { kind: "http", url: "http://127.0.0.1:8080/health" },
    intervalMs: 1000,
    description: "http http://127.0.0.1:8080/health",
  });
  const { sup, procs, clock, probes, sink } = build([
    spec("web.service", { healthProbe: health, restart: true, restartDelay: 1 }),
    spec("keeper.service"),
  ]);
  probes.answers.set(JSON.stringify(health.source), { ok: true });
  sup.start();
  await clock.advance(600);
  const first = procs.of("web")!;
  await clock.advance(2000);
  assert.equal(sup.view("web.service")!.snap.state, "running");
  probes.answers.set(JSON.stringify(health.source), { ok: false, error: "HTTP 503" });
  await clock.advance(2000);
  assert.ok(first.alive, "two failures are not enough");
  await clock.advance(1000);
  await flush();
  assert.ok(!first.alive, "the third one kills it");
  assert.ok(
    sink.messages().some((m) =>
      m ===
        "web.service health probe http http://127.0.0.1:8080/health failed 3 times in a row (last: HTTP 503); restarting"
    ),
  );
  assert.equal(sup.view("web.service")!.snap.state, "backoff");
  assert.equal(sup.view("web.service")!.snap.restartsLeft, 4);
});

Deno.test("ctl run starts a cron job now and refuses one still running", async () => {
  const { sup, procs, clock } = build([
    spec("job.service", { type: "cron", interval: "@daily", command: "job" }),
    spec("keeper.service"),
  ]);
  sup.start();
  await clock.advance(600);
  const run = sup.commands.run(["job.service"]);
  assert.equal(run.ok, true);
  await flush();
  assert.ok(procs.of("job")?.alive, "the job runs");
  const again = sup.commands.run(["job.service"]);
  assert.deepEqual(again, {
    ok: false,
    error: "job is still running: its job was not started again",
  });
  assert.deepEqual(sup.commands.run(["keeper.service"]), {
    ok: false,
    error: "keeper is not a cron service",
  });
});

Deno.test("stopping the only service during start-up ends the system instead of hanging", async () => {
  const { sup, clock } = build([spec("slow.service", { type: "notify" })]);
  sup.start();
  await clock.advance(100);
  assert.equal(sup.view("slow.service")!.snap.state, "awaiting-ready");
  await stopService(sup, "slow.service");
  const ending = await sup.finished;
  assert.equal(ending.code, 0);
  assert.equal(ending.reason, "all processes exited");
});
