import assert from "node:assert/strict";
import { createLogger, MemorySink } from "../../src/log/logger.ts";
import { Facility, Severity } from "../../src/log/record.ts";
import type { ExitStatus } from "../../src/process/exit_status.ts";
import type { ProcessRequest } from "../../src/supervisor/ports.ts";
import {
  disableReason,
  pipeServiceOutput,
  serviceArgv,
  serviceCwd,
  serviceOutputRecord,
  spawnProcess,
  spawnRequest,
} from "../../src/supervisor/service_process.ts";
import { FakeProcesses, flush, spec } from "../_helpers/fakes.ts";
import { withTempDir } from "../_helpers/with_temp_dir.ts";

const resolver = {
  calls: [] as Array<[string, string | undefined, string | undefined]>,
  resolve(argv0: string, path: string | undefined, cwd: string | undefined): string {
    this.calls.push([argv0, path, cwd]);
    if (argv0 === "missing") throw new Error("executable 'missing' not found");
    return `/bin/${argv0}`;
  },
};

Deno.test("serviceArgv() resolves argv[0] against the service's PATH and directory", () => {
  resolver.calls = [];
  const argv = serviceArgv(
    spec("web.service", { argv: ["web", "-p", "80"], directory: "/srv" }),
    "/usr/bin",
    resolver,
  );
  assert.deepEqual(argv, ["/bin/web", "-p", "80"]);
  assert.deepEqual(resolver.calls, [["web", "/usr/bin", "/srv"]]);
});

Deno.test("serviceArgv() throws when the command is empty or its program is missing", () => {
  assert.throws(
    () => serviceArgv(spec("x.service", { argv: [] }), undefined, resolver),
    /service x\.service has an empty command/,
  );
  assert.throws(
    () => serviceArgv(spec("x.service", { argv: ["missing"] }), undefined, resolver),
    /'missing' not found/,
  );
});

Deno.test("serviceCwd() prefers directory, then an existing home, else none", async () => {
  await withTempDir((home) => {
    const user = { uid: 1000, gid: 1000, home };
    assert.equal(serviceCwd(spec("a.service", { directory: "/srv", user })), "/srv");
    assert.equal(serviceCwd(spec("a.service", { user })), home);
    const nobody = { uid: 65534, gid: 65534, home: `${home}/nonexistent` };
    assert.equal(serviceCwd(spec("a.service", { user: nobody })), undefined);
    assert.equal(serviceCwd(spec("a.service")), undefined);
    return Promise.resolve();
  });
});

Deno.test("spawnRequest() detaches a service and pipes only what goes to the log", () => {
  const s = spec("web.service", {
    user: { uid: 5, gid: 6 },
    stdout: "log",
    stderr: "inherit",
  });
  assert.deepEqual(
    spawnRequest(s, { argv: ["/bin/web"], env: { A: "1" }, cwd: "/srv", interactive: false }),
    {
      argv: ["/bin/web"],
      env: { A: "1" },
      cwd: "/srv",
      uid: 5,
      gid: 6,
      detached: true,
      stdin: "null",
      stdout: "piped",
      stderr: "inherit",
    },
  );
});

Deno.test("spawnRequest() gives CONSOLE our stdin, and our group when interactive", () => {
  const req = spawnRequest(spec("CONSOLE", { stderr: "log" }), {
    argv: ["/bin/sh"],
    env: {},
    cwd: undefined,
    interactive: true,
  });
  assert.equal(req.stdin, "inherit");
  assert.equal(req.detached, false);
  assert.equal(req.stdout, "inherit");
  assert.equal(req.stderr, "piped");
});

const DISABLE: Array<[string, Parameters<typeof spec>[1], string, unknown]> = [
  ["an optional service's program is missing", { optional: true }, "not found", {
    level: "info",
    message: "optional service x.service disabled since 'x' is not present",
  }],
  ["an ignore_failures service's program is missing", { ignoreFailures: true }, "not found", {
    level: "warn",
    message: "(ignored) service x.service executable 'x' is not present",
  }],
  ["a required service's program is missing", {}, "not found", undefined],
  [
    "an optional service's program is not executable",
    { optional: true },
    "x: not executable",
    undefined,
  ],
  ["permission is denied", { ignoreFailures: true }, "Permission denied", undefined],
];

