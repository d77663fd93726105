/**
 * Black-box: the commands of `chaperone ctl` that change services (start, stop, reset, restart,
 * enable, disable) with each option and error text, against the real program as PID 1.
 */
import assert from "node:assert/strict";
import { canRunAsPid1, waitFor } from "../_helpers/pid1.ts";
import {
  aliveInside,
  assertCtl,
  DEBUG_LOGGING,
  statusRows,
  waitRow,
  withChaperone,
} from "./ctl_helpers.ts";

// keep.service holds the system up when a test stops everything else (detect_exit).
const CONFIG = `
web.service: { command: "sleep 1000" }
keep.service: { command: "sleep 1000" }
once.service: { type: oneshot, command: "sh -c 'echo run >>@DIR@/once.count'" }
off.service: { command: "sleep 1000", enabled: false }
ghost.service: { command: "/nonexistent/ghost", enabled: false }
fails.service: { command: "sh -c 'exit 7'", enabled: false, restart: false }
${DEBUG_LOGGING}`;

const running = (r: { status: string }) => r.status === "running";
const stopped = (r: { state: string; pid: number | null }) => r.state === "idle" && r.pid === null;
const commandError = (text: string) => ({
  code: 1,
  stdout: "",
  stderr: `Command error: ${text}\n`,
});

Deno.test({
  name: "ctl stop and start move a service between stopped and running, with their errors",
  ignore: !canRunAsPid1,
  fn: () =>
    withChaperone(CONFIG, async (p) => {
      const web = await waitRow(p, "web.service", running);
      assertCtl(await p.ctl("stop", "web"), 0, "services stopping.\n");
      await waitRow(p, "web.service", stopped);
      assert.equal(await aliveInside(p, web.pid!), false);
      assert.deepEqual(
        await p.ctl("stop", "web"),
        commandError("can't stop services which aren't started: web"),
      );
      assertCtl(await p.ctl("stop", "--force", "web"), 0, "services stopping.\n");

      assertCtl(await p.ctl("start", "web"), 0, "service start-up queued.\n");
      const again = await waitRow(p, "web.service", running);
      assert.notEqual(again.pid, web.pid);
      assert.deepEqual(
        await p.ctl("start", "web.service"),
        commandError("can't restart services without stop/reset: web"),
      );
      // --force resets what already runs, then starts it afresh.
      assertCtl(await p.ctl("start", "--force", "--wait", "web"), 0, "services started.\n");
      const forced = (await statusRows(p)).get("web.service")!;
      assert.equal(forced.status, "running");
      assert.notEqual(forced.pid, again.pid);
      assert.equal(await aliveInside(p, again.pid!), false);

      // --wait replies once the work is done: no polling needed afterwards.
      assertCtl(await p.ctl("stop", "--wait", "web.service"), 0, "services stopped.\n");
      assert.ok(stopped((await statusRows(p)).get("web.service")!));
      assert.equal(await aliveInside(p, forced.pid!), false);
      assertCtl(await p.ctl("start", "--wait", "web"), 0, "services started.\n");
      assert.equal((await statusRows(p)).get("web.service")!.status, "running");
    }),
});

Deno.test({
  name: "ctl reset refuses a running service unless forced and lets a finished oneshot run again",
  ignore: !canRunAsPid1,
  fn: () =>
    withChaperone(CONFIG, async (p, dir) => {
      await waitRow(p, "web.service", running);
      assert.deepEqual(
        await p.ctl("reset", "web"),
        commandError("can't reset services which are running: web"),
      );
      assertCtl(await p.ctl("reset", "--force", "--wait", "web"), 0, "services reset.\n");
      assert.ok(stopped((await statusRows(p)).get("web.service")!));

      await waitRow(p, "once.service", (r) => r.status === "started");
      assert.deepEqual(
        await p.ctl("start", "once"),
        commandError("can't restart services without stop/reset: once"),
      );
      assertCtl(await p.ctl("reset", "once"), 0, "services reset.\n");
      assertCtl(await p.ctl("start", "--wait", "once"), 0, "services started.\n");
      assert.equal(await Deno.readTextFile(`${dir}/once.count`), "run\nrun\n");
    }),
});

