/**
 * Black-box: the query commands of `chaperone ctl` (status, status --json, dependencies,
 * health, loglevel) against the real program as PID 1, with exact reply texts and exit codes.
 */
import assert from "node:assert/strict";
import denoJson from "../../deno.json" with { type: "json" };
import { canRunAsPid1 } from "../_helpers/pid1.ts";
import { assertCtl, statusRows, waitRow, withChaperone } from "./ctl_helpers.ts";

const CONFIG = `
web.service: { command: "sleep 1000", restart: false }
once.service: { type: oneshot, command: "true" }
off.service: { command: "sleep 1000", enabled: false }
later.service: { command: "sleep 1000", after: web.service }
`;

Deno.test({
  name: "ctl status prints the header and the sorted table when services run",
  ignore: !canRunAsPid1,
  fn: () =>
    withChaperone(CONFIG, async (p) => {
      const web = await waitRow(p, "web.service", (r) => r.status === "running");
      const later = await waitRow(p, "later.service", (r) => r.status === "running");
      const console = await waitRow(p, "CONSOLE", (r) => r.status === "running");
      const once = await waitRow(p, "once.service", (r) => r.status === "started");
      assert.equal(once.pid, null, "the JSON pid is a live one");
      assert.ok(typeof once.lastPid === "number" && once.lastPid > 1);
      const r = await p.ctl("status");
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stderr, "");
      const m = r.stdout.match(
        /^\nRunning: {11}chaperone version (\S+)\nUptime: {12}(\d+:\d\d:\d\d(?:\.\d{6})?)\nManaged processes: 5 \(4 enabled\)\n\nServices:\n\n([\s\S]*)\n$/,
      );
      assert.ok(m, `unexpected status text:\n${r.stdout}`);
      assert.equal(m[1], denoJson.version);
      // The table keeps the last pid of a service that ended, as the original's did.
      const pids = [String(console.pid), String(later.pid), String(web.pid), String(once.lastPid)];
      const w = Math.max(3, ...pids.map((s) => s.length));
      const row = (pid: string, name: string, enabled: string, status: string) =>
        `${pid.padEnd(w)}  ${name.padEnd(13)}  ${enabled.padEnd(7)}  ${status.padEnd(8)}  -   `;
      assert.equal(
        m[3],
        [
          `${"pid".padEnd(w)}  name           enabled  status    note`,
          `${"-".repeat(w)}  -------------  -------  --------  ----`,
          row(pids[0]!, "CONSOLE", "true", "running"),
          row(pids[1]!, "later.service", "true", "running"),
          row("-", "off.service", "false", "disabled"),
          row(pids[3]!, "once.service", "true", "started"),
          row(pids[2]!, "web.service", "true", "running"),
        ].join("\n"),
      );
    }, { command: ["sleep", "1000"] }),
});

Deno.test({
  name: "ctl status --json prints one object per service with every field",
  ignore: !canRunAsPid1,
  fn: () =>
    withChaperone(CONFIG, async (p) => {
      const web = await waitRow(p, "web.service", (r) => r.status === "running");
      assert.ok(typeof web.pid === "number" && web.pid > 1);
      assert.deepEqual(web, {
        name: "web.service",
        type: "simple",
        state: "running",
        status: "running",
        pid: web.pid,
        lastPid: web.pid,
        enabled: true,
        restarts: 0,
        lastExit: null,
        note: null,
        nextRun: null,
        ready: true,
        alive: true,
        probe: null,
      });
      const rows = await statusRows(p);
      assert.deepEqual([...rows.keys()], [
        "later.service",
        "off.service",
        "once.service",
        "web.service",
      ]);
      const once = rows.get("once.service");
      assert.ok(typeof once?.lastPid === "number");
      assert.deepEqual(once, {
        name: "once.service",
        type: "oneshot",
        state: "finished",
        status: "started",
        pid: null,
        lastPid: once.lastPid,
        enabled: true,
        restarts: 0,
        lastExit: "exit(0)",
        note: null,
        nextRun: null,
        ready: true,
        alive: true,
        probe: null,
      });
      assert.equal(rows.get("off.service")?.status, "disabled");
      assert.equal(rows.get("off.service")?.enabled, false);
    }),
});

Deno.test({
  name: "ctl status --json reports a cron service's interval and next run",
  ignore: !canRunAsPid1,
  fn: () =>
    withChaperone(
      `tick.service: { type: cron, interval: "@daily", command: "true" }\n`,
      async (p) => {
        const tick = await waitRow(p, "tick.service", (r) => r.status === "waiting");
        assert.equal(tick.type, "cron");
        assert.equal(tick.state, "scheduled");
        assert.match(tick.note ?? "", /^@daily/);
        assert.ok(tick.nextRun !== null && Date.parse(tick.nextRun) > Date.now());
      },
    ),
});

