import assert from "node:assert/strict";
import { join } from "node:path";
import { notifySocketAddress, sendNotify } from "../../src/notify/client.ts";
import { openNotifySocket } from "../../src/notify/socket.ts";
import { lacks } from "../_helpers/requires.ts";

Deno.test("notifySocketAddress() encodes paths with a trailing NUL and @names with a leading one", () => {
  assert.deepEqual([...notifySocketAddress("/a")], [1, 0, 0x2f, 0x61, 0]);
  assert.deepEqual([...notifySocketAddress("@x/y")], [1, 0, 0, 0x78, 0x2f, 0x79]);
  assert.throws(() => notifySocketAddress(""), RangeError);
  assert.throws(() => notifySocketAddress("@"), RangeError);
  assert.throws(() => notifySocketAddress("/" + "a".repeat(107)), RangeError);
  assert.equal(notifySocketAddress("/" + "a".repeat(106)).length, 2 + 108);
});

Deno.test("sendNotify() delivers one datagram to a filesystem socket", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await using socket = openNotifySocket(join(dir, "n.sock"));
    sendNotify(socket.path, "READY=1\nSTATUS=up");
    for await (const datagram of socket) {
      assert.equal(datagram.text, "READY=1\nSTATUS=up");
      break;
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test(
  "sendNotify() delivers to an abstract @socket",
  { ignore: lacks("python3") },
  async () => {
    const name = `chaperone-test-${Deno.pid}-${crypto.randomUUID()}`;
    // Deno cannot bind abstract sockets, so a Python receiver stands in for the host.
    const receiver = new Deno.Command("python3", {
      args: [
        "-c",
        "import socket,sys\n" +
        "s=socket.socket(socket.AF_UNIX,socket.SOCK_DGRAM)\n" +
        "s.bind('\\0'+sys.argv[1])\n" +
        "print('bound',flush=True)\n" +
        "print(s.recv(4096).decode(),flush=True)\n",
        name,
      ],
      stdout: "piped",
    }).spawn();
    const reader = receiver.stdout.pipeThrough(new TextDecoderStream()).getReader();
    let output = "";
    while (!output.includes("bound\n")) {
      const { value, done } = await reader.read();
      if (done) break;
      output += value;
    }
    sendNotify(`@${name}`, "STOPPING=1");
    // The receiver exits after one datagram, which ends its output.
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      output += value;
    }
    assert.equal((await receiver.status).code, 0);
    assert.equal(output, "bound\nSTOPPING=1\n");
  },
);

Deno.test("sendNotify() throws NotFound for a missing path and ConnectionRefused for a dead socket", async () => {
  const dir = await Deno.makeTempDir();
  try {
    assert.throws(
      () => sendNotify(join(dir, "missing.sock"), "READY=1"),
      (e: unknown) =>
        e instanceof Deno.errors.NotFound &&
        /Cannot send to notify socket ".*": No such file/.test(e.message),
    );
    const path = join(dir, "dead.sock");
    Deno.listenDatagram({ transport: "unixpacket", path }).close();
    assert.throws(() => sendNotify(path, "READY=1"), Deno.errors.ConnectionRefused);
    assert.throws(
      () => sendNotify(`@chaperone-none-${crypto.randomUUID()}`, "READY=1"),
      Deno.errors.ConnectionRefused,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
