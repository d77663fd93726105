import assert from "node:assert/strict";
import { createLogger, MemorySink } from "../../src/log/logger.ts";
import { type ParsedNotify, parseNotify } from "../../src/notify/protocol.ts";
import type { ServiceEvent } from "../../src/service/state.ts";
import { type NotifyStep, notifySteps, readNotify } from "../../src/supervisor/notify_channel.ts";
import type { NotifyChannel } from "../../src/supervisor/ports.ts";

const CASES: Array<[string, string, NotifyStep[]]> = [
  ["the datagram is empty", "", []],
  ["it says READY=1", "READY=1", [{ type: "event", event: { type: "ready" } }]],
  ["it carries STATUS=", "STATUS=loading", [{
    type: "event",
    event: { type: "notify-status", text: "loading" },
  }]],
  [
    // Whether the service may name it is the supervisor's question (main_pid_refusal.ts).
    "it names a MAINPID",
    "MAINPID=42",
    [{ type: "event", event: { type: "main-pid", pid: 42 } }],
  ],
  [
    "EXTEND_TIMEOUT_USEC is not a whole number of ms",
    "EXTEND_TIMEOUT_USEC=1500001",
    [{ type: "event", event: { type: "extend-timeout", ms: 1501 } }],
  ],
  [
    "it reports STOPPING=1",
    "STOPPING=1",
    [{ type: "log", level: "info", message: "web reports it is stopping" }],
  ],
  [
    "it has malformed lines (at most three are quoted)",
    "a\nb\nc\nd",
    [{
      type: "log",
      level: "warn",
      message: "web sent malformed notify lines (dropped): a | b | c",
    }],
  ],
  [
    "a later assignment overrides an earlier one",
    "STATUS=one\nMAINPID=3\nSTATUS=two\nMAINPID=4",
    [
      { type: "event", event: { type: "notify-status", text: "two" } },
      { type: "event", event: { type: "main-pid", pid: 4 } },
    ],
  ],
  [
    "it says BUSERROR= (an errno of 1 unless it starts with a number)",
    "BUSERROR=org.freedesktop.Failed",
    [{ type: "event", event: { type: "notify-errno", errno: 1 } }],
  ],
  [
    "one datagram says everything, in any order",
    "STOPPING=1\nREADY=1\nERRNO=5\nx\nWATCHDOG=1\nEXTEND_TIMEOUT_USEC=2000\nMAINPID=42\nSTATUS=up",
    [
      { type: "log", level: "warn", message: "web sent malformed notify lines (dropped): x" },
      { type: "event", event: { type: "notify-status", text: "up" } },
      { type: "event", event: { type: "main-pid", pid: 42 } },
      { type: "event", event: { type: "extend-timeout", ms: 2 } },
      { type: "event", event: { type: "watchdog-ping" } },
      { type: "event", event: { type: "notify-errno", errno: 5 } },
      { type: "event", event: { type: "ready" } },
      { type: "log", level: "info", message: "web reports it is stopping" },
    ],
  ],
];

for (const [when, text, steps] of CASES) {
  Deno.test(`notifySteps() maps a datagram in order when ${when}`, () => {
    assert.deepEqual(notifySteps("web", parseNotify(text)), steps);
  });
}

function channel(datagrams: string[], fail?: Error): NotifyChannel {
  return {
    path: "/fake",
    messages: {
      async *[Symbol.asyncIterator](): AsyncGenerator<ParsedNotify> {
        for (const d of datagrams) {
          await Promise.resolve();
          yield parseNotify(d);
        }
        if (fail) throw fail;
      },
    },
    close() {},
  };
}

function context(active = () => true) {
  const sink = new MemorySink();
  const events: ServiceEvent[] = [];
  return {
    sink,
    events,
    ctx: {
      service: "n.service",
      logger: createLogger({ sink, threshold: 7, tag: "chaperone", pid: 1 }),
      active,
      onEvent: (event: ServiceEvent) => events.push(event),
    },
  };
}

Deno.test("readNotify() passes events on in order", async () => {
  const { ctx, events } = context();
  await readNotify(channel(["STATUS=loading", "READY=1\nSTATUS=up", "WATCHDOG=1"]), ctx);
  assert.deepEqual(events, [
    { type: "notify-status", text: "loading" },
    { type: "notify-status", text: "up" },
    { type: "ready" },
    { type: "watchdog-ping" },
  ]);
});

Deno.test("readNotify() stops once the channel is no longer the service's", async () => {
  let n = 0;
  const { ctx, events } = context(() => n++ < 1);
  await readNotify(channel(["READY=1", "WATCHDOG=1"]), ctx);
  assert.deepEqual(events, [{ type: "ready" }]);
});

Deno.test("readNotify() logs a failing socket and returns", async () => {
  const { ctx, sink } = context();
  await readNotify(channel([], new Error("socket gone")), ctx);
  assert.ok(sink.messages().includes("n.service notify socket failed: socket gone"));
});

Deno.test("readNotify() logs a throw while acting on one datagram and goes on reading", async () => {
  const { ctx, sink, events } = context();
  let calls = 0;
  await readNotify(channel(["STATUS=one", "STATUS=two"]), {
    ...ctx,
    onEvent: (event: ServiceEvent) => {
      if (calls++ === 0) throw new TypeError("injected");
      events.push(event);
    },
  });
  assert.deepEqual(events, [{ type: "notify-status", text: "two" }]);
  assert.ok(
    sink.messages().some((m) => /n\.service notify message failed .*TypeError: injected/.test(m)),
    sink.messages().join("\n"),
  );
});