Deno.test({
  name: "ctl dependencies prints the graph of the services",
  ignore: !canRunAsPid1,
  fn: () =>
    withChaperone(CONFIG, async (p) => {
      const r = await p.ctl("dependencies");
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stderr, "");
      const lines = r.stdout.split("\n");
      assert.deepEqual(lines[0]!.trim().split(/ \| /).sort(), ["later", "off", "once", "web"]);
      assert.ok(lines.some((l) => /^-+> depends on\.\.\.$/.test(l)), r.stdout);
      assert.ok(lines.some((l) => /^later +\| web$/.test(l)), r.stdout);
      assert.ok(lines.some((l) => /^web +\| $/.test(l)), r.stdout);
    }),
});

Deno.test({
  name: "ctl health exits 0 when all is good and 1 naming the bad services",
  ignore: !canRunAsPid1,
  fn: () =>
    withChaperone(CONFIG, async (p) => {
      const web = await waitRow(p, "web.service", (r) => r.status === "running");
      await waitRow(p, "later.service", (r) => r.status === "running");
      assertCtl(await p.ctl("health"), 0, "healthy (ready): every enabled service is ready\n");
      // The service crashes: restart is off, so it stays down.
      await p.exec(["kill", "-KILL", String(web.pid)]);
      await waitRow(p, "web.service", (r) => r.status === "SIGKILL");
      assertCtl(await p.ctl("health"), 1, "unhealthy (ready):\n  web.service: failed, SIGKILL\n");
      assertCtl(
        await p.ctl("health", "--level", "alive"),
        1,
        "unhealthy (alive):\n  web.service: failed, SIGKILL\n",
      );
      // A disabled service does not count.
      assertCtl(await p.ctl("disable", "web"), 0, "services disabled.\n");
      assertCtl(await p.ctl("health"), 0, "healthy (ready): every enabled service is ready\n");
    }),
});

Deno.test({
  name: "ctl loglevel reports, sets and rejects levels",
  ignore: !canRunAsPid1,
  fn: () =>
    withChaperone(CONFIG, async (p) => {
      assertCtl(await p.ctl("loglevel"), 0, "Forced Logging Level: NOT SET\n");
      assertCtl(
        await p.ctl("loglevel", "debug"),
        0,
        "All logging set to include priorities >= *.debug\n",
      );
      assertCtl(await p.ctl("loglevel"), 0, "*.debug\n");
      assertCtl(
        await p.ctl("loglevel", "*.WARNING"),
        0,
        "All logging set to include priorities >= *.warning\n",
      );
      assertCtl(await p.ctl("loglevel"), 0, "*.warn\n");
      assertCtl(
        await p.ctl("loglevel", "emerg"),
        0,
        "All logging set to include priorities >= *.emerg\n",
      );
      const bad = await p.ctl("loglevel", "loud");
      assert.equal(bad.code, 1);
      assert.equal(bad.stdout, "");
      assert.match(bad.stderr, /^chaperone ctl: Not a valid log level: loud\n/);
    }),
});

/** Two long-running services and Chaperone's info (and worse) lines on stdout. */
const INFO_CONFIG = `web.service: { command: "sleep 1000" }
keep.service: { command: "sleep 1000" }
default.logging: { selector: "*.info", stdout: true }
`;

Deno.test({
  name: "ctl loglevel debug lets debug records through when the logging section asks for info",
  ignore: !canRunAsPid1,
  fn: () =>
    withChaperone(
      INFO_CONFIG,
      async (p) => {
        await waitRow(p, "web.service", (r) => r.status === "running");
        assert.doesNotMatch(p.stdout, /attempting start/);
        assertCtl(
          await p.ctl("loglevel", "debug"),
          0,
          "All logging set to include priorities >= *.debug\n",
        );
        assertCtl(await p.ctl("restart", "--wait", "web"), 0, "services restarted.\n");
        await p.waitForOutput("web.service attempting start");
      },
    ),
});

Deno.test({
  name: "ctl loglevel err also stops Chaperone generating its own info lines",
  ignore: !canRunAsPid1,
  fn: () =>
    withChaperone(
      INFO_CONFIG,
      async (p) => {
        await waitRow(p, "web.service", (r) => r.status === "running");
        assertCtl(
          await p.ctl("loglevel", "err"),
          0,
          "All logging set to include priorities >= *.err\n",
        );
        const mark = p.stdout.length;
        assertCtl(await p.ctl("stop", "--wait", "web"), 0, "services stopped.\n");
        await p.ctl("start", "--wait", "web");
        // A stopped process's exit status is an info line.
        assert.doesNotMatch(p.stdout.slice(mark), /web\.service exit status for pid=/);
        assertCtl(
          await p.ctl("loglevel", "info"),
          0,
          "All logging set to include priorities >= *.info\n",
        );
        const mark2 = p.stdout.length;
        assertCtl(await p.ctl("stop", "--wait", "web"), 0, "services stopped.\n");
        await p.waitForOutput(/web\.service exit status for pid=\d+/);
        assert.match(p.stdout.slice(mark2), /web\.service exit status for pid=/);
      },
    ),
});