for (const [when, over, error, expected] of DISABLE) {
  Deno.test(`disableReason() answers when ${when}`, () => {
    assert.deepEqual(disableReason(spec("x.service", over), error), expected);
  });
}

Deno.test("serviceOutputRecord() tags a line with the service name and the child's pid", () => {
  const rec = serviceOutputRecord("web.service", 42, Severity.WARN, "disk full", new MemorySink());
  assert.ok(rec);
  assert.equal(rec.tag, "web");
  assert.equal(rec.service, "web.service", "the service key of json and logfmt lines");
  assert.equal(rec.facility, Facility.DAEMON);
  assert.equal(rec.severity, Severity.WARN);
  assert.equal(rec.rest, "[42]: disk full");
});

Deno.test("serviceOutputRecord() drops blank lines", () => {
  assert.equal(
    serviceOutputRecord("web.service", 1, Severity.INFO, "  \t", new MemorySink()),
    undefined,
  );
});

function stream(text: string): ReadableStream<Uint8Array> {
  return ReadableStream.from([new TextEncoder().encode(text)]);
}

Deno.test("pipeServiceOutput() logs stdout at info and stderr at warning", async () => {
  const sink = new MemorySink();
  pipeServiceOutput("CONSOLE", {
    pid: 7,
    status: Promise.resolve({ code: 0, signal: null }),
    stdout: stream("hello\n\nworld\n"),
    stderr: stream("oops\n"),
  }, sink);
  const deadline = Date.now() + 2000;
  while (sink.records.length < 3 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 5));
  }
  const seen = sink.records.map((r) => [r.tag, r.severity, r.rest]).sort();
  assert.deepEqual(seen, [
    ["CONSOLE", Severity.WARN, "[7]: oops"],
    ["CONSOLE", Severity.INFO, "[7]: hello"],
    ["CONSOLE", Severity.INFO, "[7]: world"],
  ]);
});

const REQUEST: ProcessRequest = {
  argv: ["/bin/web"],
  env: {},
  detached: true,
  stdin: "null",
  stdout: "inherit",
  stderr: "inherit",
};

/** A process table where nothing can be started. */
class FailingProcesses extends FakeProcesses {
  override spawn(): never {
    throw new Error("exec format error");
  }
}

function setup() {
  const processes = new FakeProcesses();
  const sink = new MemorySink();
  const logger = createLogger({ sink, threshold: 7, tag: "chaperone", pid: 1 });
  return { processes, sink, ctx: { processes, sink, logger } };
}

Deno.test("spawnProcess() starts the request and reports the exit after logging it", async () => {
  const { processes, sink, ctx } = setup();
  const seen: Array<[number, ExitStatus]> = [];
  const child = spawnProcess(ctx, "web.service", REQUEST, (c, s) => {
    assert.ok(sink.messages().some((m) => m.startsWith("web.service exit status")));
    seen.push([c.pid, s]);
  });
  assert.deepEqual(processes.of("/bin/web")!.request, REQUEST);
  processes.of("/bin/web")!.exit({ code: 3, signal: null });
  await flush();
  assert.deepEqual(seen, [[child.pid, { code: 3, signal: null }]]);
  const line = sink.records.find((r) => r.rest.includes("exit status"))!;
  assert.equal(line.severity, 6, "a failing exit is logged at info");
});

Deno.test("spawnProcess() logs a clean exit at debug", async () => {
  const { processes, sink, ctx } = setup();
  spawnProcess(ctx, "web.service", REQUEST, () => {});
  processes.of("/bin/web")!.exit();
  await flush();
  const line = sink.records.find((r) => r.rest.includes("exit status"))!;
  assert.equal(line.severity, 7);
});

Deno.test("spawnProcess() throws when the process cannot start", () => {
  const { ctx } = setup();
  const failing = { ...ctx, processes: new FailingProcesses() };
  assert.throws(
    () => spawnProcess(failing, "web.service", REQUEST, () => assert.fail("never started")),
    /exec format error/,
  );
});
