/**
 * The original's el-test scenarios for the supervision core (EL-01..04, 07, 17, 18, 19, 24..28;
 * docs/migration.md names the original test of each), matched on our log vocabulary with
 * `default.logging` = `*.debug` → stdout, and with a host NOTIFY_SOCKET listener standing in for
 * `sdnotify-exec --wait-stop`. Long sleeps and timeouts of the originals are shortened; what is
 * waited for is the same.
 */
import assert from "node:assert/strict";
import { canRunAsPid1, waitFor } from "../_helpers/pid1.ts";
import { assertInOrder, DEBUG_LOG, type Scenario, withScenario } from "./_scenario.ts";

const ignore = !canRunAsPid1;

/** The host side of NOTIFY_SOCKET: every datagram chaperone sends, in order. */
class NotifyListener {
  readonly path: string;
  readonly messages: string[] = [];
  #conn: Deno.DatagramConn;
  #loop: Promise<void>;

  constructor(path: string) {
    this.path = path;
    const conn = Deno.listenDatagram({ path, transport: "unixpacket" });
    this.#conn = conn;
    this.#loop = (async () => {
      const dec = new TextDecoder();
      try {
        for await (const [data] of conn) this.messages.push(dec.decode(data));
      } catch {
        // Closed.
      }
    })();
  }

  has(message: string): boolean {
    return this.messages.some((m) => m.split("\n").includes(message));
  }

  async close(): Promise<void> {
    this.#conn.close();
    await this.#loop;
  }
}

/** Runs an EL scenario with a host notify listener (the original harness's sdnotify-exec). */
async function elScenario(
  config: string,
  options: { args?: string[]; env?: Record<string, string> },
  body: (s: Scenario, host: NotifyListener) => Promise<void>,
): Promise<void> {
  const sockDir = await Deno.makeTempDir({ prefix: "chaperone-el-" });
  const host = new NotifyListener(`${sockDir}/notify.sock`);
  try {
    await withScenario(
      `settings: { env_set: { SERVICE_NAME: "$(_CHAP_SERVICE)" } }\n${config}${DEBUG_LOG}`,
      { ...options, env: { NOTIFY_SOCKET: host.path, ...options.env } },
      (s) => body(s, host),
    );
  } finally {
    await host.close();
    await Deno.remove(sockDir, { recursive: true }).catch(() => {});
  }
}

const SIMPLE_1 =
  `test1-exit1.service: { type: simple, enabled: "$(ENABLE_EXIT1:-false)", command: "echo exit immediately" }
test2-other.service: { type: simple, enabled: "$(ENABLE_OTHER:-false)", command: "sleep 60" }
`;

Deno.test({
  name:
    "EL-01: a lone echo service runs, READY and STOPPING reach the host, the run ends by itself",
  ignore,
  fn: () =>
    elScenario(
      `echo.service: { command: "echo first output", stdout: inherit }\n`,
      {},
      async ({ run }, host) => {
        assert.equal(await run.waitExit(), 0, run.output);
        assertInOrder(run.stdout, [
          "first output",
          "queueing 'READY=1'",
          "Final termination phase",
        ]);
        assert.ok(host.has("READY=1"), host.messages.join(" | "));
        assert.ok(host.has("STOPPING=1"), host.messages.join(" | "));
      },
    ),
});

Deno.test({
  name: "EL-02: --task prints only the command's output (task mode drops console logging)",
  ignore,
  fn: () =>
    elScenario(
      SIMPLE_1,
      { args: ["--task", "echo", "proctool says: testing-123"] },
      async ({ run }) => {
        assert.equal(await run.waitExit(), 0, run.output);
        assert.equal(run.stdout, "proctool says: testing-123\n");
      },
    ),
});

