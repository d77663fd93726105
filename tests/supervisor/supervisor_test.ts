import assert from "node:assert/strict";
import { buildSupervisor as build, flush, spec } from "../_helpers/fakes.ts";

Deno.test("Supervisor starts independent services at once, in parallel", async () => {
  const { sup, procs } = build([
    spec("a.service", { type: "oneshot" }),
    spec("b.service", { type: "oneshot" }),
  ]);
  sup.start();
  await flush();
  assert.deepEqual(procs.procs.map((p) => p.argv[0]).sort(), ["a", "b"]);
});

Deno.test("Supervisor starts a service after: a oneshot only once the oneshot exits 0", async () => {
  const { sup, procs, clock } = build([
    spec("setup.service", { type: "oneshot" }),
    spec("web.service", { after: ["setup.service"] }),
  ]);
  sup.start();
  await flush();
  assert.deepEqual(procs.procs.map((p) => p.argv[0]), ["setup"]);
  await clock.advance(5000);
  assert.equal(procs.of("web"), undefined, "web must wait for setup");
  procs.of("setup")!.exit();
  await flush();
  assert.ok(procs.of("web"), "web starts once setup finished");
  assert.equal(sup.view("setup.service")!.snap.state, "finished");
});

Deno.test("Supervisor cancels start-up with exit 1 when a prerequisite fails", async () => {
  const { sup, procs, sink } = build([
    spec("setup.service", { type: "oneshot" }),
    spec("web.service", { after: ["setup.service"] }),
    spec("other.service"),
  ]);
  sup.start();
  await flush();
  procs.of("setup")!.exit({ code: 3, signal: null });
  await flush();
  const ending = await sup.finished;
  assert.equal(ending.code, 1);
  assert.equal(procs.of("web"), undefined);
  assert.ok(
    sink.messages().some((m) =>
      /system startup cancelled due to error: .*setup\.service failed on start-up/.test(m)
    ),
    sink.messages().join("\n"),
  );
  assert.ok(!procs.of("other")!.alive, "what started is stopped again");
});

Deno.test("Supervisor restarts a failed service after restart_delay, up to restart_limit", async () => {
  const { sup, procs, clock } = build([
    spec("flaky.service", { restart: true, restartLimit: 2, restartDelay: 1 }),
    spec("keeper.service"),
  ]);
  sup.start();
  await clock.advance(600);
  assert.equal(sup.view("flaky.service")!.snap.state, "running");
  for (let i = 0; i < 2; i++) {
    procs.of("flaky")!.exit({ code: 1, signal: null });
    await flush();
    assert.equal(sup.view("flaky.service")!.snap.state, "backoff");
    await clock.advance(999);
    assert.equal(procs.procs.filter((p) => p.argv[0] === "flaky").length, i + 1);
    await clock.advance(1);
    await clock.advance(600);
    assert.equal(sup.view("flaky.service")!.snap.state, "running");
  }
  procs.of("flaky")!.exit({ code: 1, signal: null });
  await flush();
  assert.equal(sup.view("flaky.service")!.snap.state, "failed");
  assert.equal(procs.procs.filter((p) => p.argv[0] === "flaky").length, 3);
});

Deno.test("Supervisor shutdown stops dependents before their prerequisites", async () => {
  const { sup, procs, clock } = build([
    spec("db.service"),
    spec("app.service", { after: ["db.service"] }),
  ]);
  sup.start();
  await clock.advance(600);
  await clock.advance(600);
  assert.equal(sup.view("app.service")!.snap.state, "running");
  procs.dieOn.clear();
  sup.shutdown({ code: 0, reason: "test" });
  await flush();
  assert.deepEqual(procs.of("app")!.signals, [15]);
  assert.deepEqual(procs.of("db")!.signals, [], "db waits until app is gone");
  procs.of("app")!.exit({ code: null, signal: 15 });
  await flush();
  assert.deepEqual(procs.of("db")!.signals, [15]);
  procs.of("db")!.exit({ code: null, signal: 15 });
  const ending = await sup.finished;
  assert.equal(ending.code, 0);
});

Deno.test("Supervisor escalates to SIGKILL when a service ignores its stop signal", async () => {
  const { sup, procs, clock } = build([spec("stubborn.service")]);
  sup.start();
  await clock.advance(600);
  procs.dieOn = new Set([9]);
  sup.shutdown({ code: 0, reason: "test" });
  await flush();
  assert.deepEqual(procs.of("stubborn")!.signals, [15]);
  await clock.advance(8000);
  assert.deepEqual(procs.of("stubborn")!.signals, [15, 9]);
  assert.equal((await sup.finished).code, 0);
});

Deno.test("Supervisor exits by itself with the CONSOLE command's exit code", async () => {
  const { sup, procs, clock } = build([
    spec("CONSOLE", { command: "task", groups: ["IDLE"], startupPause: 0 }),
  ]);
  sup.start();
  await clock.advance(10);
  procs.of("task")!.exit({ code: 7, signal: null });
  assert.equal((await sup.finished).code, 7);
});

Deno.test("Supervisor exit_kills ends the system with that process's 128+signal", async () => {
  const { sup, procs, clock } = build([
    spec("main.service", { exitKills: true }),
    spec("side.service"),
  ]);
  sup.start();
  await clock.advance(600);
  procs.of("main")!.exit({ code: null, signal: 11 });
  const ending = await sup.finished;
  assert.equal(ending.code, 139);
  assert.ok(!procs.of("side")!.alive);
});

