/**
 * Chaperone as the sd_notify client of its host (podman --sdnotify=container, systemd): READY=1
 * once every service is up, STATUS= updates, STOPPING=1 at shutdown (docs/docker.md, "Telling the
 * host").
 */
import assert from "node:assert/strict";
import { canRunAsPid1, startPid1, tempTree, waitFor } from "../_helpers/pid1.ts";

Deno.test({
  name: "chaperone sends READY=1 after start-up, STATUS= updates and STOPPING=1 to NOTIFY_SOCKET",
  ignore: !canRunAsPid1,
  async fn() {
    const dir = await tempTree({
      "c.d/a.conf": `settings: { status_interval: 0.3 }
slow.service: { type: oneshot, command: "sleep 0.7" }
web.service: { command: "sleep 60", after: slow.service }
`,
    });
    const path = `${dir}/host-notify.sock`;
    const sock = Deno.listenDatagram({ transport: "unixpacket", path });
    const got: Array<{ at: number; text: string }> = [];
    const reader = (async () => {
      try {
        for (;;) {
          const [data] = await sock.receive();
          got.push({ at: Date.now(), text: new TextDecoder().decode(data) });
        }
      } catch {
        // closed
      }
    })();
    const started = Date.now();
    const run = startPid1(["--config", `${dir}/c.d`], { env: { NOTIFY_SOCKET: path } });
    try {
      const ready = await waitFor(() => got.find((m) => m.text === "READY=1"), {
        timeoutMs: 15_000,
        what: "READY=1",
        detail: () => run.output,
      });
      assert.ok(ready.at - started >= 700, "READY waits for the oneshot before web");
      const status = await waitFor(() => got.find((m) => m.text.startsWith("STATUS=")), {
        timeoutMs: 5_000,
        what: "STATUS=",
      });
      assert.match(status.text, /^STATUS=Uptime \d\d:\d\d:\d\d; 2 services started$/);
      await run.kill("SIGTERM");
      assert.equal(await run.waitExit(), 0, run.output);
      assert.ok(got.some((m) => m.text === "STOPPING=1"), JSON.stringify(got));
      assert.equal(got.filter((m) => m.text === "READY=1").length, 1, "READY is sent once");
    } finally {
      await run.dispose();
      sock.close();
      await reader;
      await Deno.remove(dir, { recursive: true });
    }
  },
});
