/**
 * Ready and health probes, black-box as PID 1 (docs/configuration.md, "Probes"): for each source
 * a service becomes ready about a second after it starts, and a service that starts after it
 * must not start before then; a health probe that keeps failing restarts its service under the
 * restart policy; a probe that never passes within process_timeout fails the start-up.
 */
import assert from "node:assert/strict";
import { canRunAsPid1 } from "../_helpers/pid1.ts";
import { freePort } from "../_helpers/free_port.ts";
import { DEBUG_LOG, withScenario } from "./_scenario.ts";
import { answering, waitRow } from "./ctl_helpers.ts";

const ignore = !canRunAsPid1;

/** What becomes ready after a second, and the probe that sees it. */
interface Source {
  readonly name: string;
  readonly probe: string;
  /** The shell command of the service: ready after `sleep 1`, writing $T/ready_at first. */
  readonly command: string;
}

function sources(port: number): Source[] {
  const stamp = "date +%s.%N >$T/ready_at";
  const server = `exec python3 -m http.server ${port} --bind 127.0.0.1 >/dev/null 2>&1`;
  return [
    {
      name: "tcp",
      probe: `{ tcp: ${port}, interval: 0.1 }`,
      command: `sleep 1; ${stamp}; ${server}`,
    },
    {
      name: "http",
      probe: `{ http: "http://127.0.0.1:${port}/", interval: 0.1 }`,
      command: `sleep 1; ${stamp}; ${server}`,
    },
    {
      name: "exec",
      probe: `{ exec: "test -e $(T)/flag", interval: 0.1 }`,
      command: `sleep 1; ${stamp}; touch $T/flag; exec sleep 1000`,
    },
    {
      name: "file",
      probe: `{ file: "$(T)/flag", interval: 0.1 }`,
      command: `sleep 1; ${stamp}; touch $T/flag; exec sleep 1000`,
    },
    {
      name: "log",
      probe: `{ log: "listening on port \\\\d+", interval: 0.1 }`,
      command: `sleep 1; ${stamp}; echo listening on port 8080; exec sleep 1000`,
    },
  ];
}

for (const source of sources(0)) {
  Deno.test({
    name: `a ${source.name} ready probe holds a dependent back until it passes`,
    ignore,
    fn: async () => {
      const port = freePort();
      const s = sources(port).find((x) => x.name === source.name)!;
      await withScenario(
        `slow.service: { command: "sh -c '${s.command}'", ready_probe: ${s.probe} }
dep.service: { after: slow.service, command: "sh -c 'date +%s.%N >$T/dep_at; exec sleep 1000'" }
${DEBUG_LOG}`,
        {},
        async ({ run, read, waitForFile }) => {
          await answering(run);
          const early = await waitRow(run, "slow.service", () => true);
          assert.equal(early.state, "starting", "not ready before the probe passed");
          await waitForFile("dep_at", /\d/);
          const readyAt = Number(read("ready_at").trim());
          const depAt = Number(read("dep_at").trim());
          assert.ok(readyAt > 0, "the service became ready");
          assert.ok(depAt >= readyAt, `dep started at ${depAt}, before ${readyAt}`);
          const slow = await waitRow(run, "slow.service", (r) => r.status === "running");
          assert.equal(slow.ready, true);
          assert.equal(slow.probe, "ok", "status shows the last probe result");
          assert.equal(slow.note, "probe ok");
          await waitRow(run, "dep.service", (r) => r.status === "running");
          assert.equal((await run.ctl("health")).code, 0);
        },
      );
    },
  });
}

Deno.test({
  name: "a health probe failing 3 times in a row restarts its service, counted against its budget",
  ignore,
  fn: () =>
    withScenario(
      `web.service: {
  restart: true, restart_delay: 0.2,
  command: "sh -c 'echo run >>$T/runs; touch $T/healthy; exec sleep 1000'",
  health_probe: { file: "$(T)/healthy", interval: 0.2, failures: 3 },
}
${DEBUG_LOG}`,
      {},
      async ({ run, read, dir, waitForFile }) => {
        await answering(run);
        await waitForFile("runs", /^run\n$/);
        const first = await waitRow(run, "web.service", (r) => r.status === "running");
        await Deno.remove(`${dir}/healthy`);
        await waitForFile("runs", /^run\nrun\n$/, 20_000);
        await run.waitForOutput(
          /web\.service health probe file \S+\/healthy failed 3 times in a row \(last: no such file\); restarting/,
        );
        const second = await waitRow(run, "web.service", (r) =>
          r.status === "running" && r.pid !== first.pid);
        assert.equal(second.restarts, 1);
        assert.equal(read("runs"), "run\nrun\n");
        assert.equal(
          (await run.ctl("health")).code,
          0,
          "healthy again once the new run's probe passes",
        );
      },
    ),
});

Deno.test({
  name: "a ready probe that never passes within process_timeout fails the start-up: exit 1",
  ignore,
  fn: () =>
    withScenario(
      `web.service: { command: "sleep 1000", process_timeout: 1, ready_probe: { file: "/nonexistent", interval: 0.1 } }
`,
      {},
      async ({ run }) => {
        assert.equal(await run.waitExit(), 1, run.output);
        assert.match(run.stderr, /system startup cancelled due to error: .*web\.service/);
      },
    ),
});
