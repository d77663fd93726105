/**
 * Black-box: inetd services (docs/configuration.md; EL-22 and EL-23 of docs/migration.md) against
 * the real program as PID 1, with real TCP clients on loopback. The PID namespace shares the host's
 * network, so the tests connect to 127.0.0.1 directly.
 */
import assert from "node:assert/strict";
import { canRunAsPid1, CHAPERONE, startPid1, tempTree, waitFor } from "../_helpers/pid1.ts";
import { DEBUG_LOGGING, statusRows, waitRow, withChaperone } from "./ctl_helpers.ts";
import { freePort } from "../_helpers/free_port.ts";

/** A TCP port that was free a moment ago (the kernel's choice for port 0). */
/** Connects, retrying while the listener is not up yet. */
function connect(port: number): Promise<Deno.TcpConn> {
  return waitFor(async () => {
    try {
      return await Deno.connect({ hostname: "127.0.0.1", port });
    } catch {
      return undefined;
    }
  }, { what: `a listener on port ${port}` });
}

/** Reads until the peer closes (end of file), with a deadline. */
async function readAll(conn: Deno.TcpConn, timeoutMs = 15_000): Promise<string> {
  const chunks: Uint8Array[] = [];
  const buf = new Uint8Array(4096);
  const timer = setTimeout(() => conn.close(), timeoutMs);
  try {
    while (true) {
      const n = await conn.read(buf);
      if (n === null) break;
      chunks.push(buf.slice(0, n));
    }
  } finally {
    clearTimeout(timer);
  }
  return new TextDecoder().decode(
    chunks.reduce((a, b) => new Uint8Array([...a, ...b]), new Uint8Array()),
  );
}

/** Sends `text`, half-closes, and returns everything the service sent back before closing. */
async function roundTrip(port: number, text: string): Promise<string> {
  const conn = await connect(port);
  try {
    await conn.write(new TextEncoder().encode(text));
    await conn.closeWrite();
    return await readAll(conn);
  } finally {
    conn.close();
  }
}

Deno.test({
  name: "inetd hands the connection to cat as fds 0-2: echo, half-close, 20 at once, notes",
  ignore: !canRunAsPid1,
  fn: async () => {
    const echo = freePort();
    const info = freePort();
    const config = `
echo.service: { type: inetd, port: ${echo}, command: "cat" }
info.service: { type: inetd, port: ${info}, command: "@DIR@/info.sh" }
${DEBUG_LOGGING}`;
    const script = `#!/bin/sh
echo "$TCPREMOTEIP $TCPREMOTEPORT $TCPLOCALIP $TCPLOCALPORT"
for fd in 0 1 2; do stat -L -c %i /proc/self/fd/$fd; done
readlink /proc/self/fd/0
echo to-stderr >&2
`;
    await withChaperone(config, async (p) => {
      await waitRow(p, "echo.service", (r) => r.status === "listening");
      await waitRow(p, "info.service", (r) => r.status === "listening");

      // Half-close: cat sees end of file, exits, and the connection ends.
      assert.equal(await roundTrip(echo, "hello\nworld\n"), "hello\nworld\n");

      const replies = await Promise.all(
        Array.from({ length: 20 }, (_, i) => roundTrip(echo, `client ${i}\n`)),
      );
      assert.deepEqual(replies, Array.from({ length: 20 }, (_, i) => `client ${i}\n`));

      const conn = await connect(info);
      const mine = conn.localAddr as Deno.NetAddr;
      const out = (await readAll(conn)).split("\n");
      conn.close();
      assert.equal(out[0], `127.0.0.1 ${mine.port} 127.0.0.1 ${info}`);
      // fds 0, 1 and 2 are one socket (the same inode), and stderr reaches the client too.
      assert.ok(out[1] && out[1] === out[2] && out[2] === out[3], out.join("|"));
      assert.match(out[4] ?? "", /^socket:\[\d+\]$/);
      assert.equal(out[5], "to-stderr");

      const row = await waitRow(
        p,
        "echo.service",
        (r) => r.note === `waiting on port ${echo}; req recvd = 21`,
      );
      assert.equal(row.state, "scheduled");
      await p.waitForOutput(`echo.service received connection on port ${echo}; attempting start`);
      // Started outside Deno.Command, yet their exits are not reported as unknown orphans.
      assert.doesNotMatch(p.output, /Caught subprocess termination from unknown pid/);
    }, { files: { "info.sh": script } });
  },
});

