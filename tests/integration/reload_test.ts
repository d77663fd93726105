/**
 * `ctl reload`, black-box as PID 1 (docs/ctl.md, `reload`): every kind of plan line, unchanged
 * services keeping their pids, a logging switch under a /dev/log flood losing nothing, every
 * kind of bad configuration leaving the system as it was, --dry-run, reloads one at a time, a
 * reload during a shutdown, and a new service that fails its ready check disturbing nothing.
 */
import assert from "node:assert/strict";
import { canRunAsPid1, type Pid1, waitFor } from "../_helpers/pid1.ts";
import { DEBUG_LOG, withScenario } from "./_scenario.ts";
import { answering, floodDevLog, statusRows, waitRow } from "./ctl_helpers.ts";

const ignore = !canRunAsPid1;

const BEFORE = `keep.service: { command: "sleep 1001" }
change.service: { command: "sleep 1002" }
gone.service: { command: "sleep 1003" }
limit.service: { command: "sleep 1004", restart: true, restart_limit: 2 }
off.service: { command: "sleep 1005" }
`;

const AFTER = `keep.service: { command: "sleep 1001" }
change.service: { command: "sleep 2002" }
limit.service: { command: "sleep 1004", restart: true, restart_limit: 5 }
off.service: { command: "sleep 1005", enabled: false }
new.service: { command: "sleep 1006", after: keep.service }
`;

/** The pids of the running services. */
async function pids(run: Pid1): Promise<Record<string, number | null>> {
  const rows = await statusRows(run);
  return Object.fromEntries([...rows].map(([name, row]) => [name, row.pid]));
}

Deno.test({
  name:
    "ctl reload starts, stops, restarts, updates and keeps as planned; kept services keep their pids",
  ignore,
  fn: () =>
    withScenario(BEFORE, {}, async ({ run, dir }) => {
      await answering(run);
      for (const s of ["keep", "change", "gone", "limit", "off"]) {
        await waitRow(run, `${s}.service`, (r) => r.status === "running");
      }
      const before = await pids(run);
      await Deno.writeTextFile(`${dir}/chaperone.d/test.conf`, AFTER);
      const dry = await run.ctl("reload", "--dry-run");
      assert.equal(dry.code, 0, dry.stderr);
      assert.equal(
        dry.stdout,
        [
          "keep keep.service",
          "restart change.service (command changed)",
          "update limit.service (restart_limit)",
          "stop off.service (disabled)",
          "start new.service",
          "stop gone.service",
          "",
        ].join("\n"),
      );
      assert.deepEqual(await pids(run), before, "--dry-run changes nothing");
      const reload = await run.ctl("reload");
      assert.equal(reload.code, 0, reload.stderr);
      assert.equal(reload.stdout, dry.stdout, "the plan carried out is the plan shown");
      await waitRow(run, "new.service", (r) => r.status === "running");
      const change = await waitRow(run, "change.service", (r) => r.status === "running");
      const rows = await statusRows(run);
      assert.equal(rows.has("gone.service"), false, "the removed service is gone");
      assert.equal(rows.get("keep.service")!.pid, before["keep.service"]);
      assert.equal(rows.get("limit.service")!.pid, before["limit.service"]);
      assert.notEqual(change.pid, before["change.service"]);
      assert.equal(rows.get("off.service")!.status, "disabled");
      const ps = await run.exec(["sh", "-c", "ps -eo args"]);
      assert.match(ps.stdout, /sleep 2002/);
      assert.doesNotMatch(ps.stdout, /sleep 1002|sleep 1003|sleep 1005/);
      assert.match(run.stdout, /reloading the configuration from /);
      const chart = await run.ctl("dependencies");
      assert.match(chart.stdout, /new +\| keep/, "the new graph is in force");
    }),
});

