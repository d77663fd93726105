import assert from "node:assert/strict";
import { ctlCommand, formatStatus, formatUptime } from "../../src/cli/ctl.ts";
import type {
  ControlHandler,
  ControlRequest,
  ControlResponse,
  ServiceStatus,
  StatusReply,
} from "../../src/control/protocol.ts";
import { serveControl } from "../../src/control/server.ts";
import { CaptureOutput } from "../_helpers/capture_output.ts";

const UPTIME_CASES: { seconds: number; want: string }[] = [
  { seconds: 0, want: "0:00:00" },
  { seconds: 5, want: "0:00:05" },
  { seconds: 65.5, want: "0:01:05.500000" },
  { seconds: 3723.000001, want: "1:02:03.000001" },
  { seconds: 86400, want: "1 day, 0:00:00" },
  { seconds: 2 * 86400 + 36000 + 0.25, want: "2 days, 10:00:00.250000" },
];

for (const c of UPTIME_CASES) {
  Deno.test(`formatUptime() renders ${c.seconds} s as ${c.want}`, () => {
    assert.equal(formatUptime(c.seconds), c.want);
  });
}

function service(over: Partial<ServiceStatus> & { name: string }): ServiceStatus {
  return {
    type: "simple",
    state: "running",
    status: "running",
    pid: null,
    lastPid: null,
    enabled: true,
    restarts: 0,
    lastExit: null,
    note: null,
    nextRun: null,
    ready: true,
    alive: true,
    probe: null,
    ...over,
  };
}

const REPLY: StatusReply = {
  version: "0.4.0",
  uptimeSeconds: 3723.5,
  services: [
    service({ name: "web.service", pid: 1234, status: "running" }),
    service({
      name: "backup.service",
      type: "cron",
      state: "scheduled",
      status: "waiting",
      note: "@daily (0 0 * * *)",
      nextRun: "2026-11-29T00:00:00.000Z",
    }),
    service({
      name: "CONSOLE",
      state: "backoff",
      pid: 99,
      status: "exit(1)+r#2",
      lastExit: "exit(1)",
      restarts: 1,
    }),
    service({ name: "old.service", enabled: false, status: "disabled", state: "stopped" }),
    service({ name: "db.service", type: "notify", status: "ready", pid: 77, note: "accepting" }),
  ],
};

Deno.test("formatStatus() renders the header block and the sorted table of docs/ctl.md", () => {
  const want = [
    "",
    "Running:           chaperone version 0.4.0",
    "Uptime:            1:02:03.500000",
    "Managed processes: 5 (4 enabled)",
    "",
    "Services:",
    "",
    "pid   name            enabled  status       note              ",
    "----  --------------  -------  -----------  ------------------",
    "99    CONSOLE         true     exit(1)+r#2  -                 ",
    "-     backup.service  true     waiting      @daily (0 0 * * *)",
    "77    db.service      true     ready        accepting         ",
    "-     old.service     false    disabled     -                 ",
    "1234  web.service     true     running      -                 ",
    "",
  ].join("\n");
  assert.equal(formatStatus(REPLY), want);
});

/** A handler answering like the supervisor's adapter would, recording requests. */
class FakeHandler implements ControlHandler {
  requests: ControlRequest[] = [];
  handle(request: ControlRequest): Promise<ControlResponse> {
    this.requests.push(request);
    switch (request.cmd) {
      case "status":
        return Promise.resolve({ ok: true, data: REPLY });
      case "health": {
        const unhealthy = REPLY.services.filter((s) => s.name === "CONSOLE");
        return Promise.resolve({ ok: true, data: { healthy: false, level: "ready", unhealthy } });
      }
      case "stop":
        if (request.services.includes("nope")) {
          return Promise.resolve({ ok: false, error: "no such service: nope" });
        }
        return Promise.resolve({ ok: true, text: "services stopping." });
      default:
        return Promise.resolve({ ok: true, text: `${request.cmd} done` });
    }
  }
}