Deno.test({
  name: "EL-03: an enabled simple service that exits at once ends the run",
  ignore,
  fn: () =>
    elScenario(SIMPLE_1, { env: { ENABLE_EXIT1: "true" } }, async ({ run }) => {
      assert.equal(await run.waitExit(), 0, run.output);
      assertInOrder(run.stdout, [
        "test1-exit1.service successfully started",
        "no child processes present",
        "Final termination phase",
      ]);
      assert.match(run.stdout, /test1-exit1\.service exit status/);
      assert.match(run.stdout, /service test2-other\.service not enabled/);
    }),
});

Deno.test({
  name: "EL-04: nothing enabled: no start-up is attempted and the run ends",
  ignore,
  fn: () =>
    elScenario(SIMPLE_1, {}, async ({ run }) => {
      assert.equal(await run.waitExit(), 0, run.output);
      assertInOrder(run.stdout, [
        "test1-exit1.service not enabled",
        "No service startups attempted",
        "Final termination phase",
      ]);
    }),
});

Deno.test({
  name: "EL-07: with detect_exit false the run stays up after everything exited, until SIGINT",
  ignore,
  fn: () =>
    elScenario(
      `settings: { detect_exit: false }\n${SIMPLE_1}`,
      { env: { ENABLE_EXIT1: "true" } },
      async ({ run }, host) => {
        await run.waitForOutput("test1-exit1.service exit status");
        await run.waitForOutput("all services started");
        await waitFor(() => host.has("READY=1") || undefined);
        // Still up and answering well after the last process is gone.
        const status = await run.ctl("status");
        assert.equal(status.code, 0, status.stdout + status.stderr);
        assert.doesNotMatch(run.stdout, /Final termination phase/);
        await run.kill("SIGINT");
        assert.equal(await run.waitExit(), 130, run.output);
        assertInOrder(run.stdout, [
          "test1-exit1.service successfully started",
          "Request made to kill system",
          "No processes remain when attempting to kill system",
          "Final termination phase",
        ]);
      },
    ),
});

Deno.test({
  name: "EL-17: an exit_kills forking daemon with a pidfile ends the system when it exits",
  ignore,
  fn: () =>
    elScenario(
      `test1-keeper.service: { type: simple, command: "bash -c 'logecho lagging task sleeping for 5 minutes... ; sleep 600'" }
test1-kills.service: {
  type: forking, service_groups: IDLE, exit_kills: true, pidfile: "$(T)/kid.pid",
  command: "daemon bash -c 'echo $$ >$T/kid.pid; logecho daemon running; sleep 1.5; logecho wait completed: daemon exiting'",
}
`,
      {},
      async ({ run }) => {
        assert.equal(await run.waitExit(20_000), 0, run.output);
        // The daemon writes its pidfile and then logs through /dev/log, so "changing PID" and
        // "daemon running" may come in either order (the original's script had the same race).
        assertInOrder(run.stdout, [
          ": daemon running",
          ": wait completed: daemon exiting",
          "terminated with exit_kills enabled",
          "Final termination phase",
        ]);
        assertInOrder(run.stdout, [
          "kills.service changing PID to",
          "terminated with exit_kills enabled",
        ]);
        assert.match(run.stdout, /: lagging task sleeping for 5 minutes/);
      },
    ),
});

Deno.test({
  name: "EL-18: a forking daemon without a pidfile keeps the run alive until it exits",
  ignore,
  fn: () =>
    elScenario(
      `test1-exit1.service: { type: forking, command: "daemon bash -c 'logecho daemon running; sleep 1; logecho daemon exiting'" }\n`,
      {},
      async ({ run }) => {
        assert.equal(await run.waitExit(), 0, run.output);
        assertInOrder(run.stdout, [
          "test1-exit1.service successfully started",
          ": daemon exiting",
          "Final termination phase",
        ]);
      },
    ),
});