Deno.test({
  name:
    "ctl reload with a bad configuration changes nothing and lists every error with file and line",
  ignore,
  fn: () =>
    withScenario(BEFORE, {}, async ({ run, dir }) => {
      await answering(run);
      await waitRow(run, "keep.service", (r) => r.status === "running");
      const before = await pids(run);
      const d = `${dir}/chaperone.d`;
      const bad: Array<[string, string, RegExp]> = [
        [
          "a YAML error",
          `x.service: { command: "sleep 1", after: [\n`,
          /x\.conf:\d+: YAML syntax error/,
        ],
        [
          "a half-written file",
          `y.service: { command: "sl`,
          /y\.conf:\d+: /,
        ],
        [
          "a cycle",
          `p.service: { command: "sleep 1", after: q.service }\nq.service: { command: "sleep 1", after: p.service }\n`,
          /circular dependency in service declaration/,
        ],
        [
          "an unknown user",
          `u.service: { command: "sleep 1", uid: nosuchuser }\n`,
          /z\.conf:1: .*nosuchuser/,
        ],
      ];
      for (const [what, text, error] of bad) {
        const file = `${d}/${what.includes("half") ? "y" : what.includes("YAML") ? "x" : "z"}.conf`;
        await Deno.writeTextFile(file, text);
        const r = await run.ctl("reload");
        assert.equal(r.code, 1, `${what}: ${r.stdout}`);
        assert.match(r.stderr, error, what);
        await Deno.remove(file);
        assert.deepEqual(await pids(run), before, `${what}: nothing changed`);
      }
      // A file that disappears between the listing and the read (a dangling link reads so).
      await Deno.symlink(`${dir}/nowhere.conf`, `${d}/vanished.conf`);
      const gone = await run.ctl("reload");
      assert.equal(gone.code, 1);
      assert.match(gone.stderr, /vanished\.conf: cannot read configuration file/);
      await Deno.remove(`${d}/vanished.conf`);
      // Two errors at once are both reported.
      await Deno.writeTextFile(
        `${d}/z.conf`,
        `a2.service: { command: "sleep 1", restart: alwyas }\nb2.service: { comand: "x" }\n`,
      );
      const two = await run.ctl("reload");
      assert.equal(two.code, 1);
      assert.match(two.stderr, /z\.conf:1: a2\.service: restart/);
      assert.match(two.stderr, /z\.conf:2: b2\.service: .*comand/);
      await Deno.remove(`${d}/z.conf`);
      assert.deepEqual(await pids(run), before);
      assert.equal((await run.ctl("reload")).code, 0, "the unchanged configuration reloads fine");
      assert.deepEqual(await pids(run), before, "and keeps everything");
    }),
});

Deno.test({
  name: "ctl reload switches logging sections under a /dev/log flood without losing a line",
  ignore,
  fn: () => {
    const FLOOD = 20_000;
    return withScenario(
      `first.logging: { selector: "local0.*", file: "$(T)/first.log" }
keep.service: { command: "sleep 1000" }
`,
      {},
      async ({ run, dir, read }) => {
        await answering(run);
        let flooding = true;
        const flood = floodDevLog(run, FLOOD, { pauseEvery: 200, timeoutMs: 60_000 }).finally(
          () => (flooding = false),
        );
        await waitFor(() => read("first.log").length > 0 ? true : undefined, {
          what: "first lines",
        });
        await Deno.writeTextFile(
          `${dir}/chaperone.d/test.conf`,
          `second.logging: { selector: "local0.*", file: "$(T)/second.log" }
keep.service: { command: "sleep 1000" }
`,
        );
        const r = await run.ctl("reload");
        assert.equal(r.code, 0, r.stderr);
        assert.match(r.stdout, /open logging second\.logging\nclose logging first\.logging/);
        assert.equal(flooding, true, "the switch happened during the flood");
        assert.equal((await flood).code, 0);
        const count = (name: string) =>
          read(name).split("\n").filter((l) => l.includes("flood[7]: message ")).length;
        const total = await waitFor(() => {
          const n = count("first.log") + count("second.log");
          return n >= FLOOD ? n : undefined;
        }, {
          timeoutMs: 20_000,
          what: `${FLOOD} lines`,
          detail: () => `${count("first.log")} + ${count("second.log")}`,
        });
        assert.equal(total, FLOOD, "every line in exactly one file");
        assert.ok(count("second.log") > 0 && count("first.log") > 0);
      },
    );
  },
});

