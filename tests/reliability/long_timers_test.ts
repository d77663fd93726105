/**
 * Timers of 2^31 ms (24.9 days) or more: a JavaScript timer overflows and fires after about
 * 1 ms, so each of these acted at once before every timer went through the one Clock
 * (src/sys/clock.ts, which chains them; its unit test checks the chaining with a fake base
 * clock). Here, each 30-day timer of a live PID 1 must still be pending after a few seconds,
 * which is a thousand times longer than the overflow took.
 */
import assert from "node:assert/strict";
import { canRunAsPid1, type Pid1, waitFor } from "../_helpers/pid1.ts";
import { DEBUG_LOG, withScenario } from "../integration/_scenario.ts";
import { statusRows, waitRow } from "../integration/ctl_helpers.ts";
import { assertServing, figure } from "./_fuzz.ts";

const ignore = !canRunAsPid1;
/** 30 days in seconds. */
const MONTH = 2_592_000;
/** How long the run is watched for a timer firing early (ms). */
const WINDOW = 2500;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

Deno.test({
  name:
    "30-day process_timeout, EXTEND_TIMEOUT_USEC, startup_pause, restart_delay, watchdog and stop timeout, and ctl shutdown 3000000, do not fire early",
  ignore,
  fn: () =>
    withScenario(
      `settings: { shutdown_timeout: ${MONTH} }
slow.service: { type: notify, process_timeout: ${MONTH}, command: "sleep 1000" }
extended.service: {
  type: notify, process_timeout: 1,
  command: "bash -c 'systemd-notify EXTEND_TIMEOUT_USEC=${MONTH}000000; exec sleep 1000'",
}
paused.service: { startup_pause: ${MONTH}, command: "sleep 1000" }
backoff.service: { restart: true, restart_delay: ${MONTH}, command: "sh -c 'sleep 0.6; exit 3'" }
watched.service: {
  type: notify, watchdog_timeout: ${MONTH},
  command: "bash -c 'systemd-notify --ready; exec sleep 1000'",
}
stubborn.service: { command: "bash -c 'trap \\"\\" TERM; echo $$ >$T/stubborn; while :; do sleep 0.1; done'" }
${DEBUG_LOG}`,
      {},
      async ({ run, waitForFile }) => {
        await assertServing(run, 6);
        await waitRow(run, "watched.service", (r) => r.status === "running");
        await waitRow(run, "stubborn.service", (r) => r.status === "running");
        await waitRow(run, "backoff.service", (r) => r.state === "backoff");
        const stubborn = Number((await waitForFile("stubborn", /^\d+\n$/)).trim());
        // The stop timeout: SIGTERM is ignored, SIGKILL is due only after shutdown_timeout.
        const stop = await run.ctl("stop", "stubborn");
        assert.equal(stop.code, 0, stop.stderr);
        const shutdown = await run.ctl("shutdown", "3000000");
        assert.equal(shutdown.stdout, "Shutting down in 3000000.0 seconds\n");
        await sleep(WINDOW);

        const rows = await statusRows(run);
        const state = (name: string) => rows.get(name)!.state;
        assert.equal(state("slow.service"), "starting", "process_timeout fired");
        assert.equal(state("extended.service"), "starting", "the extended timeout fired");
        assert.equal(state("paused.service"), "starting", "startup_pause ran out");
        assert.equal(state("backoff.service"), "backoff", "restart_delay ran out");
        assert.equal(rows.get("backoff.service")!.restarts, 0);
        assert.equal(state("watched.service"), "running", "the watchdog fired");
        assert.equal(state("stubborn.service"), "stopping", "SIGKILL came early");
        const alive = await run.exec(["kill", "-0", String(stubborn)]);
        assert.equal(alive.code, 0, "the stubborn service was killed");
        assert.doesNotMatch(
          run.stdout,
          /did not receive ready notification|missed its watchdog|Request made to kill system|system startup cancelled/,
        );
        figure(
          "long timers",
          `7 timers of 30 days (or 3,000,000 s) still pending after ${WINDOW} ms`,
        );
        await endWithSigkill(run, stubborn);
      },
    ),
});

/** A shutdown with a 30-day stop timeout would wait for the stubborn service: kill it first. */
async function endWithSigkill(run: Pid1, pid: number): Promise<void> {
  await run.exec(["kill", "-KILL", String(pid)]);
  await run.kill("SIGTERM");
  assert.equal(await run.waitExit(20_000), 0, run.output.slice(-3000));
}

Deno.test({
  name: "status_interval: 2592000 sends one STATUS= to the host, not 500 a second",
  ignore,
  fn: async () => {
    // The host's notify socket exists before the run starts, as podman's does.
    const hostDir = await Deno.makeTempDir({ prefix: "chaperone-host-" });
    const path = `${hostDir}/host.sock`;
    const sock = Deno.listenDatagram({ transport: "unixpacket", path });
    const got: string[] = [];
    const reader = (async () => {
      try {
        for (;;) got.push(new TextDecoder().decode((await sock.receive())[0]));
      } catch {
        // closed
      }
    })();
    try {
      await withScenario(
        `settings: { status_interval: ${MONTH} }\nweb.service: { command: "sleep 1000" }\n`,
        { env: { NOTIFY_SOCKET: path } },
        async ({ run }) => {
          await waitFor(() => got.includes("READY=1") || undefined, {
            timeoutMs: 15_000,
            what: "READY=1",
            detail: () => `${got.join(" | ")}\n${run.output}`,
          });
          await sleep(WINDOW);
          const statuses = got.filter((m) => m.startsWith("STATUS="));
          assert.equal(statuses.length, 1, `${statuses.length} STATUS= datagrams`);
          await run.kill("SIGTERM");
          assert.equal(await run.waitExit(), 0, run.output);
        },
      );
    } finally {
      sock.close();
      await reader;
      await Deno.remove(hostDir, { recursive: true });
    }
  },
});

Deno.test({
  name: "idle_delay: 2592000 holds the IDLE group back",
  ignore,
  fn: () =>
    withScenario(
      `settings: { idle_delay: ${MONTH} }
web.service: { command: "sleep 1000" }
late.service: { service_groups: IDLE, command: "bash -c 'touch $T/late; exec sleep 1000'" }
${DEBUG_LOG}`,
      {},
      async ({ run, read }) => {
        await assertServing(run, 2);
        await run.waitForOutput(`IDLE transition hit.  delaying for ${MONTH} seconds`);
        await sleep(WINDOW);
        assert.equal((await statusRows(run)).get("late.service")!.state, "waiting");
        assert.equal(read("late"), "", "the IDLE service started");
        await run.kill("SIGTERM");
        assert.equal(await run.waitExit(), 0, run.output);
      },
    ),
});
