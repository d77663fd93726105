import assert from "node:assert/strict";
import { closeFd, listenTcp, withInheritedFd } from "../../src/inetd/tcp_listener.ts";

const FD_FLAGS_REGEXP = /^flags:\s+(\d+)$/m;

/** The O_CLOEXEC bit of an fd of ours, from /proc. */
function isCloseOnExec(fd: number): boolean {
  const text = Deno.readTextFileSync(`/proc/self/fdinfo/${fd}`);
  const flags = Number.parseInt(FD_FLAGS_REGEXP.exec(text)?.[1] ?? "0", 8);
  return (flags & 0o2000000) !== 0;
}

Deno.test("listenTcp() accepts connections with both endpoints' addresses", async () => {
  const listener = listenTcp(0, { hostname: "127.0.0.1" });
  const accepted = listener.accept();
  const client = await Deno.connect({ hostname: "127.0.0.1", port: listener.port });
  const { value, done } = await accepted.next();
  assert.equal(done, false);
  const mine = client.localAddr as Deno.NetAddr;
  assert.deepEqual(value!.remote, { hostname: "127.0.0.1", port: mine.port });
  assert.deepEqual(value!.local, { hostname: "127.0.0.1", port: listener.port });
  assert.equal(isCloseOnExec(value!.fd), true);
  closeFd(value!.fd);
  // Our copy was the only one: the client sees end of file.
  assert.equal(await client.read(new Uint8Array(8)), null);
  client.close();
  await listener.close();
  assert.deepEqual(await accepted.next(), { value: undefined, done: true });
});

Deno.test("listenTcp() throws AddrInUse naming the port when it is taken", () => {
  using busy = Deno.listen({ hostname: "0.0.0.0", port: 0 });
  const port = (busy.addr as Deno.NetAddr).port;
  assert.throws(
    () => listenTcp(port),
    (err: unknown) => err instanceof Deno.errors.AddrInUse && err.message.includes(`port ${port}`),
  );
});

Deno.test("listenTcp() close() ends a pending accept loop", async () => {
  const listener = listenTcp(0, { hostname: "127.0.0.1" });
  const seen: number[] = [];
  const loop = (async () => {
    for await (const c of listener.accept()) {
      seen.push(c.fd);
      closeFd(c.fd);
    }
  })();
  await listener.close();
  await loop;
  assert.deepEqual(seen, []);
  await assert.rejects(Deno.connect({ hostname: "127.0.0.1", port: listener.port }));
});

Deno.test("withInheritedFd() clears close-on-exec only while its function runs", async () => {
  const listener = listenTcp(0, { hostname: "127.0.0.1" });
  const accepted = listener.accept();
  const client = await Deno.connect({ hostname: "127.0.0.1", port: listener.port });
  const { value } = await accepted.next();
  const fd = value!.fd;
  const inside = withInheritedFd(fd, () => isCloseOnExec(fd));
  assert.equal(inside, false);
  assert.equal(isCloseOnExec(fd), true);
  closeFd(fd);
  client.close();
  await listener.close();
});
