/**
 * Black-box tests of every process service type (`type` in docs/configuration.md): simple, oneshot,
 * forking with and without a pidfile, and notify driven by Debian's systemd-notify.
 */
import assert from "node:assert/strict";
import { canRunAsPid1, waitFor } from "../_helpers/pid1.ts";
import { assertInOrder, DEBUG_LOG, withScenario } from "./_scenario.ts";

const ignore = !canRunAsPid1;

Deno.test({
  name: "simple service runs until SIGTERM, then the run exits 0",
  ignore,
  fn: () =>
    withScenario(
      `web.service: { command: "bash -c 'echo up >$T/web; exec sleep 60'" }\n${DEBUG_LOG}`,
      {},
      async ({ run, waitForFile }) => {
        await waitForFile("web", /up/);
        await run.waitForOutput("web.service successfully started");
        const ps = await run.exec(["ps", "-eo", "args"]);
        assert.match(ps.stdout, /sleep 60/);
        await run.kill("SIGTERM");
        assert.equal(await run.waitExit(), 0, run.output);
      },
    ),
});

Deno.test({
  name: "oneshot service finishes before its dependent starts, and the run ends by itself",
  ignore,
  fn: () =>
    withScenario(
      `setup.service: { type: oneshot, command: "bash -c 'sleep 0.3; echo setup >>$T/log'" }
main.service: { type: oneshot, after: setup.service, command: "bash -c 'echo main >>$T/log'" }
${DEBUG_LOG}`,
      {},
      async ({ run, read }) => {
        assert.equal(await run.waitExit(), 0, run.output);
        assert.equal(read("log"), "setup\nmain\n");
        assertInOrder(run.stdout, [
          "setup.service successfully started",
          "main.service attempting start",
          "main.service successfully started",
          "Final termination phase",
        ]);
      },
    ),
});

Deno.test({
  name: "forking service with a pidfile attaches the daemon's pid and ends when it exits",
  ignore,
  fn: () =>
    withScenario(
      `d.service: {
  type: forking, pidfile: "$(T)/d.pid",
  command: "daemon --pidfile $(T)/d.pid bash -c 'echo running >$T/daemon; sleep 1.5; echo done >>$T/daemon'",
}
${DEBUG_LOG}`,
      {},
      async ({ run, read, waitForFile }) => {
        await waitForFile("d.pid", /^\d+\n$/);
        const pid = Number(read("d.pid").trim());
        await run.waitForOutput(`d.service changing PID to ${pid}`);
        await run.waitForOutput("d.service successfully started");
        // The launcher has exited; the daemon is an orphan of PID 1 and still running.
        const ps = await run.exec(["ps", "-o", "ppid=", "-p", String(pid)]);
        assert.equal(ps.stdout.trim(), "1", run.output);
        assert.equal(await run.waitExit(), 0, run.output);
        assert.equal(read("daemon"), "running\ndone\n");
        assertInOrder(run.stdout, ["d.service got explicit return code", "Final termination"]);
      },
    ),
});

Deno.test({
  name: "forking service without a pidfile is started when its launcher exits 0",
  ignore,
  fn: () =>
    withScenario(
      `d.service: { type: forking, command: "daemon bash -c 'echo running >$T/daemon; sleep 1; echo done >>$T/daemon'" }
${DEBUG_LOG}`,
      {},
      async ({ run, read }) => {
        await run.waitForOutput("d.service successfully started");
        // The untracked daemon keeps the container alive until it is gone.
        assert.equal(await run.waitExit(), 0, run.output);
        assert.equal(read("daemon"), "running\ndone\n");
        assertInOrder(run.stdout, [
          "d.service successfully started",
          "Caught subprocess termination from unknown pid",
          "Final termination phase",
        ]);
      },
    ),
});

Deno.test({
  name: "forking service whose pidfile never appears fails after process_timeout",
  ignore,
  fn: () =>
    withScenario(
      `d.service: { type: forking, process_timeout: 0.5, pidfile: "$(T)/never.pid", command: "daemon sleep 30" }
${DEBUG_LOG}`,
      {},
      async ({ run }) => {
        assert.equal(await run.waitExit(), 1, run.output);
        assertInOrder(run.stdout, [
          /d\.service did not find pid file '.*never\.pid' before 0\.5sec process_timeout expired/,
          "system startup cancelled",
          "Final termination phase",
        ]);
      },
    ),
});

Deno.test({
  name: "simple service with a pidfile is supervised through the pid it names",
  ignore,
  fn: () =>
    withScenario(
      `s.service: {
  pidfile: "$(T)/s.pid", startup_pause: 0.1,
  command: "bash -c 'daemon --pidfile $T/s.pid $T/job.sh; exec sleep 60'",
}
${DEBUG_LOG}`,
      { files: { "job.sh": "#!/bin/bash\nsleep 1\nexit 4\n" } },
      async ({ run, read, waitForFile }) => {
        await waitForFile("s.pid", /^\d+\n$/);
        await run.waitForOutput(`s.service changing PID to ${read("s.pid").trim()}`);
        await run.waitForOutput("s.service successfully started");
        // The attached pid's exit is the service's exit: a failure, logged with its status.
        await run.waitForOutput("s.service terminated abnormally with <ProcStatus exit_status=4>");
        await run.kill("SIGTERM");
        assert.equal(await run.waitExit(), 0, run.output);
      },
    ),
});

