import assert from "node:assert/strict";
import { LogRouter, type LogRouterOptions } from "../../src/syslog/router.ts";
import { MAX_REMOTE_IN_FLIGHT } from "../../src/syslog/outputs.ts";
import { loggingSpec, MemoryStream, readLines, record, waitFor } from "./helpers.ts";
import type { LoggingSpec } from "../../src/config/schema.ts";

const LINE_TIME = "Jul  6 02:53:54";

function options(extra: Partial<LogRouterOptions> = {}): LogRouterOptions {
  return { hostname: "box", ...extra };
}

Deno.test("LogRouter routes a record to every matching section in config order", async () => {
  const out = new MemoryStream();
  const specs = [
    loggingSpec("all", { stdout: true }),
    loggingSpec("cron", { selector: "[cron].*", stdout: true, extended: true }),
    loggingSpec("errors", { selector: "*.err", stdout: true, logrecHostname: "h1" }),
  ];
  await using router = new LogRouter(specs, options({ stdout: out }));
  router.write(record("cron", "tick", 9, 6));
  router.write(record("app", "bad", 1, 3));
  router.flush();
  assert.deepEqual(out.text.split("\n"), [
    `${LINE_TIME} box cron[7]: tick`,
    `cron.info ${LINE_TIME} box cron[7]: tick`,
    `${LINE_TIME} box app[7]: bad`,
    `${LINE_TIME} h1 app[7]: bad`,
    "",
  ]);
});

Deno.test("LogRouter writes console lines without an explicit flush when the burst ends", async () => {
  const err = new MemoryStream();
  await using router = new LogRouter(
    [loggingSpec("e", { stderr: true })],
    options({ stderr: err }),
  );
  router.write(record("a", "one"));
  router.write(record("a", "two"));
  assert.equal(err.text, "");
  await waitFor(() => err.text.includes("two"), "stderr lines");
  assert.equal(err.chunks.length, 1, "one write for the burst");
});

