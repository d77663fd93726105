import assert from "node:assert/strict";
import { AF_UNIX, MSG_DONTWAIT, SOCK_CLOEXEC, SOCK_DGRAM } from "../../src/sys/constants.ts";
import { Errno, lastErrno } from "../../src/sys/errno.ts";
import { libc } from "../../src/sys/libc.ts";
import { bindUnixDatagram, sockaddrUn } from "../../src/sys/unix_socket.ts";
import { WakeableWait } from "../../src/sys/wakeable_wait.ts";
import { withTempDir } from "../_helpers/with_temp_dir.ts";

/** Sends `text` as one datagram to the socket at `path`; returns errno on failure, else 0. */
function send(path: string, text: string): number {
  const lib = libc();
  const fd = lib.socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  const address = sockaddrUn(path);
  const data = new TextEncoder().encode(text);
  try {
    const sent = lib.sendto(fd, data, BigInt(data.length), 0, address, address.length);
    return sent < 0 ? lastErrno() : 0;
  } finally {
    lib.close(fd);
  }
}

/** One queued datagram, or undefined when there is none. */
function receive(fd: number): string | undefined {
  const buffer = new Uint8Array(256);
  const n = Number(libc().recv(fd, buffer, 256n, MSG_DONTWAIT));
  return n < 0 ? undefined : new TextDecoder().decode(buffer.subarray(0, n));
}

/** Whether `promise` is still pending once everything already queued has run. */
async function pending(promise: Promise<unknown>): Promise<boolean> {
  const marker = Symbol("pending");
  const first = await Promise.race([
    promise,
    new Promise((resolve) => setTimeout(() => resolve(marker), 20)),
  ]);
  return first === marker;
}

/** `promise`, or a rejection naming `what` after `ms`. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

function boundSocket(dir: string): { path: string; wait: WakeableWait } {
  const path = `${dir}/w.sock`;
  return { path, wait: new WakeableWait(bindUnixDatagram(sockaddrUn(path), "test socket")) };
}

Deno.test("WakeableWait.readable() waits for data and then delivers it", () =>
  withTempDir(async (dir) => {
    const { path, wait } = boundSocket(dir);
    try {
      const first = wait.readable();
      assert.equal(await pending(first), true, "nothing sent yet");
      assert.equal(wait.readable(), first, "concurrent callers share one wait");
      assert.equal(send(path, "hello"), 0);
      assert.equal(await within(first, 2000, "the wait for a datagram"), "ready");
      assert.equal(receive(wait.fd), "hello");
      // Data already queued: ready at once.
      assert.equal(send(path, "again"), 0);
      assert.equal(await within(wait.readable(), 2000, "a wait with data queued"), "ready");
      assert.equal(receive(wait.fd), "again");
    } finally {
      await wait.close();
    }
  }));

Deno.test("WakeableWait.close() wakes a pending wait, then closes the fd", () =>
  withTempDir(async (dir) => {
    const { path, wait } = boundSocket(dir);
    const waiting = wait.readable();
    assert.equal(await pending(waiting), true);
    await within(wait.close(), 2000, "close()");
    assert.equal(await waiting, "closed");
    assert.equal(await wait.readable(), "closed", "later waits end at once");
    assert.equal(wait.closed, true);
    assert.equal(wait.fd, -1);
    // The socket is gone: nothing receives at its address any more.
    assert.equal(send(path, "late"), Errno.ECONNREFUSED);
    await wait.close();
  }));

Deno.test("WakeableWait can be disposed without ever waiting", () =>
  withTempDir(async (dir) => {
    const { path, wait } = boundSocket(dir);
    {
      await using _ = wait;
    }
    assert.equal(wait.fd, -1);
    assert.equal(send(path, "x"), Errno.ECONNREFUSED);
  }));

Deno.test("WakeableWait does not spin: an idle wait uses no CPU and never wakes", async () => {
  const fixture = new URL("./_fixtures/idle_wait.ts", import.meta.url).pathname;
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", fixture],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stderr = new TextDecoder().decode(out.stderr);
  assert.equal(out.code, 0, stderr);
  const r = JSON.parse(new TextDecoder().decode(out.stdout).trim().split("\n").at(-1)!);
  assert.equal(r.stillBlocked, true, "the waiting thread is still in ppoll");
  assert.equal(r.waiterSwitches, 0, "the waiting thread never woke up while idle");
  // The whole process, every thread: only the one timer that ends the idle period runs.
  assert.ok(r.cpuIdleNs < 20e6, `${r.cpuIdleNs / 1e6} ms of CPU in ${r.idleMs} ms idle`);
  assert.equal(r.outcome, "closed");
  assert.ok(r.closeMs < 1000, `close() took ${r.closeMs} ms`);
});