Deno.test({
  name:
    "a reload adding a service that fails its ready check completes; the new service fails, nothing else is disturbed",
  ignore,
  fn: () =>
    withScenario(`keep.service: { command: "sleep 1000" }\n`, {}, async ({ run, dir }) => {
      await answering(run);
      const keep = await waitRow(run, "keep.service", (r) => r.status === "running");
      await Deno.writeTextFile(
        `${dir}/chaperone.d/test.conf`,
        `keep.service: { command: "sleep 1000" }
bad.service: { command: "sleep 1000", process_timeout: 1, ready_probe: { file: "/nonexistent", interval: 0.1 } }
`,
      );
      const r = await run.ctl("reload");
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, "keep keep.service\nstart bad.service\n");
      const bad = await waitRow(run, "bad.service", (row) => row.state === "failed");
      assert.equal(bad.ready, false);
      const after = await statusRows(run);
      assert.equal(after.get("keep.service")!.pid, keep.pid);
      assert.equal(after.get("keep.service")!.status, "running");
      assert.equal((await run.ctl("status")).code, 0, "the system is up");
    }),
});

Deno.test({
  name:
    "reloads run one at a time, ctl status answers during one, and a reload during a shutdown is refused",
  ignore,
  fn: () =>
    withScenario(
      `settings: { shutdown_timeout: 3 }
slow.service: { command: "bash -c 'trap \\"\\" TERM; while :; do sleep 0.1; done'" }
keep.service: { command: "sleep 1000" }
`,
      {},
      async ({ run, dir }) => {
        await answering(run);
        await waitRow(run, "slow.service", (r) => r.status === "running");
        // Removing slow takes its stop timeout (it ignores SIGTERM): the first reload is slow.
        await Deno.writeTextFile(
          `${dir}/chaperone.d/test.conf`,
          `settings: { shutdown_timeout: 3 }
keep.service: { command: "sleep 1000" }
`,
        );
        const began = Date.now();
        const first = run.ctl("reload");
        await new Promise((r) => setTimeout(r, 300));
        const status = await run.ctl("status");
        assert.equal(status.code, 0);
        assert.ok(Date.now() - began < 2500, "status answered while the reload waited");
        const second = await run.ctl("reload");
        const firstDone = await first;
        assert.equal(firstDone.code, 0, firstDone.stderr);
        assert.equal(firstDone.stdout, "keep keep.service\nstop slow.service\n");
        assert.equal(second.code, 0, second.stderr);
        assert.equal(second.stdout, "keep keep.service\n", "the second saw the first one's result");
        assert.ok(Date.now() - began >= 2500, "the first reload waited for slow's stop timeout");
      },
    ),
});

Deno.test({
  name: "a reload during a shutdown is refused with a clear error",
  ignore,
  fn: () =>
    withScenario(
      `settings: { shutdown_timeout: 5 }
slow.service: { command: "bash -c 'trap \\"\\" TERM; while :; do sleep 0.1; done'" }
${DEBUG_LOG}`,
      {},
      async ({ run }) => {
        await answering(run);
        await waitRow(run, "slow.service", (r) => r.status === "running");
        assert.equal((await run.ctl("shutdown")).code, 0);
        // The shutdown begins after ctl shutdown's 0.1 s and lasts while slow ignores SIGTERM.
        await run.waitForOutput("slow.service running -> stopping");
        const r = await run.ctl("reload");
        assert.deepEqual([r.code, r.stderr], [
          1,
          "Command error: the system is shutting down: the configuration cannot be reloaded\n",
        ]);
      },
    ),
});
