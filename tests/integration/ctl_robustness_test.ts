/**
 * Black-box: misbehaving clients of the live control socket (silent, garbage, a 10 MB line,
 * vanishing mid-reply, many at once) never block `ctl` or the supervisor and never crash it.
 * The test connects from the host through the namespace's root (/proc/PID/root, then /dev/...).
 */
import assert from "node:assert/strict";
import { canRunAsPid1, nsPath, type Pid1, waitFor } from "../_helpers/pid1.ts";
import { assertCtl, statusRows, waitRow, withChaperone } from "./ctl_helpers.ts";

// Enough services that one status reply is larger than a socket buffer.
const MANY = Array.from(
  { length: 60 },
  (_, i) => `svc-${String(i).padStart(2, "0")}-with-a-long-name.service: { command: "sleep 1000" }`,
).join("\n");
const CONFIG = `web.service: { command: "sleep 1000" }\n${MANY}\n`;

async function connect(p: Pid1): Promise<Deno.UnixConn> {
  const path = nsPath(await p.hostPid(), `/dev/chaperone.sock`);
  return await Deno.connect({ transport: "unix", path });
}

async function writeAll(conn: Deno.UnixConn, bytes: Uint8Array): Promise<void> {
  let offset = 0;
  while (offset < bytes.length) offset += await conn.write(bytes.subarray(offset));
}

/** Reads one reply line (or everything up to end of stream), with a deadline. */
async function readLine(conn: Deno.UnixConn, timeoutMs = 10_000): Promise<string> {
  const buf = new Uint8Array(64 * 1024);
  let text = "";
  const timer = setTimeout(() => conn.close(), timeoutMs);
  try {
    while (!text.includes("\n")) {
      const n = await conn.read(buf);
      if (n === null) break;
      text += new TextDecoder().decode(buf.subarray(0, n));
    }
  } finally {
    clearTimeout(timer);
  }
  return text.slice(0, text.indexOf("\n") + 1 || undefined);
}

function close(conn: Deno.UnixConn): void {
  try {
    conn.close();
  } catch {
    // Already closed.
  }
}

/** ctl status answers in full and the supervisor still acts on a command. */
async function stillServing(p: Pid1): Promise<void> {
  const rows = await statusRows(p);
  assert.equal(rows.size, 61);
  const status = await p.ctl("status");
  assert.equal(status.code, 0, status.stderr);
  assert.match(status.stdout, /Managed processes: 61 \(61 enabled\)/);
}

Deno.test({
  name: "the control socket keeps serving while a client stays silent or sends half a line",
  ignore: !canRunAsPid1,
  fn: () =>
    withChaperone(CONFIG, async (p) => {
      await waitRow(p, "web.service", (r) => r.status === "running");
      const silent = await connect(p);
      const partial = await connect(p);
      try {
        await writeAll(partial, new TextEncoder().encode(`{"cmd":"stat`));
        await stillServing(p);
        assertCtl(await p.ctl("stop", "--wait", "web"), 0, "services stopped.\n");
        assertCtl(await p.ctl("start", "--wait", "web"), 0, "services started.\n");
        // The half line is still waited for, and answered once complete.
        await writeAll(partial, new TextEncoder().encode(`us"}\n`));
        const reply = JSON.parse(await readLine(partial));
        assert.equal(reply.ok, true);
        assert.equal(reply.data.services.length, 61);
      } finally {
        close(silent);
        close(partial);
      }
    }),
});

Deno.test({
  name: "the control socket answers garbage with an error and keeps the connection usable",
  ignore: !canRunAsPid1,
  fn: () =>
    withChaperone(CONFIG, async (p) => {
      const conn = await connect(p);
      try {
        await writeAll(conn, new TextEncoder().encode("hello there\n"));
        assert.deepEqual(JSON.parse(await readLine(conn)), {
          ok: false,
          error: "Cannot parse request: not JSON",
        });
        await writeAll(conn, new Uint8Array([0x00, 0xff, 0xfe, 0x7b, 0x0a]));
        assert.equal(JSON.parse(await readLine(conn)).ok, false);
        await writeAll(conn, new TextEncoder().encode(`{"cmd":"launch","services":[]}\n`));
        assert.deepEqual(JSON.parse(await readLine(conn)), {
          ok: false,
          error: `Cannot parse request: unknown "cmd" "launch"`,
        });
        await writeAll(conn, new TextEncoder().encode(`{"cmd":"stop","services":"web"}\n`));
        assert.deepEqual(JSON.parse(await readLine(conn)), {
          ok: false,
          error: `Cannot parse request: "services" must be a list of strings`,
        });
        await writeAll(conn, new TextEncoder().encode(`{"cmd":"loglevel"}\n`));
        assert.deepEqual(JSON.parse(await readLine(conn)), {
          ok: true,
          text: "Forced Logging Level: NOT SET",
        });
      } finally {
        close(conn);
      }
      await stillServing(p);
    }),
});

Deno.test({
  name: "the control socket refuses a 10 MB line while ctl keeps answering",
  ignore: !canRunAsPid1,
  fn: () =>
    withChaperone(CONFIG, async (p) => {
      const conn = await connect(p);
      try {
        const big = new Uint8Array(10 * 1024 * 1024).fill(0x78);
        // The server hangs up after its error reply, so the write may end with a reset.
        const sending = writeAll(conn, big).then(() => "sent", () => "cut off");
        const status = await p.ctl("status", "--json");
        assert.equal(status.code, 0, status.stderr);
        assert.equal(JSON.parse(status.stdout).length, 61);
        await sending;
        assert.deepEqual(JSON.parse(await readLine(conn)), {
          ok: false,
          error: "Line longer than 65536 bytes",
        });
        // Then the connection is closed.
        const after = await readLine(conn);
        assert.equal(after, "");
      } finally {
        close(conn);
      }
      await stillServing(p);
    }),
});

Deno.test({
  name: "clients that vanish mid-reply or crowd in together do not disturb ctl status",
  ignore: !canRunAsPid1,
  fn: () =>
    withChaperone(CONFIG, async (p) => {
      const request = new TextEncoder().encode(`{"cmd":"status"}\n`.repeat(50));
      for (let round = 0; round < 5; round++) {
        const conn = await connect(p);
        await writeAll(conn, request);
        // Read a little of the first reply, then go away while the rest is being written.
        const some = new Uint8Array(1024);
        assert.ok((await conn.read(some)) !== null);
        close(conn);
      }
      await stillServing(p);
      const crowd = await Promise.all(Array.from({ length: 20 }, async () => {
        const conn = await connect(p);
        try {
          await writeAll(conn, new TextEncoder().encode(`{"cmd":"health"}\n`));
          return JSON.parse(await readLine(conn));
        } finally {
          close(conn);
        }
      }));
      for (const reply of crowd) assert.equal(reply.ok, true);
      await waitFor(async () => {
        const r = await p.ctl("health");
        return r.code === 0 ? true : undefined;
      }, { what: "ctl health to report all good", detail: () => p.output });
      assert.doesNotMatch(p.output, /uncaught|panicked|Broken pipe/i);
    }),
});