Deno.test({
  name: "inetd stop closes the listener and ends the connections' processes",
  ignore: !canRunAsPid1,
  fn: async () => {
    const port = freePort();
    const config = `
echo.service: { type: inetd, port: ${port}, command: "cat" }
keep.service: { command: "sleep 1000" }
${DEBUG_LOGGING}`;
    await withChaperone(config, async (p) => {
      const conns = await Promise.all([connect(port), connect(port)]);
      for (const c of conns) {
        await c.write(new TextEncoder().encode("ping\n"));
        const buf = new Uint8Array(16);
        assert.equal(await c.read(buf), 5);
      }
      await waitRow(p, "echo.service", (r) => r.note?.endsWith("; running = 2") ?? false);
      const stop = await p.ctl("stop", "echo");
      assert.equal(stop.code, 0, stop.stderr);
      // The processes are terminated, so each client sees end of file.
      for (const c of conns) {
        assert.equal(await readAll(c), "");
        c.close();
      }
      await p.waitForOutput(`echo.service terminating 2 processes on port ${port}`);
      await assert.rejects(Deno.connect({ hostname: "127.0.0.1", port }));
      const row = (await statusRows(p)).get("echo.service")!;
      assert.equal(row.state, "idle");

      // ctl start listens again.
      assert.equal((await p.ctl("start", "echo")).code, 0);
      assert.equal(await roundTrip(port, "again\n"), "again\n");
    });
  },
});

Deno.test({
  name: "inetd port already in use is a start-up failure naming the port",
  ignore: !canRunAsPid1,
  fn: async () => {
    using busy = Deno.listen({ hostname: "0.0.0.0", port: 0 });
    const port = (busy.addr as Deno.NetAddr).port;
    const dir = await tempTree({
      "chaperone.d/10.conf": `busy.service: { type: inetd, port: ${port}, command: "cat" }\n`,
    });
    const p = startPid1(["--config", `${dir}/chaperone.d`]);
    try {
      const code = await p.waitExit();
      assert.notEqual(code, 0, p.output);
      assert.match(
        p.output,
        new RegExp(
          `system startup cancelled due to error: inetd service busy.service .*port ${port}.*in use`,
        ),
      );
    } finally {
      await p.dispose();
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "inetd EL-22: the client gets the output; the system stays up until SIGTERM",
  ignore: !canRunAsPid1,
  fn: async () => {
    const port = freePort();
    const dir = await tempTree({
      "chaperone.d/10.conf": `
inetd1.service: { type: inetd, port: ${port}, command: "echo hello from port ${port}" }
${DEBUG_LOGGING}`,
    });
    const p = startPid1(["--config", `${dir}/chaperone.d`]);
    try {
      await p.waitForOutput(`inetd1.service listening on port ${port}`);
      const conn = await connect(port);
      assert.equal(await readAll(conn), `hello from port ${port}\n`);
      conn.close();
      await p.waitForOutput(`received connection on port ${port}`);
      await p.waitForOutput(
        "system will remain active since there are scheduled services: inetd1.service",
      );
      await p.kill("SIGTERM");
      assert.equal(await p.waitExit(), 0, p.output);
      assert.match(p.output, /Request made to kill/);
    } finally {
      await p.dispose();
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "inetd EL-23: a handler that stops both listeners lets the system exit by itself",
  ignore: !canRunAsPid1,
  fn: async () => {
    const one = freePort();
    const two = freePort();
    const dir = await tempTree({
      "chaperone.d/10.conf": `
inetd1.service: { type: inetd, port: ${one}, command: "echo hello from port ${one}" }
inetd2.service: { type: inetd, port: ${two}, after: inetd1.service,
  command: "sh -c '${CHAPERONE} ctl stop inetd1 inetd2; echo disabled both'" }
${DEBUG_LOGGING}`,
    });
    const p = startPid1(["--config", `${dir}/chaperone.d`]);
    try {
      await p.waitForOutput(`inetd2.service listening on port ${two}`);
      assert.match(p.output, new RegExp(`inetd1.service listening on port ${one}`));
      const c1 = await connect(one);
      assert.equal(await readAll(c1), `hello from port ${one}\n`);
      c1.close();
      await p.waitForOutput("system will remain active since there are scheduled services");
      const c2 = await connect(two);
      await readAll(c2);
      c2.close();
      assert.equal(await p.waitExit(), 0, p.output);
      assert.match(p.output, new RegExp(`received connection on port ${two}`));
      assert.match(p.output, /no child processes present/);
      assert.match(p.output, /Final termination phase/);
    } finally {
      await p.dispose();
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "inetd with a uid starts the command as that user, the socket still as fds 0-2",
  ignore: !canRunAsPid1,
  fn: async () => {
    const port = freePort();
    const config = `
who.service: { type: inetd, port: ${port}, uid: nobody,
  command: "sh -c 'id -u; cat; readlink /proc/self/fd/1'" }
${DEBUG_LOGGING}`;
    await withChaperone(config, async () => {
      const out = (await roundTrip(port, "through the helper\n")).split("\n");
      assert.equal(out[0], "65534");
      assert.equal(out[1], "through the helper");
      assert.match(out[2] ?? "", /^socket:\[\d+\]$/);
    });
  },
});