Deno.test({
  name: "ctl restart stops then starts a service and reruns a finished oneshot",
  ignore: !canRunAsPid1,
  fn: () =>
    withChaperone(CONFIG, async (p, dir) => {
      const web = await waitRow(p, "web.service", running);
      assertCtl(await p.ctl("restart", "--wait", "web"), 0, "services restarted.\n");
      const after = (await statusRows(p)).get("web.service")!;
      assert.equal(after.status, "running");
      assert.notEqual(after.pid, web.pid);
      assert.equal(await aliveInside(p, web.pid!), false);

      await waitRow(p, "once.service", (r) => r.status === "started");
      assertCtl(await p.ctl("restart", "once.service"), 0, "services restarting.\n");
      await waitFor(async () => {
        const text = await Deno.readTextFile(`${dir}/once.count`);
        return text === "run\nrun\n" ? true : undefined;
      }, { what: "the oneshot to run a second time", detail: () => p.output });

      assert.deepEqual(
        await p.ctl("restart", "off"),
        commandError("can only start services which have been enabled: off"),
      );
      const usage = await p.ctl("restart");
      assert.equal(usage.code, 1);
      assert.match(usage.stderr, /^chaperone ctl: "restart" needs at least one service name\n/);
    }),
});

Deno.test({
  name: "ctl start --enable and stop --disable change whether a service is enabled",
  ignore: !canRunAsPid1,
  fn: () =>
    withChaperone(CONFIG, async (p) => {
      assert.deepEqual(
        await p.ctl("start", "off"),
        commandError("can only start services which have been enabled: off"),
      );
      assertCtl(await p.ctl("start", "--enable", "--wait", "off"), 0, "services started.\n");
      let off = (await statusRows(p)).get("off.service")!;
      assert.equal(off.enabled, true);
      assert.equal(off.status, "running");
      assertCtl(await p.ctl("stop", "--disable", "--wait", "off"), 0, "services stopped.\n");
      off = (await statusRows(p)).get("off.service")!;
      assert.equal(off.enabled, false);
      assert.equal(off.status, "disabled");
      assert.equal(off.pid, null);
      // Abbreviated options, as the original's docopt allowed.
      assertCtl(await p.ctl("start", "--en", "--w", "off"), 0, "services started.\n");
      assert.equal((await statusRows(p)).get("off.service")!.status, "running");
    }),
});

Deno.test({
  name: "ctl enable and disable set the flag, leave processes running, and keep enabled enabled",
  ignore: !canRunAsPid1,
  fn: () =>
    withChaperone(CONFIG, async (p) => {
      const web = await waitRow(p, "web.service", running);
      assertCtl(await p.ctl("disable", "web"), 0, "services disabled.\n");
      let row = (await statusRows(p)).get("web.service")!;
      assert.equal(row.enabled, false);
      assert.equal(row.pid, web.pid);
      assert.equal(await aliveInside(p, web.pid!), true);
      assertCtl(await p.ctl("enable", "web"), 0, "services enabled.\n");
      // Decision 2: enabling an enabled service leaves it enabled (the original toggled it).
      assertCtl(await p.ctl("enable", "web.service"), 0, "services enabled.\n");
      row = (await statusRows(p)).get("web.service")!;
      assert.equal(row.enabled, true);
      assertCtl(await p.ctl("enable", "off", "web"), 0, "services enabled.\n");
      assert.equal((await statusRows(p)).get("off.service")!.enabled, true);
      assertCtl(await p.ctl("disable", "off"), 0, "services disabled.\n");
      assert.equal((await statusRows(p)).get("off.service")!.enabled, false);

      const ghost = await p.ctl("enable", "ghost");
      assert.equal(ghost.code, 1);
      assert.match(ghost.stderr, /^Command error: .*\/nonexistent\/ghost/);
      assert.equal((await statusRows(p)).get("ghost.service")!.enabled, false);
    }),
});

