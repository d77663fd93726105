/**
 * What a service names or makes Chaperone do is untrusted (docs/reliability.md, "Hostile
 * services"): a MAINPID that is not the service's own, an attached pid that vanishes, a run
 * whose spawn fails, and a bug that throws inside an effect.
 */
import assert from "node:assert/strict";
import { ExpansionError } from "../../src/config/expand.ts";
import { buildSupervisor as build, flush, spec, stopService } from "../_helpers/fakes.ts";

const NOBODY = { uid: 65534, gid: 65534, name: "nobody" };

Deno.test("a MAINPID naming PID 1 is refused with one warning, and a stop never signals PID 1", async () => {
  const { sup, procs, notify, sink } = build([
    spec("evil.service", { type: "notify", user: NOBODY }),
  ]);
  sup.start();
  await flush();
  const channel = notify.channels.get("evil.service")!;
  channel.push("MAINPID=1\nREADY=1");
  channel.push("MAINPID=1");
  await flush();
  const evil = sup.view("evil.service")!.snap;
  assert.equal(evil.state, "running", "READY=1 in the same datagram still counts");
  assert.equal(evil.mainPid, undefined);
  const warnings = sink.messages().filter((m) => m.includes("PID=1"));
  assert.deepEqual(warnings.map((m) => m.replace(/^.*?evil/, "evil")), [
    "evil.service attempted to attach the process with PID=1 but it is PID 1",
  ]);
  const pid1 = procs.foreign({ pid: 1, ppid: 0 }); // Chaperone itself in the fake table
  await stopService(sup, "evil.service");
  assert.deepEqual(pid1.signals, []);
  assert.deepEqual(procs.of("evil")!.signals, [15]);
  assert.equal(sup.view("evil.service")!.snap.state, "idle");
});

for (
  const [who, user, why] of [
    ["nobody", NOBODY, "but it runs as uid 0, not as the service's uid 65534"],
    ["a root service", undefined, "but it belongs to victim.service"],
  ] as const
) {
  Deno.test(`a MAINPID from ${who} naming another service's process is refused; stopping the claimant spares it`, async () => {
    const { sup, procs, notify, sink } = build([
      spec("victim.service"),
      spec("evil.service", { type: "notify", ...(user ? { user } : {}) }),
    ]);
    sup.start();
    await flush();
    const victim = procs.of("victim")!;
    notify.channels.get("evil.service")!.push(`MAINPID=${victim.pid}\nREADY=1`);
    await flush();
    assert.equal(sup.view("evil.service")!.snap.mainPid, undefined);
    const warning = `evil.service attempted to attach the process with PID=${victim.pid} ${why}`;
    assert.ok(sink.messages().some((m) => m.includes(warning)), sink.messages().join("\n"));
    await stopService(sup, "evil.service");
    assert.deepEqual(victim.signals, []);
    assert.equal(sup.view("evil.service")!.snap.state, "idle", "not stuck in stopping");
    assert.equal(sup.view("victim.service")!.snap.pid, victim.pid);
  });
}

Deno.test("an attached MAINPID of its own is followed; when it vanishes the restart policy applies", async () => {
  const { sup, procs, notify, clock, sink } = build([
    spec("n.service", { type: "notify", user: NOBODY, restart: true, restartDelay: 1 }),
  ]);
  sup.start();
  await flush();
  const launcher = procs.of("n")!;
  // `sleep 1002 &` of the service's shell: in its session, not our child.
  const sleep = procs.foreign({
    ppid: launcher.pid,
    pgid: launcher.pid,
    sid: launcher.pid,
    uid: 65534,
  });
  notify.channels.get("n.service")!.push(`MAINPID=${sleep.pid}\nREADY=1`);
  await flush();
  assert.equal(sup.view("n.service")!.snap.mainPid, sleep.pid);
  assert.equal(sup.view("n.service")!.snap.state, "running");
  await clock.advance(5000);
  assert.equal(sup.view("n.service")!.snap.state, "running");
  sleep.exit(); // collected by the shell: its status is lost to us
  await clock.advance(300);
  const snap = sup.view("n.service")!.snap;
  assert.equal(snap.state, "backoff", "a main process gone without a status is a failure");
  assert.equal(snap.mainPid, undefined);
  assert.deepEqual(snap.lastExit, { code: null, signal: null });
  assert.ok(
    sink.messages().some((m) =>
      m.includes(`n.service main process PID=${sleep.pid} ended; its exit status is unknown`)
    ),
  );
});

