import assert from "node:assert/strict";
import { listenSyslog, MAX_DATAGRAM } from "../../src/syslog/listener.ts";
import { LogRouter } from "../../src/syslog/router.ts";
import { MemorySink } from "../../src/log/logger.ts";
import type { LogRecord } from "../../src/log/record.ts";
import { loggingSpec, readLines, waitFor } from "./helpers.ts";
import { lacks } from "../_helpers/requires.ts";

function logger(args: string[]): void {
  const out = new Deno.Command("logger", { args, stderr: "piped", stdout: "null" }).outputSync();
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
}

// Sends raw datagrams from a client socket in the same temp dir.
async function sendRaw(dir: string, target: string, datagrams: Uint8Array[]): Promise<void> {
  const client = Deno.listenDatagram({ transport: "unixpacket", path: `${dir}/client` });
  try {
    for (const d of datagrams) await client.send(d, { transport: "unixpacket", path: target });
  } finally {
    client.close();
    Deno.removeSync(`${dir}/client`);
  }
}

const enc = (s: string) => new TextEncoder().encode(s);

Deno.test("listenSyslog() receives logger messages in every format it sends", {
  ignore: lacks("logger"),
}, async () => {
  const dir = Deno.makeTempDirSync();
  try {
    const path = `${dir}/log`;
    const sink = new MemorySink();
    await using listener = listenSyslog(path, sink);
    logger(["-u", path, "--socket-errors=on", "-t", "plain", "-p", "local3.err", "one"]);
    logger(["-d", "-u", path, "--socket-errors=on", "-t", "dgram", "-i", "two"]);
    logger(["-u", path, "--socket-errors=on", "--rfc5424", "-t", "five", "three"]);
    logger(["-u", path, "--socket-errors=on", "--rfc3164", "-t", "old", "four"]);
    await waitFor(() => sink.records.length >= 4, "four records");
    const got = sink.records.map((
      r,
    ) => [r.tag, r.facility, r.severity, r.rest.replace(/^\[\d+\]/, "[P]")]);
    assert.deepEqual(got, [
      ["plain", 19, 3, ": one"],
      ["dgram", 1, 5, "[P]: two"],
      ["five", 1, 5, ": three"],
      ["old", 1, 5, ": four"],
    ]);
    assert.ok(sink.records.every((r) => !r.formatError));
    assert.equal(listener.received, 4);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test(
  "listenSyslog() takes a 64 KiB message from logger whole",
  { ignore: lacks("logger") },
  async () => {
    const dir = Deno.makeTempDirSync();
    try {
      const path = `${dir}/log`;
      const sink = new MemorySink();
      await using _listener = listenSyslog(path, sink);
      const text = "m".repeat(65000);
      logger(["-u", path, "--socket-errors=on", "--size", "70000", "-t", "long", text]);
      const r = await waitFor(() => sink.records.find((x) => x.tag === "long"), "the long record");
      assert.equal(r.rest, `: ${text}`);
    } finally {
      Deno.removeSync(dir, { recursive: true });
    }
  },
);

Deno.test("listenSyslog() loses nothing and keeps order when flooded", async () => {
  const dir = Deno.makeTempDirSync();
  try {
    const path = `${dir}/log`;
    const sink = new MemorySink();
    await using listener = listenSyslog(path, sink);
    const count = 20_000;
    const datagrams: Uint8Array[] = [];
    for (let i = 0; i < count; i++) datagrams.push(enc(`<13>Jun  5 02:09:33 flood[1]: ${i}`));
    await sendRaw(dir, path, datagrams);
    await waitFor(() => listener.received >= count, "every message", 20_000);
    assert.equal(sink.records.length, count);
    assert.ok(sink.records.every((r, i) => r.rest === `[1]: ${i}`), "in order");
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("listenSyslog() replaces a stale file, creates the directory, sets 0777 and removes the socket at close", async () => {
  const dir = Deno.makeTempDirSync();
  try {
    const path = `${dir}/run/chaperone/log`;
    Deno.mkdirSync(`${dir}/run/chaperone`, { recursive: true });
    Deno.writeTextFileSync(path, "stale");
    const listener = listenSyslog(path, new MemorySink());
    const st = Deno.statSync(path);
    assert.ok(st.isSocket);
    assert.equal(st.mode! & 0o777, 0o777);
    await listener.close();
    assert.throws(() => Deno.statSync(path), Deno.errors.NotFound);
    const fresh = `${dir}/new/dir/log`;
    await listenSyslog(fresh, new MemorySink()).close();
    assert.ok(Deno.statSync(`${dir}/new/dir`).isDirectory);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("listenSyslog() stops when its signal is aborted", async () => {
  const dir = Deno.makeTempDirSync();
  try {
    const controller = new AbortController();
    const listener = listenSyslog(`${dir}/log`, new MemorySink(), { signal: controller.signal });
    controller.abort();
    await waitFor(() => {
      try {
        Deno.statSync(`${dir}/log`);
        return false;
      } catch {
        return true;
      }
    }, "socket removal");
    await listener.close();
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("listenSyslog() survives bad datagrams and reports them once per burst", async () => {
  const dir = Deno.makeTempDirSync();
  try {
    const path = `${dir}/log`;
    const sink = new MemorySink();
    const reports: string[] = [];
    await using _listener = listenSyslog(path, sink, { report: (_s, m) => reports.push(m) });
    const random = new Uint8Array(512);
    crypto.getRandomValues(random);
    const big = enc(`<13>Jun  5 02:09:33 big: ${"x".repeat(MAX_DATAGRAM - 30)}`);
    const tooBig = enc(`<13>Jun  5 02:09:33 huge: ${"y".repeat(MAX_DATAGRAM + 100)}`);
    await sendRaw(dir, path, [
      random,
      new Uint8Array(),
      new Uint8Array([0x3c, 0x31, 0x33, 0x3e, 0x75, 0x3a, 0x20, 0xff, 0xfe, 0xc3, 0xa9]),
      enc("<13>a: first\0<13>b: second\0\0<13>c: third\n"),
      big,
      tooBig,
      enc("garbage one"),
      enc("garbage two"),
      enc("<13>end: done"),
    ]);
    await waitFor(() => sink.records.some((r) => r.tag === "end"), "the last good message");
    const tags = sink.records.filter((r) => !r.formatError).map((r) => r.tag);
    assert.deepEqual(tags, ["u", "a", "b", "c", "big", "huge", "end"]);
    const utf = sink.records.find((r) => r.tag === "u")!;
    assert.equal(utf.rest, ": \uFFFD\uFFFD\u00e9");
    assert.equal(
      sink.records.find((r) => r.tag === "big")!.rest.length,
      MAX_DATAGRAM - 30 + 2,
    );
    assert.ok(sink.records.some((r) => r.formatError && r.raw === "garbage two"));
    assert.equal(reports.length, 1, reports.join("\n"));
    assert.match(reports[0]!, /malformed or truncated message/);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("listenSyslog() with a LogRouter writes logger's lines to a section's file", {
  ignore: lacks("logger"),
}, async () => {
  const dir = Deno.makeTempDirSync();
  try {
    const file = `${dir}/out/syslog.log`;
    await using router = new LogRouter([
      loggingSpec("all", { file, selector: "*.info", extended: true }),
    ], { hostname: "box" });
    await using _listener = listenSyslog(`${dir}/log`, router);
    logger([
      "-u",
      `${dir}/log`,
      "--socket-errors=on",
      "-t",
      "web",
      "-p",
      "daemon.warning",
      "hello file",
    ]);
    logger([
      "-u",
      `${dir}/log`,
      "--socket-errors=on",
      "-t",
      "web",
      "-p",
      "daemon.debug",
      "not selected",
    ]);
    const lines = await waitFor(
      () => readLines(file).length > 0 && readLines(file),
      "the file line",
    );
    assert.equal(lines.length, 1);
    assert.match(lines[0]!, /^daemon\.warn \w{3} [ \d]\d \d\d:\d\d:\d\d box web: hello file$/);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test({
  name: "listenSyslog() receives a program's syslog(3) messages when it is bound at /dev/log",
  ignore: Deno.uid() !== 0,
  async fn() {
    const dir = Deno.makeTempDirSync();
    try {
      const path = `${dir}/log`;
      const sink = new MemorySink();
      await using _listener = listenSyslog(path, sink);
      // A private mount namespace gives the program a /dev/log that is our socket.
      const script =
        `mount -t tmpfs none /dev && touch /dev/log && mount --bind ${path} /dev/log && ` +
        `python3 -c 'import syslog; syslog.openlog("pyd", syslog.LOG_PID, syslog.LOG_MAIL); syslog.syslog(syslog.LOG_ERR, "from syslog(3)")'`;
      const out = new Deno.Command("unshare", {
        args: ["--mount", "sh", "-c", script],
        stderr: "piped",
      })
        .outputSync();
      assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
      const r = await waitFor(
        () => sink.records.find((x) => x.tag === "pyd"),
        "the syslog(3) record",
      );
      assert.equal(r.facility, 2);
      assert.equal(r.severity, 3);
      assert.match(r.rest, /^\[\d+\]: from syslog\(3\)$/);
    } finally {
      Deno.removeSync(dir, { recursive: true });
    }
  },
});

Deno.test("listenSyslog() counts the messages it received and those its sink could not take", async () => {
  const dir = Deno.makeTempDirSync();
  try {
    const path = `${dir}/log`;
    const sink = new MemorySink();
    const picky = {
      write(record: LogRecord) {
        if (record.tag === "boom") throw new Error("cannot take it");
        sink.write(record);
      },
    };
    await using listener = listenSyslog(path, picky, { report: () => {} });
    await sendRaw(dir, path, [enc("<13>a: one"), enc("<13>boom: two"), enc("<13>end: three")]);
    await waitFor(() => sink.records.some((r) => r.tag === "end"), "the last message");
    assert.equal(listener.received, 3);
    assert.equal(listener.dropped, 1);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
