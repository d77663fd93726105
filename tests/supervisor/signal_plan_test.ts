import assert from "node:assert/strict";
import {
  signalPlan,
  type SignalSubject,
  type SignalTarget,
} from "../../src/supervisor/signal_plan.ts";

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
