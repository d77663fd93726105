/**
 * "Supervision production can trust", black-box as PID 1: the two bugs of the first trial in
 * their exact scenarios (a restart that fails fast is retried; a killed parent's child that
 * holds a TCP port is killed before the restart binds it), health at two levels, and ctl run.
 */
import assert from "node:assert/strict";
import { canRunAsPid1, waitFor } from "../_helpers/pid1.ts";
import { freePort } from "../_helpers/free_port.ts";
import { DEBUG_LOG, withScenario } from "./_scenario.ts";
import { answering, statusRows, waitRow } from "./ctl_helpers.ts";

const ignore = !canRunAsPid1;

Deno.test({
  name:
    "a crash, then fast failures: every run is counted and retried until restart_limit, then failed",
  ignore,
  fn: () =>
    withScenario(
      `app.service: {
  restart: true, restart_limit: 5, restart_delay: 0.2,
  command: "sh -c 'echo run >>$T/runs; if [ -e $T/crashed ]; then exit 1; fi; touch $T/crashed; sleep 2; exit 1'",
}
keeper.service: { command: "sleep 1000" }
`,
      {},
      async ({ run, read }) => {
        await answering(run);
        const row = await waitRow(
          run,
          "app.service",
          (r) => r.state === "failed",
          "app failed",
          30_000,
        );
        // The first run crashed after 2 s; the five restarts each failed at once, inside their
        // startup pause: all of them ran, none was dropped.
        assert.equal(read("runs"), "run\n".repeat(6));
        assert.equal(row.status, "exit(1)");
        assert.match(row.note ?? "", /^gave up after 6 failed runs/);
        assert.equal(row.ready, false);
        assert.equal(row.alive, false);
        assert.match(
          run.output,
          /app\.service restart limit reached after 6 failed runs; giving up/,
        );
        const lefts = [
          ...run.output.matchAll(/app\.service pausing between restart retries \((\d) left\)/g),
        ]
          .map((m) => m[1]);
        assert.deepEqual(lefts, ["4", "3", "2", "1", "0"], "the log counts down the budget");
        const health = await run.ctl("health");
        assert.equal(health.code, 1);
        assert.match(health.stdout, /^unhealthy \(ready\):\n {2}app\.service: failed, exit\(1\)/);
        const alive = await run.ctl("health", "--level", "alive");
        assert.equal(alive.code, 1, "a service that gave up fails liveness too");
      },
    ),
});