async function withServer(
  handler: ControlHandler,
  fn: (socket: string) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "ctl-cmd-" });
  try {
    await using _server = serveControl({ socketPath: `${dir}/c.sock` }, handler);
    await fn(`${dir}/c.sock`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function run(args: string[], env: Record<string, string> = {}) {
  const output = new CaptureOutput();
  const code = await ctlCommand(args, { output, env });
  return { code, stdout: output.stdout, stderr: output.stderr };
}

Deno.test("ctlCommand() prints the status table and exits 0", async () => {
  await withServer(new FakeHandler(), async (socket) => {
    const r = await run(["--socket", socket, "status"]);
    assert.deepEqual(r, { code: 0, stdout: formatStatus(REPLY), stderr: "" });
  });
});

Deno.test("ctlCommand() prints status --json as one array of service objects", async () => {
  await withServer(new FakeHandler(), async (socket) => {
    const r = await run([`--socket=${socket}`, "status", "--json"]);
    assert.equal(r.code, 0);
    const parsed: ServiceStatus[] = JSON.parse(r.stdout);
    assert.ok(Array.isArray(parsed));
    assert.deepEqual(parsed, REPLY.services);
    assert.equal(parsed[1]?.nextRun, "2026-11-29T00:00:00.000Z");
  });
});

Deno.test("ctlCommand() sends the parsed request and prints the reply text", async () => {
  const handler = new FakeHandler();
  await withServer(handler, async (socket) => {
    const r = await run(["--socket", socket, "stop", "--wait", "web", "db.service"]);
    assert.deepEqual(r, { code: 0, stdout: "services stopping.\n", stderr: "" });
    assert.deepEqual(handler.requests, [
      { cmd: "stop", services: ["web", "db.service"], wait: true },
    ]);
  });
});

Deno.test("ctlCommand() finds the socket through CHAPERONE_SOCKET", async () => {
  await withServer(new FakeHandler(), async (socket) => {
    const r = await run(["shutdown", "now"], { CHAPERONE_SOCKET: socket });
    assert.deepEqual(r, { code: 0, stdout: "shutdown done\n", stderr: "" });
  });
});

Deno.test("ctlCommand() exits 1 with the message on stderr when the command fails", async () => {
  await withServer(new FakeHandler(), async (socket) => {
    const r = await run(["--socket", socket, "stop", "nope"]);
    assert.deepEqual(r, { code: 1, stdout: "", stderr: "Command error: no such service: nope\n" });
  });
});

Deno.test("ctlCommand() exits 1 for health when a service is not in a good state", async () => {
  await withServer(new FakeHandler(), async (socket) => {
    const r = await run(["--socket", socket, "health"]);
    assert.deepEqual(r, {
      code: 1,
      stdout: "unhealthy (ready):\n  CONSOLE: backoff, exit(1)+r#2\n",
      stderr: "",
    });
  });
});

Deno.test("ctlCommand() exits 0 for health when the server reports all good", async () => {
  const handler: ControlHandler = {
    handle: () =>
      Promise.resolve({ ok: true, data: { healthy: true, level: "alive", unhealthy: [] } }),
  };
  await withServer(handler, async (socket) => {
    const r = await run(["--socket", socket, "health"]);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^healthy/);
  });
});

Deno.test("ctlCommand() exits 2 naming the places it looked when nobody listens", async () => {
  const dir = await Deno.makeTempDir({ prefix: "ctl-none-" });
  try {
    const r = await run(["--socket", `${dir}/none.sock`, "status"]);
    assert.equal(r.code, 2);
    assert.equal(r.stdout, "");
    assert.match(r.stderr, /chaperone does not seem to be listening/);
    assert.ok(r.stderr.includes(`${dir}/none.sock`));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/** A real Chaperone on this machine would answer at the first default place. */
const DEV_SOCKET_PRESENT = (() => {
  try {
    Deno.statSync("/dev/chaperone.sock");
    return true;
  } catch {
    return false;
  }
})();

Deno.test({
  name: "ctlCommand() tries every default place before exiting 2",
  ignore: DEV_SOCKET_PRESENT,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "ctl-xdg-" });
    try {
      const r = await run(["status"], { XDG_RUNTIME_DIR: `${dir}/missing` });
      assert.equal(r.code, 2);
      assert.equal(
        r.stderr,
        "chaperone does not seem to be listening, is it running?\n" +
          `(looked for a control socket at: /dev/chaperone.sock, ${dir}/missing/chaperone/` +
          `chaperone.sock, /tmp/chaperone-${Deno.uid()}/chaperone.sock)\n`,
      );
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "ctlCommand() reaches the server in the per-user runtime directory",
  ignore: DEV_SOCKET_PRESENT,
  fn: async () => {
    const xdg = await Deno.makeTempDir({ prefix: "ctl-xdg-" });
    try {
      await Deno.mkdir(`${xdg}/chaperone`, { mode: 0o700 });
      await using _server = serveControl(
        { socketPath: `${xdg}/chaperone/chaperone.sock` },
        new FakeHandler(),
      );
      const r = await run(["loglevel"], { XDG_RUNTIME_DIR: xdg });
      assert.deepEqual(r, { code: 0, stdout: "loglevel done\n", stderr: "" });
    } finally {
      await Deno.remove(xdg, { recursive: true });
    }
  },
});

const USAGE_ERRORS: { args: string[]; message: RegExp }[] = [
  { args: [], message: /no command given/ },
  { args: ["frob"], message: /unknown command "frob"/ },
  { args: ["--bogus", "status"], message: /bogus/ },
  { args: ["--socket"], message: /socket/ },
  { args: ["--timeout", "soon", "status"], message: /--timeout needs a number/ },
  { args: ["restart"], message: /needs at least one service name/ },
];

for (const c of USAGE_ERRORS) {
  Deno.test(`ctlCommand() exits 1 with usage for ${JSON.stringify(c.args.join(" "))}`, async () => {
    const r = await run(c.args);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, "");
    assert.match(r.stderr, c.message);
    assert.match(r.stderr, /Usage: chaperone ctl/);
  });
}

Deno.test("ctlCommand() prints usage on --help and exits 0", async () => {
  const r = await run(["--help"]);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /^Usage: chaperone ctl/);
  assert.match(r.stdout, /restart \[--force\] \[--wait\] <service> \.\.\./);
});

Deno.test("ctlCommand() exits 1 when the server does not answer in --timeout", async () => {
  const handler: ControlHandler = { handle: () => new Promise(() => {}) };
  await withServer(handler, async (socket) => {
    const r = await run(["--socket", socket, "--timeout", "0.1", "dependencies"]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /no reply from chaperone/);
  });
});

Deno.test({
  name: "ctlCommand() run as nobody is refused by the root-only socket and exits 1",
  ignore: Deno.uid() !== 0,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "ctl-nobody-" });
    try {
      // The directory must be searchable by nobody to reach the socket at all; the 0600
      // socket mode is then what refuses the connection.
      await Deno.chmod(dir, 0o755);
      const handler = new FakeHandler();
      await using _server = serveControl({ socketPath: `${dir}/c.sock` }, handler);
      const script = `${dir}/run.ts`;
      const module = new URL("../../src/cli/ctl.ts", import.meta.url).href;
      await Deno.writeTextFile(
        script,
        `import { ctlCommand } from ${JSON.stringify(module)};\n` +
          "Deno.exit(await ctlCommand(Deno.args));\n",
      );
      await Deno.mkdir(`${dir}/deno`, { mode: 0o777 });
      const result = await new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", "--quiet", "--no-check", script, "--socket", `${dir}/c.sock`, "status"],
        env: { DENO_DIR: `${dir}/deno`, NO_COLOR: "1", HOME: dir },
        clearEnv: true,
        uid: 65534,
        gid: 65534,
        stdout: "piped",
        stderr: "piped",
      }).output();
      assert.equal(new TextDecoder().decode(result.stdout), "");
      assert.equal(
        new TextDecoder().decode(result.stderr),
        `chaperone ctl: not allowed to use the control socket ${dir}/c.sock\n`,
      );
      assert.equal(result.code, 1);
      assert.deepEqual(handler.requests, []);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
