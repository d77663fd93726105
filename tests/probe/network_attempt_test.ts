/** tcp and http probe attempts against real local servers (docs/configuration.md, "Probes"). */
import assert from "node:assert/strict";
import { attemptProbe } from "../../src/probe/attempt_probe.ts";
import { freePort } from "../_helpers/free_port.ts";
import { ManualClock } from "../_helpers/fakes.ts";
import { contextOf, CountingClock, hangingPort } from "./_probe_helpers.ts";

Deno.test("tcp: a listener is ok, and the probe's connection is closed at once", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  const clock = new CountingClock();
  try {
    const accepted = listener.accept();
    const result = await attemptProbe({ kind: "tcp", host: "127.0.0.1", port }, contextOf(clock));
    assert.deepEqual(result, { ok: true });
    const conn = await accepted;
    // End of file: the probe has closed its side.
    assert.equal(await conn.read(new Uint8Array(16)), null);
    conn.close();
    assert.equal(clock.armed, 0);
  } finally {
    listener.close();
  }
});

Deno.test("tcp: a refused port fails with `connection refused`", async () => {
  const clock = new CountingClock();
  const result = await attemptProbe(
    { kind: "tcp", host: "127.0.0.1", port: freePort() },
    contextOf(clock),
  );
  assert.deepEqual(result, { ok: false, error: "connection refused" });
  assert.equal(clock.armed, 0);
});

/** A tcp attempt at `host` against a listener on `listenOn`, which accepts it once. */
async function connectOnce(host: string, listenOn: string) {
  const listener = Deno.listen({ hostname: listenOn, port: 0 });
  try {
    const port = (listener.addr as Deno.NetAddr).port;
    const [result] = await Promise.all([
      attemptProbe({ kind: "tcp", host, port }, contextOf(new CountingClock())),
      listener.accept().then((conn) => conn.close()),
    ]);
    return result;
  } finally {
    listener.close();
  }
}

Deno.test("tcp: a host name works", async () => {
  // localhost may resolve to ::1 first; Happy Eyeballs falls back to 127.0.0.1.
  assert.deepEqual(await connectOnce("localhost", "127.0.0.1"), { ok: true });
});

/** Whether this machine has an IPv6 loopback (some containers have none). */
const HAS_IPV6 = (() => {
  try {
    Deno.listen({ hostname: "::1", port: 0 }).close();
    return true;
  } catch {
    return false;
  }
})();

Deno.test({ name: "tcp: the IPv6 loopback works", ignore: !HAS_IPV6 }, async () => {
  assert.deepEqual(await connectOnce("::1", "::1"), { ok: true });
});

Deno.test("tcp: a connect that hangs fails at the timeout, measured on the Clock", async () => {
  const hanging = await hangingPort();
  try {
    const clock = new ManualClock();
    const attempt = attemptProbe(
      { kind: "tcp", host: "127.0.0.1", port: hanging.port },
      contextOf(clock, 2000),
    );
    // Real time does not matter: the attempt ends when the Clock says 2 s have passed.
    await clock.advance(1999);
    let settled = false;
    attempt.then(() => settled = true);
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(settled, false);
    await clock.advance(1);
    assert.deepEqual(await attempt, { ok: false, error: "timed out after 2 s" });
  } finally {
    await hanging.close();
  }
});

Deno.test("tcp: a cancelled attempt ends at once as `cancelled`", async () => {
  const hanging = await hangingPort();
  try {
    const cancel = new AbortController();
    const clock = new CountingClock();
    const attempt = attemptProbe(
      { kind: "tcp", host: "127.0.0.1", port: hanging.port },
      contextOf(clock, 60_000, { signal: cancel.signal }),
    );
    cancel.abort();
    assert.deepEqual(await attempt, { ok: false, error: "cancelled" });
    assert.equal(clock.armed, 0);
  } finally {
    await hanging.close();
  }
});

