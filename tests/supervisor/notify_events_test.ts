import assert from "node:assert/strict";
import { notifyEvents, type NotifyStep } from "../../src/supervisor/notify_events.ts";
import type { NotifyMessage } from "../../src/supervisor/ports.ts";

const CASES: Array<[string, NotifyMessage, string | undefined, NotifyStep[]]> = [
  ["the datagram is empty", { invalid: [] }, undefined, []],
  ["it says READY=1", { ready: true, invalid: [] }, undefined, [{
    type: "event",
    event: { type: "ready" },
  }]],
  ["it carries STATUS=", { status: "loading", invalid: [] }, "loading", []],
  [
    // Whether the service may name it is the supervisor's question (main_pid_refusal.ts).
    "it names a MAINPID",
    { mainPid: 42, invalid: [] },
    undefined,
    [{ type: "event", event: { type: "main-pid", pid: 42 } }],
  ],
  [
    "EXTEND_TIMEOUT_USEC is not a whole number of ms",
    { extendTimeoutUsec: 1_500_001, invalid: [] },
    undefined,
    [{ type: "event", event: { type: "extend-timeout", ms: 1501 } }],
  ],
  [
    "it reports STOPPING=1",
    { stopping: true, invalid: [] },
    undefined,
    [{ type: "log", level: "info", message: "web reports it is stopping" }],
  ],
  [
    "it has malformed lines (at most three are quoted)",
    { invalid: ["a", "b", "c", "d"] },
    undefined,
    [{
      type: "log",
      level: "warn",
      message: "web sent malformed notify lines (dropped): a | b | c",
    }],
  ],
  [
    "one datagram says everything",
    {
      ready: true,
      stopping: true,
      status: "up",
      mainPid: 42,
      errno: 5,
      watchdog: true,
      extendTimeoutUsec: 2000,
      invalid: ["x"],
    },
    "up",
    [
      { type: "log", level: "warn", message: "web sent malformed notify lines (dropped): x" },
      { type: "event", event: { type: "main-pid", pid: 42 } },
      { type: "event", event: { type: "extend-timeout", ms: 2 } },
      { type: "event", event: { type: "watchdog-ping" } },
      { type: "event", event: { type: "notify-errno", errno: 5 } },
      { type: "event", event: { type: "ready" } },
      { type: "log", level: "info", message: "web reports it is stopping" },
    ],
  ],
];

for (const [when, message, statusText, steps] of CASES) {
  Deno.test(`notifyEvents() maps a datagram in order when ${when}`, () => {
    const reading = notifyEvents("web", message);
    assert.equal(reading.statusText, statusText);
    assert.deepEqual(reading.steps, steps);
  });
}
