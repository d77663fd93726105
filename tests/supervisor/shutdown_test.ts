import assert from "node:assert/strict";
import { finalSweep, type FinalSweepContext } from "../../src/supervisor/shutdown.ts";
import { createLogger, MemorySink } from "../../src/log/logger.ts";
import { FakeProcesses, ManualClock } from "../_helpers/fakes.ts";
import {
  signalPlan,
  type SignalSubject,
  type SignalTarget,
} from "../../src/supervisor/shutdown.ts";

function orphan(processes: FakeProcesses) {
  processes.spawn({
    argv: ["orphan"],
    env: {},
    detached: true,
    stdin: "null",
    stdout: "inherit",
    stderr: "inherit",
  });
  const p = processes.procs.at(-1)!;
  processes.orphans.push(p);
  return p;
}

function setup(over: Partial<FinalSweepContext> = {}) {
  const clock = new ManualClock();
  const processes = new FakeProcesses();
  const sink = new MemorySink();
  const killed: number[] = [];
  let done = 0;
  const ctx: FinalSweepContext = {
    clock,
    processes,
    logger: createLogger({ sink, threshold: 7, tag: "chaperone", pid: 1 }),
    isPid1: false,
    killAll: (signo) => killed.push(signo),
    shutdownTimeout: 10,
    shutdownStartedAt: 0,
    onDone: () => done++,
    ...over,
  };
  return { ctx, clock, processes, sink, killed, done: () => done };
}

Deno.test("finalSweep() finishes at once when nothing is left", () => {
  const { ctx, sink, killed, done } = setup();
  finalSweep(ctx);
  assert.equal(done(), 1);
  assert.deepEqual(killed, []);
  assert.ok(sink.messages().some((m) => m.includes("No processes remain")));
});

Deno.test("finalSweep() sends SIGTERM to leftovers and finishes once they are gone", async () => {
  const { ctx, clock, processes, done } = setup();
  const p = orphan(processes);
  finalSweep(ctx);
  assert.deepEqual(p.signals, [15]);
  await clock.advance(200);
  assert.equal(done(), 1);
});

Deno.test("finalSweep() sends SIGKILL once the shutdown's budget is used up", async () => {
  const { ctx, clock, processes, sink, done } = setup({ shutdownTimeout: 3 });
  processes.dieOn = new Set([9]);
  const p = orphan(processes);
  finalSweep(ctx);
  await clock.advance(2900);
  assert.deepEqual(p.signals, [15]);
  await clock.advance(200);
  assert.deepEqual(p.signals, [15, 9]);
  assert.ok(sink.messages().includes("Some processes remain after 3secs.  Forcing kill"));
  await clock.advance(200);
  assert.equal(done(), 1);
});

Deno.test("finalSweep() gives leftovers at least a second when the budget is gone", async () => {
  const { ctx, clock, processes } = setup({ shutdownTimeout: 3, shutdownStartedAt: -10_000 });
  processes.dieOn = new Set([9]);
  const p = orphan(processes);
  finalSweep(ctx);
  await clock.advance(900);
  assert.deepEqual(p.signals, [15]);
  await clock.advance(300);
  assert.deepEqual(p.signals, [15, 9]);
});

Deno.test("finalSweep() uses kill(-1) as PID 1 and waits for every child", async () => {
  const { ctx, clock, processes, killed, done } = setup({ isPid1: true });
  const child = processes.spawn({
    argv: ["child"],
    env: {},
    detached: true,
    stdin: "null",
    stdout: "inherit",
    stderr: "inherit",
  });
  finalSweep(ctx);
  assert.deepEqual(killed, [15]);
  await clock.advance(500);
  assert.equal(done(), 0, "a child of ours is still alive");
  processes.signal(child.pid, 15);
  await clock.advance(200);
  assert.equal(done(), 1);
});

const CASES: Array<[string, SignalSubject, number, boolean, SignalTarget[]]> = [
  ["the service has no process", {}, 15, false, []],
  ["the spawned process leads its group", { pid: 10, pgid: 10 }, 15, false, [
    { pid: 10, signo: 15, group: true },
  ]],
  ["the spawned process shares our group (interactive CONSOLE)", { pid: 10 }, 2, false, [
    { pid: 10, signo: 2, group: false },
  ]],
  ["a pid is attached besides the spawned one", { pid: 10, mainPid: 20, pgid: 10 }, 1, false, [
    { pid: 10, signo: 1, group: true },
    { pid: 20, signo: 1, group: false },
  ]],
  ["only the attached pid lives, group sweep asked", { mainPid: 20, pgid: 10 }, 9, true, [
    { pid: 20, signo: 9, group: false },
    { pid: 10, signo: 9, group: true },
  ]],
  ["the group sweep is asked without a group", { pid: 10 }, 9, true, [
    { pid: 10, signo: 9, group: false },
  ]],
];

for (const [when, subject, signo, sweep, expected] of CASES) {
  Deno.test(`signalPlan() lists the kills when ${when}`, () => {
    assert.deepEqual(signalPlan(subject, signo, sweep), expected);
  });
}