Deno.test({
  name: "EL-19: a forking launcher exiting 3 cancels start-up",
  ignore,
  fn: () =>
    elScenario(
      `test1-exit1b.service: { type: forking, command: "daemon --exit 3 bash -c 'echo daemon running'" }\n`,
      {},
      async ({ run }, host) => {
        assert.equal(await run.waitExit(), 1, run.output);
        assertInOrder(run.stdout, [
          /attempting start '.*echo daemon running/,
          "test1-exit1b.service received exception during attempted start",
          "system startup cancelled",
          "Final termination phase",
        ]);
        assert.ok(!host.has("READY=1"), host.messages.join(" | "));
        assert.ok(host.has("STOPPING=1"), host.messages.join(" | "));
      },
    ),
});

Deno.test({
  name: "EL-24: a notify service that never notifies times out",
  ignore,
  fn: () =>
    elScenario(
      `settings: { process_timeout: 1 }
test1-exit1.service: { type: notify, command: "daemon bash -c 'logecho daemon running; sleep 3; logecho daemon exiting'" }
`,
      {},
      async ({ run }) => {
        assert.equal(await run.waitExit(), 1, run.output);
        assertInOrder(run.stdout, [
          "test1-exit1.service attempting start",
          "notify service 'test1-exit1.service' did not receive ready notification",
          "Final termination phase",
        ]);
      },
    ),
});

Deno.test({
  name: "EL-25: a notify launcher exiting 3 within startup_pause fails start-up",
  ignore,
  fn: () =>
    elScenario(
      `settings: { process_timeout: 1 }
test1-exit1b.service: { type: notify, command: "daemon --exit 3 bash -c 'echo daemon running; sleep 3'" }
`,
      {},
      async ({ run }) => {
        assert.equal(await run.waitExit(), 1, run.output);
        assertInOrder(run.stdout, [
          "echo daemon running",
          "test1-exit1b.service failed on start-up with result '<ProcStatus exit_status=3>'",
          "Final termination phase",
        ]);
      },
    ),
});

Deno.test({
  name: "EL-26: a notify launcher still running at process_timeout times out",
  ignore,
  fn: () =>
    elScenario(
      `settings: { process_timeout: 1 }
test1-exit1c.service: { type: notify, command: "daemon --exit 3 --wait 3 bash -c 'echo daemon running; sleep 3'" }
`,
      {},
      async ({ run }) => {
        assert.equal(await run.waitExit(), 1, run.output);
        assertInOrder(run.stdout, [
          "echo daemon running",
          "'test1-exit1c.service' did not receive ready notification",
          "Final termination phase",
        ]);
      },
    ),
});

Deno.test({
  name: "EL-27: a notify daemon reporting ERRNO=55 fails with that error",
  ignore,
  fn: () =>
    elScenario(
      `settings: { process_timeout: 5 }
test1-exit1d.service: { type: notify, command: "daemon bash -c 'logecho daemon running; sleep 0.7; systemd-notify ERRNO=55'" }
`,
      {},
      async ({ run }) => {
        assert.equal(await run.waitExit(), 1, run.output);
        assertInOrder(run.stdout, [
          ": daemon running",
          "test1-exit1d.service failed with reported error <ProcStatus exit_status=55>",
          "Final termination phase",
        ]);
      },
    ),
});

Deno.test({
  name: "EL-28: a notify daemon sending READY with MAINPID is followed until it exits",
  ignore,
  fn: () =>
    elScenario(
      `settings: { process_timeout: 15 }
test1-exit1e.service: { type: notify, command: "daemon bash -c 'logecho daemon running; sleep 0.7; systemd-notify --ready --pid=$$; sleep 1'" }
`,
      {},
      async ({ run }, host) => {
        assert.equal(await run.waitExit(15_000), 0, run.output);
        assertInOrder(run.stdout, [
          ": daemon running",
          "test1-exit1e.service changing PID to",
          "test1-exit1e.service got explicit return code",
          "Final termination phase",
        ]);
        assert.ok(host.has("READY=1"), host.messages.join(" | "));
      },
    ),
});
