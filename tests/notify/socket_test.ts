import assert from "node:assert/strict";
import { join } from "node:path";
import { type NotifyDatagram, openNotifySocket } from "../../src/notify/socket.ts";
import { sendNotify } from "../../src/notify/client.ts";
import { withTempDir } from "../_helpers/with_temp_dir.ts";
import { lacks } from "../_helpers/requires.ts";

/** Collects datagrams from `socket` until `count` have arrived (or 5 s pass). */
async function take(
  iterator: AsyncIterator<NotifyDatagram>,
  count: number,
): Promise<NotifyDatagram[]> {
  const result: NotifyDatagram[] = [];
  const deadline = Date.now() + 5000;
  while (result.length < count) {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const next = await Promise.race([
      iterator.next(),
      new Promise<"timeout">((r) => timer = setTimeout(() => r("timeout"), deadline - Date.now())),
    ]);
    clearTimeout(timer);
    if (next === "timeout") throw new Error(`only ${result.length} of ${count} datagrams`);
    if (next.done) break;
    result.push(next.value);
  }
  return result;
}

async function systemdNotify(
  socket: string,
  args: string[],
  uid?: number,
): Promise<{ code: number; ms: number; stderr: string }> {
  const started = Date.now();
  const options: Deno.CommandOptions = {
    args,
    env: { NOTIFY_SOCKET: socket },
    stdout: "null",
    stderr: "piped",
  };
  if (uid !== undefined) {
    options.uid = uid;
    options.gid = uid;
  }
  const out = await new Deno.Command("systemd-notify", options).output();
  return {
    code: out.code,
    ms: Date.now() - started,
    stderr: new TextDecoder().decode(out.stderr),
  };
}

Deno.test("openNotifySocket() creates a mode 0600 socket and close() removes it", async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "svc.sock");
    const socket = openNotifySocket(path);
    const info = Deno.statSync(path);
    assert.equal(info.isSocket, true);
    assert.equal(info.mode! & 0o777, 0o600);
    assert.equal(socket.path, path);
    await socket.close();
    assert.throws(() => Deno.statSync(path), Deno.errors.NotFound);
  });
});

Deno.test("openNotifySocket() buffers datagrams that arrive before iteration and ends on close", async () => {
  await withTempDir(async (dir) => {
    const socket = openNotifySocket(join(dir, "svc.sock"));
    sendNotify(socket.path, "STATUS=one\nbogus");
    sendNotify(socket.path, "READY=1");
    const iterator = socket[Symbol.asyncIterator]();
    const got = await take(iterator, 2);
    assert.deepEqual(got, [
      {
        text: "STATUS=one\nbogus",
        messages: [{ type: "status", text: "one" }],
        invalid: ["bogus"],
      },
      { text: "READY=1", messages: [{ type: "ready" }], invalid: [] },
    ]);
    await socket.close();
    assert.deepEqual(await iterator.next(), { done: true, value: undefined });
  });
});

Deno.test("openNotifySocket() replaces a stale socket but refuses to replace a regular file", async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "svc.sock");
    const stale = Deno.listenDatagram({ transport: "unixpacket", path });
    stale.close();
    const socket = openNotifySocket(path);
    await socket.close();
    const file = join(dir, "file");
    Deno.writeTextFileSync(file, "x");
    assert.throws(() => openNotifySocket(file), Deno.errors.AlreadyExists);
    assert.equal(Deno.readTextFileSync(file), "x");
  });
});

Deno.test("openNotifySocket() closes when its signal aborts", async () => {
  await withTempDir(async (dir) => {
    const controller = new AbortController();
    const socket = openNotifySocket(join(dir, "svc.sock"), { signal: controller.signal });
    const iterator = socket[Symbol.asyncIterator]();
    const next = iterator.next();
    controller.abort();
    assert.deepEqual(await next, { done: true, value: undefined });
    await socket.close();
    assert.throws(() => Deno.statSync(socket.path), Deno.errors.NotFound);
  });
});

Deno.test("openNotifySocket() lets systemd-notify --ready, --status and --pid return at once", {
  ignore: lacks("systemd-notify"),
}, async () => {
  await withTempDir(async (dir) => {
    await using socket = openNotifySocket(join(dir, "svc.sock"));
    const iterator = socket[Symbol.asyncIterator]();
    const runs: [string[], string][] = [
      [["--ready"], "READY=1"],
      [["--status=x y"], "STATUS=x y"],
      [["--pid=4242"], "MAINPID=4242"],
    ];
    for (const [args, text] of runs) {
      const result = await systemdNotify(socket.path, args);
      assert.equal(result.code, 0, result.stderr);
      // systemd-notify waits for its BARRIER fd to be closed; without eager reading this
      // takes its full timeout (5 s or more).
      assert.ok(result.ms < 2000, `systemd-notify ${args} took ${result.ms} ms`);
      const [message, barrier] = await take(iterator, 2);
      assert.equal(message?.text, text);
      assert.deepEqual(barrier?.messages, [{ type: "barrier" }]);
    }
  });
});

Deno.test({
  name: "openNotifySocket() with uid/gid admits only that user's messages",
  // chown to another user and running systemd-notify as that user need root.
  ignore: Deno.uid() !== 0,
}, async () => {
  await withTempDir(async (dir) => {
    await Deno.chmod(dir, 0o755);
    await using mine = openNotifySocket(join(dir, "mine.sock"), { uid: 65534, gid: 65534 });
    await using other = openNotifySocket(join(dir, "other.sock"));
    const info = Deno.statSync(mine.path);
    assert.equal(info.uid, 65534);
    assert.equal(info.gid, 65534);
    const ok = await systemdNotify(mine.path, ["--ready"], 65534);
    assert.equal(ok.code, 0, ok.stderr);
    const [ready] = await take(mine[Symbol.asyncIterator](), 1);
    assert.deepEqual(ready?.messages, [{ type: "ready" }]);
    const denied = await systemdNotify(other.path, ["--ready"], 65534);
    assert.notEqual(denied.code, 0);
    assert.match(denied.stderr, /ermission denied/);
  });
});

Deno.test("openNotifySocket() binds an @abstract name that sendNotify and systemd-notify reach", {
  ignore: lacks("systemd-notify"),
}, async () => {
  const name = `@chaperone-test/${crypto.randomUUID()}`;
  const socket = openNotifySocket(name);
  try {
    assert.throws(() => openNotifySocket(name), Deno.errors.AddrInUse);
    const iterator = socket[Symbol.asyncIterator]();
    sendNotify(name, "STATUS=abstract");
    const [status] = await take(iterator, 1);
    assert.deepEqual(status?.messages, [{ type: "status", text: "abstract" }]);
    const result = await systemdNotify(name, ["--ready"]);
    assert.equal(result.code, 0, result.stderr);
    assert.ok(result.ms < 2000, `systemd-notify took ${result.ms} ms`);
    const [ready, barrier] = await take(iterator, 2);
    assert.equal(ready?.text, "READY=1");
    assert.deepEqual(barrier?.messages, [{ type: "barrier" }]);
    const next = iterator.next();
    await socket.close();
    assert.deepEqual(await next, { done: true, value: undefined });
  } finally {
    await socket.close();
  }
  // The name is free again once closed.
  await openNotifySocket(name).close();
});
