import assert from "node:assert/strict";
import { readNotify } from "../../src/supervisor/notify_reader.ts";
import { createLogger, MemorySink } from "../../src/log/logger.ts";
import type { NotifyChannel, NotifyMessage } from "../../src/supervisor/ports.ts";
import type { ServiceEvent } from "../../src/service/state.ts";

function channel(messages: NotifyMessage[], fail?: Error): NotifyChannel {
  return {
    path: "/fake",
    messages: {
      async *[Symbol.asyncIterator]() {
        for (const m of messages) {
          await Promise.resolve();
          yield m;
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
  const status: string[] = [];
  return {
    sink,
    events,
    status,
    ctx: {
      service: "n.service",
      logger: createLogger({ sink, threshold: 7, tag: "chaperone", pid: 1 }),
      active,
      onStatus: (text: string) => status.push(text),
      onEvent: (event: ServiceEvent) => events.push(event),
    },
  };
}

Deno.test("readNotify() passes status texts and events on in order", async () => {
  const { ctx, events, status } = context();
  await readNotify(
    channel([
      { status: "loading", invalid: [] },
      { ready: true, status: "up", invalid: [] },
      { watchdog: true, invalid: [] },
    ]),
    ctx,
  );
  assert.deepEqual(status, ["loading", "up"]);
  assert.deepEqual(events, [{ type: "ready" }, { type: "watchdog-ping" }]);
});

Deno.test("readNotify() stops once the channel is no longer the service's", async () => {
  let n = 0;
  const { ctx, events } = context(() => n++ < 1);
  await readNotify(channel([{ ready: true, invalid: [] }, { watchdog: true, invalid: [] }]), ctx);
  assert.deepEqual(events, [{ type: "ready" }]);
});

Deno.test("readNotify() logs a failing socket and returns", async () => {
  const { ctx, sink } = context();
  await readNotify(channel([], new Error("socket gone")), ctx);
  assert.ok(sink.messages().includes("n.service notify socket failed: socket gone"));
});

Deno.test("readNotify() logs a throw while acting on one datagram and goes on reading", async () => {
  const { ctx, sink, status } = context();
  let calls = 0;
  await readNotify(
    channel([
      { status: "one", invalid: [] },
      { status: "two", invalid: [] },
    ]),
    {
      ...ctx,
      onStatus: (text: string) => {
        if (calls++ === 0) throw new TypeError("injected");
        status.push(text);
      },
    },
  );
  assert.deepEqual(status, ["two"]);
  assert.ok(
    sink.messages().some((m) => /n\.service notify message failed .*TypeError: injected/.test(m)),
    sink.messages().join("\n"),
  );
});