Deno.test({
  name: "ctl reports unknown names, accepts an empty list and reports a failed start with --wait",
  ignore: !canRunAsPid1,
  fn: () =>
    withChaperone(CONFIG, async (p) => {
      await waitRow(p, "web.service", running);
      assert.deepEqual(await p.ctl("stop", "nosuch"), commandError("no such service: nosuch"));
      assert.deepEqual(
        await p.ctl("start", "web", "nosuch.service"),
        commandError("no such service: nosuch.service"),
      );
      assert.equal((await statusRows(p)).get("web.service")!.status, "running");
      for (const cmd of ["stop", "start", "reset", "enable", "disable"]) {
        const r = await p.ctl(cmd);
        assert.equal(r.code, 0, `${cmd}: ${r.stderr}`);
      }
      const failed = await p.ctl("start", "--enable", "--wait", "fails");
      assert.equal(failed.code, 1);
      assert.deepEqual(
        failed,
        commandError(
          "start failed: fails: fails.service failed on start-up with result '<ProcStatus exit_status=7>'",
        ),
      );
      const bad = await p.ctl("stop", "--bogus", "web");
      assert.equal(bad.code, 1);
      assert.match(bad.stderr, /^chaperone ctl: "stop" does not accept the option "--bogus"\n/);
    }),
});

Deno.test({
  name: "ctl controls CONSOLE, the command-line command, like a service",
  ignore: !canRunAsPid1,
  fn: () =>
    withChaperone(CONFIG, async (p) => {
      const console = await waitRow(p, "CONSOLE", running);
      assertCtl(await p.ctl("stop", "--wait", "CONSOLE"), 0, "services stopped.\n");
      assert.equal(await aliveInside(p, console.pid!), false);
      // A stopped service is no longer "started": start needs no reset.
      assertCtl(await p.ctl("start", "--wait", "CONSOLE"), 0, "services started.\n");
      const second = (await statusRows(p)).get("CONSOLE")!;
      assert.notEqual(second.pid, console.pid);
      assert.deepEqual(
        await p.ctl("start", "CONSOLE"),
        commandError("can't restart services without stop/reset: CONSOLE"),
      );
      assert.deepEqual(
        await p.ctl("reset", "CONSOLE"),
        commandError("can't reset services which are running: CONSOLE"),
      );
      assertCtl(await p.ctl("reset", "--force", "--wait", "CONSOLE"), 0, "services reset.\n");
      assertCtl(await p.ctl("start", "--wait", "CONSOLE"), 0, "services started.\n");
      const again = (await statusRows(p)).get("CONSOLE")!;
      assert.equal(again.status, "running");
      assert.notEqual(again.pid, second.pid);
    }, { command: ["sleep", "1000"] }),
});

Deno.test({
  name: "the FIFO /dev/chaperone runs commands written into it and logs the ones it refuses",
  ignore: !canRunAsPid1,
  fn: () =>
    withChaperone(CONFIG, async (p) => {
      const web = await waitRow(p, "web.service", running);
      const fifo = (line: string) => p.exec(["sh", "-c", `echo "${line}" >/dev/chaperone`]);
      assert.equal((await fifo("stop --disable web")).code, 0);
      await waitRow(p, "web.service", (r) => stopped(r) && !r.enabled);
      assert.equal(await aliveInside(p, web.pid!), false);
      await fifo("start --enable --wait web.service");
      await waitRow(p, "web.service", (r) => running(r) && r.enabled);
      await fifo("status");
      await p.waitForOutput(`/dev/chaperone: "status" needs a reply; use "chaperone ctl status"`);
      await fifo("frobnicate web");
      await p.waitForOutput(/\/dev\/chaperone: command "frobnicate web" rejected/);
      await fifo("stop nosuch");
      await p.waitForOutput(/\/dev\/chaperone: command "stop nosuch" failed: no such service/);
      assert.equal((await statusRows(p)).get("web.service")!.status, "running");
    }),
});