Deno.test("Supervisor makes notify services ready on READY=1 only", async () => {
  const { sup, procs, notify, clock } = build([
    spec("n.service", { type: "notify" }),
    spec("after-n.service", { type: "oneshot", after: ["n.service"] }),
  ]);
  sup.start();
  await flush();
  assert.ok(procs.of("n"));
  assert.equal(procs.of("n")!.request.env.NOTIFY_SOCKET, undefined, "env comes from envFor");
  await clock.advance(2000);
  assert.equal(sup.view("n.service")!.snap.state, "awaiting-ready");
  assert.equal(procs.of("after-n"), undefined);
  notify.channels.get("n.service")!.push("READY=1\nSTATUS=serving");
  await flush();
  assert.equal(sup.view("n.service")!.snap.state, "running");
  assert.equal(sup.view("n.service")!.snap.statusText, "serving");
  assert.ok(procs.of("after-n"));
});

Deno.test("Supervisor applies the IDLE delay once to the IDLE group as a whole", async () => {
  const { sup, procs, clock } = build([
    spec("a.service", { type: "oneshot" }),
    spec("late1.service", { type: "oneshot", groups: ["IDLE"] }),
    spec("late2.service", { type: "oneshot", groups: ["IDLE"] }),
  ], { idleDelay: 2 });
  sup.start();
  await flush();
  procs.of("a")!.exit();
  await flush();
  await clock.advance(1999);
  assert.equal(procs.of("late1"), undefined);
  await clock.advance(1);
  assert.ok(procs.of("late1") && procs.of("late2"), "both start together after one delay");
});

Deno.test("Supervisor disables an optional service whose program is missing", async () => {
  const services = [spec("opt.service", { optional: true, command: "nothere" }), spec("b.service")];
  const { sup, procs, sink } = build(services);
  procs.missing.add("nothere");
  sup.start();
  await flush();
  assert.equal(sup.view("opt.service")!.snap.enabled, false);
  assert.ok(sink.messages().some((m) => m.includes("optional service opt.service disabled")));
});

Deno.test("Supervisor treats a missed WATCHDOG=1 heartbeat as a failure", async () => {
  const { sup, procs, notify, clock } = build([
    spec("w.service", { type: "notify", watchdogTimeout: 2, restart: true, restartDelay: 1 }),
  ]);
  sup.start();
  await flush();
  assert.equal(procs.of("w")!.request.env.WATCHDOG_USEC, "2000000");
  notify.channels.get("w.service")!.push("READY=1");
  await flush();
  assert.equal(sup.view("w.service")!.snap.state, "running");
  for (let i = 0; i < 3; i++) {
    await clock.advance(1500);
    notify.channels.get("w.service")!.push("WATCHDOG=1");
    await flush();
  }
  assert.deepEqual(procs.of("w")!.signals, [], "heartbeats keep it alive");
  await clock.advance(2000);
  assert.deepEqual(procs.procs[0]!.signals, [15], "a missed heartbeat terminates it");
  assert.equal(sup.view("w.service")!.snap.state, "backoff", "and the restart policy applies");
});

Deno.test("Supervisor starts a user's service in its home, or in chaperone's cwd when the home is missing", async () => {
  const user = (home: string) => ({ uid: 65534, gid: 65534, name: "nobody", home });
  const { sup, procs } = build([
    spec("homed.service", { type: "oneshot", user: user(Deno.cwd()) }),
    spec("homeless.service", { type: "oneshot", user: user("/nonexistent/chaperone-test") }),
    spec("placed.service", { type: "oneshot", user: user(Deno.cwd()), directory: "/" }),
  ]);
  sup.start();
  await flush();
  const cwd = (argv0: string) => procs.of(argv0)?.request.cwd;
  assert.equal(cwd("homed"), Deno.cwd());
  assert.equal(cwd("homeless"), undefined);
  assert.equal(cwd("placed"), "/");
});

Deno.test("Supervisor bounds the whole shutdown by one shutdown_timeout, leftovers included", async () => {
  const { sup, procs, clock } = build([spec("stubborn.service")]);
  sup.start();
  await clock.advance(600);
  procs.dieOn = new Set([9]);
  const escapee = procs.spawn({
    argv: ["escapee"],
    env: {},
    detached: true,
    stdin: "null",
    stdout: "inherit",
    stderr: "inherit",
  });
  procs.orphans.push(procs.procs.find((p) => p.pid === escapee.pid)!);
  let ended = false;
  sup.finished.then(() => (ended = true));
  sup.shutdown({ code: 0, reason: "test" });
  await flush();
  await clock.advance(8000);
  assert.deepEqual(procs.of("stubborn")!.signals, [15, 9], "the service is killed at 8 s");
  assert.deepEqual(procs.of("escapee")!.signals, [15], "leftovers get SIGTERM next");
  await clock.advance(1100); // the sweep polls at most every 100 ms
  assert.deepEqual(procs.of("escapee")!.signals, [15, 9], "and SIGKILL 1 s later, not 8 s");
  await clock.advance(200);
  assert.ok(ended);
});

Deno.test("Supervisor logs a debug service's environment at each spawn", async () => {
  const services = [spec("d.service", { debug: true }), spec("q.service")];
  const { sup, sink } = build(services);
  sup.start();
  await flush();
  const lines = sink.messages().filter((m) => m.includes("environment:"));
  assert.equal(lines.length, 1, sink.messages().join("\n"));
  assert.match(lines[0]!, /^d\.service environment: /);
});