Deno.test({
  name: "status and the log give the same count of restarts left while a restart is pending",
  ignore,
  fn: () =>
    withScenario(
      `app.service: { restart: true, restart_limit: 3, restart_delay: 5, startup_pause: 0.2,
  command: "sh -c 'sleep 1; exit 1'" }
keeper.service: { command: "sleep 1000" }
${DEBUG_LOG}`,
      {},
      async ({ run }) => {
        await answering(run);
        const row = await waitRow(
          run,
          "app.service",
          (r) => r.state === "backoff",
          "backoff",
          20_000,
        );
        assert.match(run.output, /app\.service pausing between restart retries \(2 left\)/);
        assert.equal(row.status, "exit(1)+r#2");
        const alive = await run.ctl("health", "--level", "alive");
        assert.equal(alive.code, 0, `waiting between restarts is alive: ${alive.stdout}`);
        const ready = await run.ctl("health");
        assert.equal(ready.code, 1);
        assert.match(ready.stdout, /app\.service: backoff, exit\(1\)\+r#2/);
      },
    ),
});

Deno.test({
  name:
    "a parent killed with SIGKILL whose child holds a TCP port: the child is killed, the restart binds the port",
  ignore,
  fn: async () => {
    const port = freePort();
    await withScenario(
      `web.service: {
  restart: true, restart_delay: 0.5,
  command: "sh -c 'python3 -m http.server ${port} --bind 127.0.0.1 >/dev/null 2>&1 & echo $! >>$T/servers; wait'",
}
`,
      {},
      async ({ run, read, waitForFile }) => {
        await waitForFile("servers", /^\d+\n$/);
        await serving(port);
        await answering(run);
        const first = await waitRow(run, "web.service", (r) => r.status === "running");
        const firstServer = Number(read("servers").trim());
        const kill = await run.exec(["kill", "-KILL", String(first.pid)]);
        assert.equal(kill.code, 0, kill.stderr);
        await waitForFile("servers", /^\d+\n\d+\n$/, 20_000);
        const [, second] = read("servers").trim().split("\n").map(Number);
        assert.notEqual(second, firstServer);
        await run.waitForOutput("web.service killed 1 leftover process(es) of its previous run");
        const alive = await run.exec(["kill", "-0", String(firstServer)]);
        assert.notEqual(alive.code, 0, "the orphaned server of the first run is gone");
        // The new run bound the port: the answer comes from the second server.
        await waitFor(async () => {
          const ps = await run.exec(["sh", "-c", `cat /proc/${second}/cmdline | tr '\\0' ' '`]);
          return ps.stdout.includes("http.server") ? true : undefined;
        }, { what: "the second server running" });
        await serving(port);
        const row = await waitRow(run, "web.service", (r) => r.status === "running");
        assert.equal(row.restarts, 1);
        assert.equal(row.pid !== first.pid, true);
      },
    );
  },
});

/** Waits until an HTTP server answers on the port. */
async function serving(port: number): Promise<void> {
  await waitFor(async () => {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/`);
      await res.body?.cancel();
      return res.status === 200 ? true : undefined;
    } catch {
      return undefined;
    }
  }, { timeoutMs: 20_000, what: `an HTTP server on port ${port}` });
}

Deno.test({
  name: "after ctl stop, status says stopped and health fails at both levels, naming the service",
  ignore,
  fn: () =>
    withScenario(
      `app.service: { command: "sleep 1000" }
keeper.service: { command: "sleep 1000" }
`,
      {},
      async ({ run }) => {
        await answering(run);
        await waitRow(run, "app.service", (r) => r.status === "running");
        assert.equal((await run.ctl("health")).code, 0);
        assert.equal((await run.ctl("health", "--level", "alive")).code, 0);
        const stop = await run.ctl("stop", "--wait", "app");
        assert.equal(stop.code, 0, stop.stderr);
        const row = (await statusRows(run)).get("app.service")!;
        assert.equal(row.status, "stopped");
        const ready = await run.ctl("health");
        assert.deepEqual([ready.code, ready.stdout], [
          1,
          "unhealthy (ready):\n  app.service: idle, stopped\n",
        ]);
        const alive = await run.ctl("health", "--level", "alive");
        assert.deepEqual([alive.code, alive.stdout], [
          1,
          "unhealthy (alive):\n  app.service: idle, stopped\n",
        ]);
        assert.equal((await run.ctl("start", "--wait", "app")).code, 0);
        assert.equal((await run.ctl("health")).code, 0, "started again: healthy again");
      },
    ),
});

Deno.test({
  name: "ctl run runs a cron job now, obeys the overlap rule, and refuses other services",
  ignore,
  fn: () =>
    withScenario(
      `job.service: { type: cron, interval: "0 0 1 1 *", command: "sh -c 'echo ran >>$T/runs; sleep 2'" }
keeper.service: { command: "sleep 1000" }
${DEBUG_LOG}`,
      {},
      async ({ run, read, waitForFile }) => {
        await answering(run);
        await waitRow(run, "job.service", (r) => r.status === "waiting");
        const first = await run.ctl("run", "job");
        assert.deepEqual([first.code, first.stdout], [0, "cron jobs started.\n"]);
        await waitForFile("runs", /^ran\n$/);
        const again = await run.ctl("run", "job");
        assert.deepEqual([again.code, again.stderr], [
          1,
          "Command error: job is still running: its job was not started again\n",
        ]);
        const other = await run.ctl("run", "keeper");
        assert.equal(other.stderr, "Command error: keeper is not a cron service\n");
        await run.waitForOutput(/cron service job\.service running CMD .*\(ctl run\)/);
        await waitRow(run, "job.service", (r) => r.status === "waiting", "the job ended");
        assert.equal((await run.ctl("run", "job")).code, 0);
        await waitForFile("runs", /^ran\nran\n$/);
        assert.equal(read("runs"), "ran\nran\n");
      },
    ),
});
