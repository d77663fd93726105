import assert from "node:assert/strict";
import { ControlUnavailableError, sendControl } from "../../src/control/client.ts";
import { ProtocolError } from "../../src/control/protocol.ts";
import { serveControl } from "../../src/control/server.ts";
import { withTempDir } from "../_helpers/with_temp_dir.ts";

Deno.test("sendControl() returns the server's response", async () => {
  await withTempDir(async (dir) => {
    await using _server = serveControl({ socketPath: `${dir}/c.sock` }, {
      handle: (request) =>
        Promise.resolve({
          ok: true,
          text: `got ${request.cmd}`,
          data: { big: "y".repeat(300000) },
        }),
    });
    const response = await sendControl(`${dir}/c.sock`, { cmd: "status" }, { timeoutMs: 5000 });
    assert.equal(response.ok, true);
    assert.equal((response as { text: string }).text, "got status");
    assert.equal((response as { data: { big: string } }).data.big.length, 300000);
  });
});

Deno.test("sendControl() throws ControlUnavailableError when the socket file is missing", async () => {
  await withTempDir(async (dir) => {
    await assert.rejects(
      () => sendControl(`${dir}/none.sock`, { cmd: "status" }),
      (error: unknown) => {
        assert.ok(error instanceof ControlUnavailableError);
        assert.equal(error.path, `${dir}/none.sock`);
        assert.ok(error.cause instanceof Deno.errors.NotFound);
        return true;
      },
    );
  });
});

Deno.test("sendControl() throws ControlUnavailableError when nobody accepts (stale socket)", async () => {
  await withTempDir(async (dir) => {
    // Bind a socket and keep its file after the listener is gone, as a crashed server would.
    const listener = Deno.listen({ transport: "unix", path: `${dir}/bound.sock` });
    await Deno.link(`${dir}/bound.sock`, `${dir}/stale.sock`);
    listener.close();
    await assert.rejects(
      () => sendControl(`${dir}/stale.sock`, { cmd: "status" }),
      (error: unknown) => {
        assert.ok(error instanceof ControlUnavailableError);
        assert.ok(error.cause instanceof Deno.errors.ConnectionRefused);
        return true;
      },
    );
  });
});

Deno.test("sendControl() times out when the server does not answer", async () => {
  await withTempDir(async (dir) => {
    let answer!: () => void;
    const server = serveControl({ socketPath: `${dir}/c.sock` }, {
      handle: () => new Promise((resolve) => answer = () => resolve({ ok: true })),
    });
    try {
      await assert.rejects(
        () => sendControl(`${dir}/c.sock`, { cmd: "health" }, { timeoutMs: 100 }),
        Deno.errors.TimedOut,
      );
    } finally {
      answer();
      await server.close();
    }
  });
});

Deno.test("sendControl() throws ProtocolError when the peer hangs up without a reply", async () => {
  await withTempDir(async (dir) => {
    const listener = Deno.listen({ transport: "unix", path: `${dir}/c.sock` });
    try {
      const served = (async () => {
        const conn = await listener.accept();
        await conn.read(new Uint8Array(1024));
        conn.close();
      })();
      await assert.rejects(() => sendControl(`${dir}/c.sock`, { cmd: "status" }), ProtocolError);
      await served;
    } finally {
      listener.close();
    }
  });
});