Deno.test({
  name: "forking service fails start-up when its launcher exits non-zero",
  ignore,
  fn: () =>
    withScenario(
      `d.service: { type: forking, command: "daemon --exit 3 bash -c 'sleep 30'" }\n${DEBUG_LOG}`,
      {},
      async ({ run }) => {
        assert.equal(await run.waitExit(), 1, run.output);
        assertInOrder(run.stdout, [
          "d.service failed on start-up with result '<ProcStatus exit_status=3>'",
          "system startup cancelled",
          "Final termination phase",
        ]);
      },
    ),
});

Deno.test({
  name: "notify service becomes ready on systemd-notify --ready and its dependent waits for it",
  ignore,
  fn: () =>
    withScenario(
      `n.service: {
  type: notify,
  command: "bash -c 'sleep 0.8; echo notifying >>$T/log; systemd-notify --ready --status=all-good; exec sleep 60'",
}
after.service: { type: oneshot, after: n.service, command: "bash -c 'echo dependent >>$T/log'" }
${DEBUG_LOG}`,
      {},
      async ({ run, waitForFile }) => {
        assert.equal(await waitForFile("log", /dependent/), "notifying\ndependent\n");
        await run.waitForOutput("all services started");
        const status = await run.ctl("status");
        assert.match(status.stdout, /all-good/, status.stdout + status.stderr);
        await run.kill("SIGTERM");
        assert.equal(await run.waitExit(), 0, run.output);
        assertInOrder(run.stdout, ["n.service successfully started", "after.service attempting"]);
      },
    ),
});

Deno.test({
  name: "notify service with MAINPID= is supervised through the attached pid",
  ignore,
  fn: () =>
    withScenario(
      `n.service: {
  type: notify,
  command: "daemon bash -c 'echo $$ >$T/main; systemd-notify --ready --pid=$$; sleep 1'",
}
${DEBUG_LOG}`,
      {},
      async ({ run, read }) => {
        assert.equal(await run.waitExit(), 0, run.output);
        const main = read("main").trim();
        assertInOrder(run.stdout, [
          `n.service changing PID to ${main}`,
          "n.service successfully started",
          "n.service got explicit return code",
          "Final termination phase",
        ]);
      },
    ),
});

Deno.test({
  name: "notify service that never notifies fails after process_timeout",
  ignore,
  fn: () =>
    withScenario(
      `n.service: { type: notify, process_timeout: 1, command: "sleep 60" }\n${DEBUG_LOG}`,
      {},
      async ({ run }) => {
        const began = Date.now();
        assert.equal(await run.waitExit(), 1, run.output);
        assert.ok(Date.now() - began < 8000, "timed out promptly");
        assertInOrder(run.stdout, [
          "notify service 'n.service' did not receive ready notification after 1 second(s)",
          "system startup cancelled",
          "Final termination phase",
        ]);
        // The process that never answered was terminated, not left behind.
        assert.doesNotMatch(run.stdout, /Some processes remain/);
      },
    ),
});

Deno.test({
  name: "notify service reporting ERRNO= fails start-up with that number",
  ignore,
  fn: () =>
    withScenario(
      `n.service: { type: notify, command: "bash -c 'systemd-notify ERRNO=55; exec sleep 60'" }\n${DEBUG_LOG}`,
      {},
      async ({ run }) => {
        assert.equal(await run.waitExit(), 1, run.output);
        assertInOrder(run.stdout, [
          "n.service failed with reported error <ProcStatus exit_status=55>",
          "system startup cancelled",
        ]);
      },
    ),
});

Deno.test({
  name: "notify service exposes NOTIFY_SOCKET only to itself",
  ignore,
  fn: () =>
    withScenario(
      `n.service: { type: notify, command: "bash -c 'echo $NOTIFY_SOCKET >$T/n; systemd-notify --ready; exec sleep 60'" }
s.service: { type: oneshot, command: "bash -c 'echo x$NOTIFY_SOCKET >$T/s'" }
`,
      {},
      async ({ run, read, waitForFile }) => {
        await waitForFile("s", /x/);
        await waitForFile("n", /./);
        assert.equal(read("s"), "x\n");
        const path = read("n").trim();
        assert.ok(path.length > 0);
        await waitFor(async () =>
          (await run.ctl("status")).stdout.includes("running") || undefined
        );
        await run.kill("SIGTERM");
        assert.equal(await run.waitExit(), 0, run.output);
      },
    ),
});