Deno.test("http: 200 and 302 are ok (the redirect is not followed); 503 and 404 fail", async () => {
  const clock = new CountingClock();
  const cases: Array<[number, unknown]> = [
    [200, { ok: true }],
    [302, { ok: true }],
    [503, { ok: false, error: "HTTP 503" }],
    [404, { ok: false, error: "HTTP 404" }],
  ];
  for (const [status, expected] of cases) {
    const paths: string[] = [];
    const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (req) => {
      paths.push(new URL(req.url).pathname);
      return status === 302
        ? new Response(null, { status, headers: { location: "/elsewhere" } })
        : new Response("x".repeat(100_000), { status });
    });
    try {
      const url = `http://127.0.0.1:${server.addr.port}/ready`;
      const result = await attemptProbe({ kind: "http", url }, contextOf(clock));
      assert.deepEqual(result, expected, String(status));
      assert.deepEqual(paths, ["/ready"], `${status}: one request, no redirect followed`);
    } finally {
      await server.shutdown();
    }
  }
  assert.equal(clock.armed, 0);
});

/** A raw TCP server that does `serve` with each connection; close() ends it and them. */
function rawServer(serve: (conn: Deno.Conn) => Promise<void>) {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const conns: Deno.Conn[] = [];
  const serving: Promise<void>[] = [];
  const accepting = (async () => {
    try {
      for await (const conn of listener) {
        conns.push(conn);
        serving.push(serve(conn).catch(() => {}));
      }
    } catch {
      // closed
    }
  })();
  return {
    port: (listener.addr as Deno.NetAddr).port,
    async close() {
      listener.close();
      await accepting;
      for (const conn of conns) {
        try {
          conn.close();
        } catch {
          // closed by serve()
        }
      }
      await Promise.all(serving);
    },
  };
}

Deno.test("http: garbage bytes are `not an HTTP answer`", async () => {
  const server = rawServer(async (conn) => {
    await conn.read(new Uint8Array(4096));
    await conn.write(new TextEncoder().encode("SSH-2.0-OpenSSH_9.6\r\n\r\n\x00\xff garbage"));
    conn.close();
  });
  try {
    const clock = new CountingClock();
    const url = `http://127.0.0.1:${server.port}/`;
    assert.deepEqual(await attemptProbe({ kind: "http", url }, contextOf(clock)), {
      ok: false,
      error: "not an HTTP answer",
    });
    assert.equal(clock.armed, 0);
  } finally {
    await server.close();
  }
});

Deno.test("http: a server that closes without answering fails, saying so", async () => {
  const server = rawServer(async (conn) => {
    await conn.read(new Uint8Array(4096));
    conn.close();
  });
  try {
    const url = `http://127.0.0.1:${server.port}/`;
    assert.deepEqual(await attemptProbe({ kind: "http", url }, contextOf(new CountingClock())), {
      ok: false,
      error: "connection closed without an answer",
    });
  } finally {
    await server.close();
  }
});

Deno.test("http: a server that never answers fails at the timeout", async () => {
  const server = rawServer(async (conn) => {
    // Reads the request, then holds the connection without a word until the test ends.
    while (await conn.read(new Uint8Array(4096)) !== null) { /* keep reading */ }
  });
  try {
    const clock = new CountingClock();
    const url = `http://127.0.0.1:${server.port}/ready`;
    const started = performance.now();
    assert.deepEqual(await attemptProbe({ kind: "http", url }, contextOf(clock, 300)), {
      ok: false,
      error: "timed out after 0.3 s",
    });
    assert.ok(performance.now() - started < 5000);
    assert.equal(clock.armed, 0);
  } finally {
    await server.close();
  }
});

Deno.test("http: a refused port and an unknown host fail with short words", async () => {
  const clock = new CountingClock();
  assert.deepEqual(
    await attemptProbe({ kind: "http", url: `http://127.0.0.1:${freePort()}/` }, contextOf(clock)),
    { ok: false, error: "connection refused" },
  );
  const unknown = await attemptProbe(
    { kind: "http", url: "http://no-such-host.invalid/" },
    contextOf(clock),
  );
  assert.equal(unknown.ok, false);
  assert.ok(!unknown.ok && /resolve|timed out/.test(unknown.error), JSON.stringify(unknown));
  assert.equal(clock.armed, 0);
});