Deno.test("LogRouter flushes a file within the flush delay when nobody calls flush()", async () => {
  const dir = Deno.makeTempDirSync();
  try {
    const path = `${dir}/a.log`;
    await using router = new LogRouter([loggingSpec("f", { file: path })], options());
    router.write(record("a", "hello"));
    const lines = await waitFor(
      () => readLines(path).length > 0 && readLines(path),
      "file line",
      1000,
    );
    assert.deepEqual(lines, [`${LINE_TIME} box a[7]: hello`]);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("LogRouter opens a file shared by two sections once but formats per section", async () => {
  const dir = Deno.makeTempDirSync();
  try {
    const path = `${dir}/shared.log`;
    Deno.writeTextFileSync(path, "old content\n");
    const router = new LogRouter([
      loggingSpec("one", { file: path, overwrite: true }),
      loggingSpec("two", { file: path, selector: "*.err", extended: true, logrecHostname: "h2" }),
    ], options());
    router.write(record("a", "info line", 1, 6));
    router.write(record("a", "error line", 1, 3));
    await router.close();
    assert.deepEqual(readLines(path), [
      `${LINE_TIME} box a[7]: info line`,
      `${LINE_TIME} box a[7]: error line`,
      `user.err ${LINE_TIME} h2 a[7]: error line`,
    ]);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("LogRouter appends to an existing file when overwrite is false", async () => {
  const dir = Deno.makeTempDirSync();
  try {
    const path = `${dir}/keep.log`;
    Deno.writeTextFileSync(path, "old content\n");
    const router = new LogRouter([loggingSpec("one", { file: path })], options());
    router.write(record("a", "new"));
    await router.close();
    assert.deepEqual(readLines(path), ["old content", `${LINE_TIME} box a[7]: new`]);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("LogRouter creates missing directories and files with the section's owner and modes", {
  // Giving files to another owner needs root.
  ignore: Deno.uid() !== 0,
}, async () => {
  const dir = Deno.makeTempDirSync();
  try {
    const path = `${dir}/x/y/app.log`;
    const router = new LogRouter(
      [loggingSpec("f", { file: path, uid: 1234, gid: 2345 })],
      options(),
    );
    await router.close();
    const d = Deno.statSync(`${dir}/x/y`);
    const f = Deno.statSync(path);
    assert.equal(d.mode! & 0o777, 0o775);
    assert.equal(f.mode! & 0o777, 0o664);
    if (Deno.uid() === 0) {
      assert.equal(d.uid, 1234);
      assert.equal(d.gid, 2345);
      assert.equal(f.uid, 1234);
      assert.equal(f.gid, 2345);
    }
    const noGid = `${dir}/z/plain.log`;
    await new LogRouter([loggingSpec("g", { file: noGid })], options()).close();
    assert.equal(Deno.statSync(`${dir}/z`).mode! & 0o777, 0o755);
    assert.equal(Deno.statSync(noGid).mode! & 0o777, 0o600);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("LogRouter names files with strftime and switches when the name changes", async () => {
  const dir = Deno.makeTempDirSync();
  try {
    let now = new Date(2024, 0, 1, 10, 0, 0);
    await using router = new LogRouter(
      [loggingSpec("f", { file: `${dir}/%Y-%m-%d.log` })],
      options({ now: () => now }),
    );
    router.write(record("a", "first"));
    router.flush();
    assert.equal(readLines(`${dir}/2024-01-01.log`).length, 1);
    now = new Date(2024, 0, 2, 0, 0, 1);
    await waitFor(
      () => {
        router.write(record("a", "second"));
        router.flush();
        return readLines(`${dir}/2024-01-02.log`).length > 0;
      },
      "the new day's file",
      3000,
    );
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

for (const how of ["deleted", "moved", "deleted with its directory"]) {
  Deno.test(`LogRouter reopens its file within a second when the file is ${how}`, async () => {
    const dir = Deno.makeTempDirSync();
    try {
      const path = `${dir}/sub/app.log`;
      const reports: string[] = [];
      await using router = new LogRouter(
        [loggingSpec("f", { file: path })],
        options({ report: (_s, m) => reports.push(m) }),
      );
      router.write(record("a", "before"));
      router.flush();
      if (how === "moved") Deno.renameSync(path, `${dir}/sub/app.log.1`);
      else if (how === "deleted") Deno.removeSync(path);
      else Deno.removeSync(`${dir}/sub`, { recursive: true });
      const started = Date.now();
      await waitFor(
        () => {
          router.write(record("a", "after"));
          router.flush();
          return readLines(path).length > 0;
        },
        "the reopened file",
        3000,
      );
      // The original took up to 60 s; allow scheduling slack on a loaded machine.
      assert.ok(Date.now() - started < 2500, "noticed within about a second");
      assert.match(readLines(path)[0]!, /a\[7\]: after$/);
      if (how === "moved") assert.match(readLines(`${dir}/sub/app.log.1`)[0]!, /before$/);
      assert.deepEqual(reports, []);
    } finally {
      Deno.removeSync(dir, { recursive: true });
    }
  });
}

Deno.test("LogRouter reports a full disk once however many lines fail", async () => {
  const reports: [string, string][] = [];
  const router = new LogRouter(
    [loggingSpec("full", { file: "/dev/full" })],
    options({ report: (s, m) => reports.push([s, m]) }),
  );
  for (let i = 0; i < 5; i++) {
    router.write(record("a", `line ${i}`));
    router.flush();
  }
  // Every lost line counts (chaperone_syslog_dropped_total), the warning is one.
  assert.equal(router.dropped, 5);
  await router.close();
  assert.equal(reports.length, 1);
  assert.equal(reports[0]![0], "warn");
  assert.match(reports[0]![1], /cannot write log file \/dev\/full/);
});

Deno.test("LogRouter reports an unopenable file once and recovers when it can open it", async () => {
  const dir = Deno.makeTempDirSync();
  try {
    // A regular file where the log's directory should be: opening fails until it is removed.
    Deno.writeTextFileSync(`${dir}/blocker`, "");
    const path = `${dir}/blocker/app.log`;
    const reports: [string, string][] = [];
    await using router = new LogRouter(
      [loggingSpec("f", { file: path })],
      options({ report: (s, m) => reports.push([s, m]) }),
    );
    router.write(record("a", "lost"));
    router.flush();
    router.write(record("a", "lost too"));
    router.flush();
    assert.equal(router.dropped, 2);
    assert.equal(reports.length, 1);
    assert.match(reports[0]![1], /cannot open log file/);
    Deno.removeSync(`${dir}/blocker`);
    await waitFor(
      () => {
        router.write(record("a", "back"));
        router.flush();
        return readLines(path).length > 0;
      },
      "recovery",
      3000,
    );
    assert.deepEqual(reports.map((r) => r[0]), ["warn", "info"]);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("LogRouter reports a broken stdout once", async () => {
  const out = new MemoryStream();
  out.fail = true;
  const reports: string[] = [];
  await using router = new LogRouter(
    [loggingSpec("o", { stdout: true })],
    options({ stdout: out, report: (_s, m) => reports.push(m) }),
  );
  for (let i = 0; i < 3; i++) {
    router.write(record("a", "x"));
    router.flush();
  }
  assert.deepEqual(reports, ["cannot write log lines to stdout: broken pipe"]);
  assert.equal(router.dropped, 3);
});

Deno.test("LogRouter sends remote lines over UDP with a <PRI> header", async () => {
  const server = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
  try {
    const port = (server.addr as Deno.NetAddr).port;
    await using router = new LogRouter(
      [loggingSpec("r", { syslogHost: `127.0.0.1:${port}` })],
      options(),
    );
    router.write(record("app", "remote hello", 4, 2));
    const [data] = await server.receive();
    assert.equal(new TextDecoder().decode(data), `<34>${LINE_TIME} box app[7]: remote hello`);
  } finally {
    server.close();
  }
});

Deno.test("LogRouter gives a disabled section no outputs", async () => {
  const out = new MemoryStream();
  await using router = new LogRouter(
    [loggingSpec("off", { stdout: true, enabled: false })],
    options({ stdout: out }),
  );
  router.write(record("a", "x"));
  router.flush();
  assert.equal(out.text, "");
});

Deno.test("LogRouter.setForcedLevel() lowers at-least terms and can be undone", async () => {
  const out = new MemoryStream();
  await using router = new LogRouter(
    [loggingSpec("e", { selector: "*.err;*.!=info", stdout: true })],
    options({ stdout: out }),
  );
  const send = () => {
    out.chunks = [];
    router.write(record("a", "dbg", 1, 7));
    router.write(record("a", "inf", 1, 6));
    router.flush();
    return out.text.split("\n").filter((l) => l).map((l) => l.split(": ")[1]);
  };
  assert.deepEqual(send(), []);
  router.setForcedLevel(7);
  assert.equal(router.forcedLevel, 7);
  assert.deepEqual(send(), ["dbg"]);
  router.setForcedLevel(undefined);
  assert.deepEqual(send(), []);
});

Deno.test("LogRouter splits a very long record into several lines", async () => {
  const out = new MemoryStream();
  await using router = new LogRouter(
    [loggingSpec("o", { stdout: true })],
    options({ stdout: out }),
  );
  router.write(record("a", "z".repeat(20000)));
  router.flush();
  const lines = out.text.split("\n").filter((l) => l);
  assert.equal(lines.length, 3);
  assert.ok(lines.every((l) => l.startsWith(`${LINE_TIME} box a[7]: z`)));
  assert.equal(lines.join("").split("z").length - 1, 20000);
});

Deno.test("LogRouter drops remote lines beyond the queue bound and reports it once", async () => {
  const server = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
  try {
    const port = (server.addr as Deno.NetAddr).port;
    const reports: string[] = [];
    const router = new LogRouter(
      [loggingSpec("r", { syslogHost: `127.0.0.1:${port}` })],
      options({ report: (_s, m) => reports.push(m) }),
    );
    // All sent synchronously: none can complete before the bound is reached.
    for (let i = 0; i < MAX_REMOTE_IN_FLIGHT + 10; i++) router.write(record("app", `n${i}`));
    // The first line left the queue at once (its send is in flight): 9 were dropped.
    assert.equal(router.dropped, 9);
    await router.close();
    assert.equal(reports.length, 1);
    assert.match(reports[0]!, /more than 1024 datagrams waiting/);
    // The queued ones arrive in order.
    for (let i = 0; i < 3; i++) {
      const [data] = await server.receive();
      assert.match(new TextDecoder().decode(data), new RegExp(`app\\[7\\]: n${i}$`));
    }
  } finally {
    server.close();
  }
});

Deno.test("LogRouter warns once about dropped remote lines while a flood keeps the queue full", async () => {
  const server = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
  try {
    const port = (server.addr as Deno.NetAddr).port;
    const reports: string[] = [];
    let clock = 0;
    const router = new LogRouter(
      [loggingSpec("r", { syslogHost: `127.0.0.1:${port}` })],
      options({ report: (s, m) => reports.push(`${s} ${m}`), clock: () => clock }),
    );
    // Bursts with a turn of the event loop between them: some datagrams leave the queue each
    // time, so it hovers at its bound (the old code warned again after every such turn).
    let written = 0;
    for (let burst = 0; burst < 20; burst++, clock += 100) {
      for (let i = 0; i < 1000; i++, written++) router.write(record("app", `b${burst} n${i}`));
      await new Promise((r) => setTimeout(r, 0));
    }
    assert.equal(reports.length, 1, reports.join("\n"));
    assert.match(reports[0]!, /^warn .*more than 1024 datagrams waiting, dropping lines$/);
    // A second without drops ends the burst: the next line that fits says what was lost.
    while (reports.length === 1) {
      clock += 1000;
      await new Promise((r) => setTimeout(r, 10));
      router.write(record("app", "after"));
      written++;
    }
    assert.match(reports[1]!, /^info syslog host \S+: sending again, \d+ line\(s\) dropped$/);
    const dropped = Number(/again, (\d+) line/.exec(reports[1]!)![1]);
    assert.ok(dropped > 0 && dropped < written, `${dropped} of ${written}`);
    await router.close();
  } finally {
    server.close();
  }
});

Deno.test("LogRouter notices a moved file a second later even when the wall clock stepped back an hour", async () => {
  const dir = Deno.makeTempDirSync();
  const realNow = Date.now;
  try {
    const path = `${dir}/app.log`;
    let clock = 0;
    await using router = new LogRouter(
      [loggingSpec("f", { file: path })],
      options({ clock: () => clock }),
    );
    router.write(record("a", "before"));
    router.flush();
    // The wall clock is stepped back (NTP, a VM resumed): only names may follow it.
    Date.now = () => realNow() - 3_600_000;
    Deno.renameSync(path, `${path}.1`);
    clock += 1000;
    router.write(record("a", "after"));
    router.flush();
    assert.deepEqual(readLines(`${path}.1`).map((l) => l.split(": ")[1]), ["before"]);
    assert.deepEqual(readLines(path).map((l) => l.split(": ")[1]), ["after"]);
    // And the check still waits for the monotonic second.
    Deno.renameSync(path, `${path}.2`);
    clock += 999;
    router.write(record("a", "same second"));
    router.flush();
    assert.deepEqual(readLines(`${path}.2`).map((l) => l.split(": ")[1]), ["after", "same second"]);
  } finally {
    Date.now = realNow;
    Deno.removeSync(dir, { recursive: true });
  }
});

// A logger as run.ts wires it: reports become records routed back through the router.
function selfReporting(
  specs: LoggingSpec[],
  extra: Partial<LogRouterOptions>,
): { router: LogRouter; unheard: string[] } {
  const unheard: string[] = [];
  const late: { router?: LogRouter } = {};
  const router = new LogRouter(
    specs,
    options({
      ...extra,
      report: (severity, message) =>
        late.router?.write({
          ...record("chaperone", message),
          severity: severity === "warn" ? 4 : 6,
        }),
      unheard: { write: (r) => unheard.push(r.rest) },
    }),
  );
  late.router = router;
  return { router, unheard };
}

Deno.test("LogRouter sends a failing file's warning to `unheard` when only that file would take it", async () => {
  const dir = Deno.makeTempDirSync();
  try {
    const path = `${dir}/logs/app.log`;
    let clock = 0;
    const { router, unheard } = selfReporting([loggingSpec("f", { file: path })], {
      clock: () => clock,
    });
    await using _ = router;
    router.write(record("a", "one"));
    router.flush();
    Deno.removeSync(`${dir}/logs`, { recursive: true });
    Deno.writeTextFileSync(`${dir}/logs`, "in the way\n");
    clock += 1000;
    router.write(record("a", "two"));
    router.flush();
    assert.equal(unheard.length, 1, unheard.join("\n"));
    assert.match(
      unheard[0]!,
      /cannot open log file \S+\/logs\/app\.log: \S+\/logs is not a directory/,
    );
    // Its recovery is told where its failure was.
    Deno.removeSync(`${dir}/logs`);
    clock += 1000;
    router.write(record("a", "three"));
    router.flush();
    assert.equal(unheard.length, 2, unheard.join("\n"));
    assert.match(unheard[1]!, /log file \S+\/logs\/app\.log is writable again/);
    router.flush();
    assert.match(readLines(path).join("\n"), /three[\s\S]*writable again/);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("LogRouter keeps a failing file's warning from `unheard` when another working output took it", async () => {
  const out = new MemoryStream();
  const { router, unheard } = selfReporting([
    loggingSpec("full", { file: "/dev/full" }),
    loggingSpec("console", { stdout: true }),
  ], { stdout: out });
  await using _ = router;
  router.write(record("a", "one"));
  router.flush();
  router.flush();
  assert.deepEqual(unheard, []);
  assert.match(out.text, /cannot write log file \/dev\/full: No space left on device/);
});

Deno.test("LogRouter sends a warning about dropped remote lines to `unheard` when only that host would take it", async () => {
  const server = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
  try {
    const port = (server.addr as Deno.NetAddr).port;
    const { router, unheard } = selfReporting(
      [loggingSpec("r", { syslogHost: `127.0.0.1:${port}` })],
      {},
    );
    for (let i = 0; i < MAX_REMOTE_IN_FLIGHT + 10; i++) router.write(record("app", `n${i}`));
    await router.close();
    assert.equal(unheard.length, 1, unheard.join("\n"));
    assert.match(unheard[0]!, /more than 1024 datagrams waiting, dropping lines/);
  } finally {
    server.close();
  }
});