Deno.test("an attached pid that the reaper collects reports its real status, once", async () => {
  const { sup, procs, notify, clock } = build([
    spec("n.service", { type: "notify", restart: true, restartDelay: 1 }),
  ]);
  sup.start();
  await flush();
  const daemon = procs.foreign({ uid: 0 }); // orphaned to us: ppid is Chaperone
  notify.channels.get("n.service")!.push(`MAINPID=${daemon.pid}\nREADY=1`);
  await flush();
  procs.zombies.add(daemon.pid);
  daemon.exit();
  await clock.advance(1000);
  assert.equal(
    sup.view("n.service")!.snap.state,
    "running",
    "a zombie of ours: wait for the reaper",
  );
  procs.zombies.delete(daemon.pid);
  sup.onReaped(daemon.pid, { code: 0, signal: null });
  await flush();
  assert.equal(sup.view("n.service")!.snap.state, "finished");
  await clock.advance(1000);
  assert.equal(sup.view("n.service")!.snap.state, "finished", "no second exit");
});

Deno.test("a restart whose spawn fails (an expansion failing on run 2) is a failed run, not a crash", async () => {
  let runs = 0;
  const { sup, procs, clock, sink } = build(
    [spec("s.service", { restart: true, restartLimit: 2, restartDelay: 1, startupPause: 0.1 })],
    {
      envFor: (_spec, extras) => {
        if (extras.serial > 0 && ++runs > 1) throw new ExpansionError("boom");
        return {};
      },
    },
  );
  sup.start();
  await flush();
  await clock.advance(200);
  assert.equal(sup.view("s.service")!.snap.state, "running");
  procs.of("s")!.exit({ code: 1, signal: null });
  await flush();
  assert.equal(sup.view("s.service")!.snap.state, "backoff");
  await clock.advance(1000); // restart 1: spawn fails
  assert.equal(sup.view("s.service")!.snap.state, "backoff", "the policy applies to it");
  await clock.advance(1000); // restart 2: spawn fails, budget spent
  assert.equal(sup.view("s.service")!.snap.state, "failed");
  assert.equal(sup.view("s.service")!.snap.error, "boom");
  assert.equal(procs.procs.length, 1);
  assert.equal(
    sink.messages().filter((m) => m.includes("s.service failed to start: boom")).length,
    2,
  );
});

Deno.test("an effect that throws is logged with its stack; the service and the supervisor carry on", async () => {
  const { sup, procs, sink, clock } = build([spec("a.service"), spec("b.service")]);
  sup.start();
  await flush();
  await clock.advance(600);
  const real = procs.signal.bind(procs);
  let throws = 1;
  procs.signal = (pid, signo) => {
    if (throws-- > 0) throw new TypeError("injected");
    real(pid, signo);
  };
  const stopped = stopService(sup, "a.service");
  await flush();
  const errors = sink.messages().filter((m) => m.includes("internal error in a.service signal"));
  assert.equal(errors.length, 1, sink.messages().join("\n"));
  assert.match(errors[0]!, /TypeError: injected/);
  assert.equal(sup.view("a.service")!.snap.state, "stopping", "the kill timer was still armed");
  await clock.advance(8000); // the stop timeout: SIGKILL goes out, this time it works
  await stopped;
  assert.equal(sup.view("a.service")!.snap.state, "idle");
  assert.equal(sup.view("b.service")!.snap.state, "running");
});
