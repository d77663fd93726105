import assert from "node:assert/strict";
import { RemoteOutput } from "../../src/syslog/outputs.ts";
import { waitFor } from "./helpers.ts";

Deno.test("RemoteOutput keeps sending after a burst that lands as its queue empties", async () => {
  // A burst written in the turn in which the queue's last send completed (as when the syslog
  // listener's receive resolves beside it) once filled the queue with no drain left to empty
  // it: from then on every line was dropped, and no "sending again" ever came.
  const server = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
  const side = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
  let last = "";
  const draining = (async () => {
    try {
      for (;;) last = new TextDecoder().decode((await server.receive())[0]);
    } catch {
      // closed
    }
  })();
  try {
    const port = (server.addr as Deno.NetAddr).port;
    const to = { transport: "udp" as const, hostname: "127.0.0.1", port };
    const reports: string[] = [];
    let clock = 0;
    const out = new RemoteOutput(`127.0.0.1:${port}`, (_s, m) => reports.push(m), () => clock);
    for (let round = 0; round < 20; round++) {
      // Idle: a line sent a turn ago has arrived (the host may lose some of a burst, so the
      // line is sent again until one arrives). Then one line in flight, and a send of our own
      // that completes in the same turn as it.
      const marker = `idle ${round}`;
      await waitFor(() => {
        if (last === `<134>${marker}`) return true;
        out.send(134, marker);
        return false;
      }, `"${marker}" to arrive`);
      out.send(134, `alone ${round}`);
      await side.send(new Uint8Array(1), to);
      for (let i = 0; i < 1100; i++) out.send(134, "x");
      assert.equal(out.failing, true, "the burst overflowed the queue");
      // Once the queue has room again, a line after a quiet second is sent and says so.
      const before = reports.length;
      await waitFor(() => {
        clock += 2000;
        out.send(134, `after ${round}`);
        return reports.slice(before).some((m) => /sending again, \d+ line\(s\) dropped/.test(m));
      }, `lines to be sent again after burst ${round}`);
      assert.equal(out.failing, false);
    }
    await out.close();
  } finally {
    server.close();
    side.close();
    await draining;
  }
});
