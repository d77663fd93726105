import assert from "node:assert/strict";
import { fromWaitStatus } from "../../src/process/exit_status.ts";
import { spawnWithSocket } from "../../src/inetd/spawn_with_socket.ts";
import { closeFd, listenTcp } from "../../src/inetd/tcp_listener.ts";

/** Blocking waitpid for a child Deno did not start (run off the event loop). */
async function waitChild(pid: number) {
  const lib = Deno.dlopen("libc.so.6", {
    waitpid: { parameters: ["i32", "buffer", "i32"], result: "i32", nonblocking: true },
  });
  try {
    const status = new Int32Array(1);
    assert.equal(await lib.symbols.waitpid(pid, status, 0), pid);
    return fromWaitStatus(status[0]!);
  } finally {
    lib.close();
  }
}

/** Accepts one connection to a fresh loopback listener; returns the client and the fd. */
async function connection() {
  const listener = listenTcp(0, { hostname: "127.0.0.1" });
  const accepted = listener.accept();
  const client = await Deno.connect({ hostname: "127.0.0.1", port: listener.port });
  const { value } = await accepted.next();
  await listener.close();
  return { client, fd: value!.fd };
}

async function readToEnd(conn: Deno.Conn): Promise<string> {
  let text = "";
  const buf = new Uint8Array(1024);
  for (let n = await conn.read(buf); n !== null; n = await conn.read(buf)) {
    text += new TextDecoder().decode(buf.subarray(0, n));
  }
  return text;
}

Deno.test("spawnWithSocket() gives the command the socket as fds 0-2 in a new session", async () => {
  const { client, fd } = await connection();
  const pid = spawnWithSocket(fd, {
    argv: ["/bin/sh", "-c", 'cat; echo "$MARK $(pwd)" >&2; ps -o sid= -p $$ | tr -d " "'],
    env: { MARK: "marked", PATH: "/usr/bin:/bin" },
    cwd: "/tmp",
  });
  closeFd(fd);
  await client.write(new TextEncoder().encode("echoed\n"));
  await client.closeWrite();
  const text = await readToEnd(client);
  client.close();
  assert.equal(text, `echoed\nmarked /tmp\n${pid}\n`);
  assert.deepEqual(await waitChild(pid), { code: 0, signal: null });
});

Deno.test("spawnWithSocket() resets ignored signals such as SIGPIPE to their default", async () => {
  const { client, fd } = await connection();
  const pid = spawnWithSocket(fd, {
    argv: ["/bin/sh", "-c", "grep SigIgn /proc/self/status"],
    env: {},
  });
  closeFd(fd);
  const text = await readToEnd(client);
  client.close();
  // Signals 1-31 (SIGPIPE among them) are at their defaults, as for Deno.Command's children;
  // glibc's two internal real-time signals (32, 33) stay ignored in both.
  const ignored = BigInt(`0x${/^SigIgn:\s+([0-9a-f]+)$/m.exec(text)?.[1] ?? "ffffffff"}`);
  assert.equal(ignored & 0x7fffffffn, 0n, text);
  await waitChild(pid);
});

Deno.test("spawnWithSocket() throws naming a program that cannot be started", async () => {
  const { client, fd } = await connection();
  assert.throws(
    () => spawnWithSocket(fd, { argv: ["/nonexistent/prog"], env: {} }),
    /Cannot start "\/nonexistent\/prog": No such file or directory/,
  );
  closeFd(fd);
  assert.equal(await readToEnd(client), "");
  client.close();
});
