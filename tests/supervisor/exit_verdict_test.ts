import assert from "node:assert/strict";
import { exitVerdict, type ExitView } from "../../src/supervisor/exit_verdict.ts";

const v = (name: string, state: ExitView["state"], more: Partial<ExitView> = {}): ExitView => ({
  name,
  state,
  inetdRunning: 0,
  ...more,
});

const CASES: Array<[string, ExitView[], boolean, ReturnType<typeof exitVerdict>]> = [
  ["every service is done", [v("a", "finished"), v("b", "failed"), v("c", "idle")], false, {
    type: "exit",
  }],
  ["no service is configured", [], false, { type: "exit" }],
  ["a process runs", [v("a", "running", { pid: 3 })], false, { type: "busy" }],
  ["an attached pid runs", [v("a", "finished", { mainPid: 3 })], false, { type: "busy" }],
  ["an inetd connection runs", [v("a", "scheduled", { inetdRunning: 1 })], false, {
    type: "busy",
  }],
  ["a service waits for a restart", [v("a", "backoff")], false, { type: "busy" }],
  ["a service waits for prerequisites", [v("a", "waiting")], false, { type: "busy" }],
  ["a service is starting", [v("a", "starting")], false, { type: "busy" }],
  ["a stop is under way", [v("a", "stopping")], false, { type: "busy" }],
  ["an orphan is still our child", [v("a", "finished")], true, { type: "busy" }],
  [
    "cron and inetd services are scheduled",
    [
      v("a", "scheduled"),
      v("b", "finished"),
      v("c", "scheduled"),
    ],
    false,
    { type: "scheduled", names: ["a", "c"] },
  ],
];

for (const [when, views, children, expected] of CASES) {
  Deno.test(`exitVerdict() judges the system when ${when}`, () => {
    assert.deepEqual(exitVerdict(views, () => children), expected);
  });
}

Deno.test("exitVerdict() does not scan the process table while a service is busy", () => {
  let asked = 0;
  exitVerdict([v("a", "running", { pid: 1 })], () => {
    asked++;
    return false;
  });
  assert.equal(asked, 0);
});
