import assert from "node:assert/strict";
import { libc } from "../../src/sys/libc.ts";

Deno.test("libc() opens libc once and returns the same symbols on every call", () => {
  assert.equal(libc(), libc());
});

Deno.test("libc() runs ppoll off the event loop: it returns a promise", async () => {
  // No fds and a zero timeout (struct timespec { 0, 0 }): ppoll answers 0 at once.
  const zero = new BigInt64Array(2);
  const answer = libc().ppoll(new Uint8Array(8), 0n, Deno.UnsafePointer.of(zero), null);
  assert.ok(answer instanceof Promise);
  assert.equal(await answer, 0);
});
