/**
 * Black-box tests of the service directives (docs/configuration.md; Decisions 5 and 10 in
 * docs/migration.md).
 */
import assert from "node:assert/strict";
import { canRunAsPid1 } from "../_helpers/pid1.ts";
import { assertInOrder, DEBUG_LOG, withScenario } from "./_scenario.ts";

const ignore = !canRunAsPid1;

Deno.test({
  name: "startup_pause: a simple service failing within the pause fails start-up",
  ignore,
  fn: () =>
    withScenario(
      `s.service: { startup_pause: 2, command: "bash -c 'sleep 0.3; exit 3'" }\n${DEBUG_LOG}`,
      {},
      async ({ run }) => {
        assert.equal(await run.waitExit(), 1, run.output);
        assertInOrder(run.stdout, [
          "s.service failed on start-up with result '<ProcStatus exit_status=3>'",
          "system startup cancelled",
        ]);
      },
    ),
});

Deno.test({
  name: "startup_pause: a simple service failing after the pause is a service failure only",
  ignore,
  fn: () =>
    withScenario(
      `s.service: { startup_pause: 0.1, command: "bash -c 'sleep 0.8; exit 3'" }
t.service: { type: oneshot, after: s.service, command: "bash -c 'echo t >$T/t'" }
${DEBUG_LOG}`,
      {},
      async ({ run, read }) => {
        assert.equal(await run.waitExit(), 0, run.output);
        assert.equal(read("t"), "t\n");
        assertInOrder(run.stdout, [
          "s.service successfully started",
          "s.service terminated abnormally with <ProcStatus exit_status=3>",
          "Final termination phase",
        ]);
        assert.doesNotMatch(run.stdout, /system startup cancelled/);
      },
    ),
});

Deno.test({
  name: "process_timeout: a oneshot that overstays is terminated and fails start-up",
  ignore,
  fn: () =>
    withScenario(
      `o.service: { type: oneshot, process_timeout: 0.5, command: "sleep 60" }\n${DEBUG_LOG}`,
      {},
      async ({ run }) => {
        const began = Date.now();
        assert.equal(await run.waitExit(), 1, run.output);
        assert.ok(Date.now() - began < 6000, `took ${Date.now() - began} ms`);
        assert.match(run.stdout, /oneshot service 'o\.service' did not exit after 0\.5 second/);
      },
    ),
});

Deno.test({
  name: "enabled: an expansion decides which services run",
  ignore,
  fn: () =>
    withScenario(
      `a.service: { type: oneshot, enabled: "$(A_ON:-false)", command: "bash -c 'echo a >>$T/ran'" }
b.service: { type: oneshot, enabled: "$(B_ON:-false)", command: "bash -c 'echo b >>$T/ran'" }
c.service: { type: oneshot, enabled: false, command: "bash -c 'echo c >>$T/ran'" }
${DEBUG_LOG}`,
      { env: { A_ON: "yes" } },
      async ({ run, read }) => {
        assert.equal(await run.waitExit(), 0, run.output);
        assert.equal(read("ran"), "a\n");
        assert.match(run.stdout, /service b\.service not enabled/);
        assert.match(run.stdout, /service c\.service not enabled/);
      },
    ),
});

Deno.test({
  name: "optional: a service whose program is missing is disabled, the rest runs",
  ignore,
  fn: () =>
    withScenario(
      `gone.service: { optional: true, command: "/nonexistent/program --flag" }
here.service: { type: oneshot, command: "bash -c 'echo here >$T/here'" }
${DEBUG_LOG}`,
      {},
      async ({ run, read }) => {
        assert.equal(await run.waitExit(), 0, run.output);
        assert.equal(read("here"), "here\n");
        assert.match(
          run.stdout,
          /optional service gone\.service disabled since '\/nonexistent\/program' is not present/,
        );
      },
    ),
});

Deno.test({
  name: "a missing program without optional fails start-up naming the service",
  ignore,
  fn: () =>
    withScenario(
      `gone.service: { command: "/nonexistent/program" }\n${DEBUG_LOG}`,
      {},
      async ({ run }) => {
        assert.equal(await run.waitExit(), 1, run.output);
        assert.match(run.stdout, /system startup cancelled due to error: .*nonexistent\/program/);
      },
    ),
});

Deno.test({
  name: "ignore_failures: a failing oneshot does not stop its dependent",
  ignore,
  fn: () =>
    withScenario(
      `bad.service: { type: oneshot, ignore_failures: true, command: "bash -c 'exit 4'" }
next.service: { type: oneshot, after: bad.service, command: "bash -c 'echo next >$T/next'" }
${DEBUG_LOG}`,
      {},
      async ({ run, read }) => {
        assert.equal(await run.waitExit(), 0, run.output);
        assert.equal(read("next"), "next\n");
        assert.match(run.stdout, /bad\.service ignoring failures/);
      },
    ),
});

Deno.test({
  name: "restart: restart_limit bounds the retries and restart_delay (fractional) spaces them",
  ignore,
  fn: () =>
    withScenario(
      `r.service: {
  restart: true, restart_limit: 2, restart_delay: 0.6, startup_pause: 0.1,
  command: "bash -c 'date +%s.%N >>$T/runs; sleep 0.3; exit 5'",
}
${DEBUG_LOG}`,
      {},
      async ({ run, read }) => {
        assert.equal(await run.waitExit(), 0, run.output);
        const runs = read("runs").trim().split("\n").map(Number);
        assert.equal(runs.length, 3, `runs: ${runs.join(", ")}\n${run.output}`);
        for (let i = 1; i < runs.length; i++) {
          const gap = runs[i]! - runs[i - 1]!;
          // 0.3 s of running plus the 0.6 s delay.
          assert.ok(gap >= 0.85 && gap < 3, `gap ${gap}`);
        }
        assertInOrder(run.stdout, [
          "r.service pausing between restart retries (1 left)",
          "r.service pausing between restart retries (0 left)",
          "r.service terminated abnormally with <ProcStatus exit_status=5>",
          "r.service restart limit reached after 3 failed runs; giving up",
          "Final termination phase",
        ]);
      },
    ),
});

Deno.test({
  name: "exit_kills: the exit of a service ends the system with its exit code",
  ignore,
  fn: () =>
    withScenario(
      `keeper.service: { command: "bash -c 'echo up >$T/keeper; exec sleep 60'" }
killer.service: { exit_kills: true, after: keeper.service, command: "bash -c 'sleep 0.8; exit 7'" }
${DEBUG_LOG}`,
      {},
      async ({ run, waitForFile }) => {
        await waitForFile("keeper", /up/);
        const began = Date.now();
        assert.equal(await run.waitExit(), 7, run.output);
        assert.ok(Date.now() - began < 5000, `took ${Date.now() - began} ms`);
        assertInOrder(run.stdout, [
          "system will be killed when",
          "Request made to kill system.",
          "Final termination phase",
        ]);
        assert.doesNotMatch(run.stdout, /Forcing kill/);
      },
    ),
});

Deno.test({
  name: "kill_signal: a service that only dies on SIGUSR1 is stopped with it",
  ignore,
  fn: () =>
    withScenario(
      `settings: { shutdown_timeout: 20 }
k.service: {
  kill_signal: SIGUSR1,
  command: "bash -c 'trap \\"\\" TERM; trap \\"echo usr1 >$T/k; exit 0\\" USR1; echo up >$T/up; while :; do sleep 0.1; done'",
}
${DEBUG_LOG}`,
      {},
      async ({ run, read, waitForFile }) => {
        await waitForFile("up", /up/);
        await run.waitForOutput("all services started");
        const began = Date.now();
        await run.kill("SIGTERM");
        assert.equal(await run.waitExit(), 0, run.output);
        assert.ok(Date.now() - began < 5000, `took ${Date.now() - began} ms`);
        assert.equal(read("k"), "usr1\n");
        assert.doesNotMatch(run.stdout, /Forcing kill/);
      },
    ),
});

Deno.test({
  name: "uid/gid and directory: the service runs as nobody in the given directory",
  ignore,
  fn: () =>
    withScenario(
      `who.service: {
  type: oneshot, uid: nobody, directory: "$(T)",
  command: "bash -c 'id -u >$T/uid; id -g >$T/gid; id -G >$T/groups; pwd >$T/cwd; echo $USER $HOME >$T/user'",
}
${DEBUG_LOG}`,
      {},
      async ({ run, read, dir }) => {
        assert.equal(await run.waitExit(), 0, run.output);
        const nobody = Deno.readTextFileSync("/etc/passwd").split("\n")
          .find((l) => l.startsWith("nobody:"))!.split(":");
        assert.equal(read("uid").trim(), nobody[2]);
        assert.equal(read("gid").trim(), nobody[3]);
        // Root's supplementary groups are dropped (Decision 5).
        assert.equal(read("groups").trim(), nobody[3]);
        assert.equal(read("cwd").trim(), dir);
        assert.equal(read("user").trim(), `nobody ${nobody[5]}`);
      },
    ),
});

Deno.test({
  name: "uid: a user whose home does not exist runs in chaperone's directory, as the original",
  ignore,
  fn: () =>
    withScenario(
      `who.service: { type: oneshot, uid: nobody, command: "bash -c 'id -u >$T/uid; pwd >$T/cwd'" }\n`,
      {},
      async ({ run, read }) => {
        assert.equal(await run.waitExit(), 0, run.output);
        assert.equal(
          read("uid").trim(),
          String(Deno.readTextFileSync("/etc/passwd").match(/^nobody:x:(\d+):/m)![1]),
        );
        // nobody's home is /nonexistent; the PID 1 helper runs chaperone in /.
        assert.equal(read("cwd").trim(), "/");
      },
    ),
});

Deno.test({
  name: "directory: a service without a user runs in the given directory",
  ignore,
  fn: () =>
    withScenario(
      `w.service: { type: oneshot, directory: "$(T)/sub", command: "bash -c 'pwd >$T/cwd'" }\n`,
      { files: { "sub/.keep": "" } },
      async ({ run, read, dir }) => {
        assert.equal(await run.waitExit(), 0, run.output);
        assert.equal(read("cwd").trim(), `${dir}/sub`);
      },
    ),
});

Deno.test({
  name: "env_set and env_unset shape the service environment",
  ignore,
  fn: () =>
    withScenario(
      `settings: { env_set: { FOO: bar, LAYER: settings } }
e.service: {
  type: oneshot,
  env_set: { BAZ: "$(FOO)-x", LAYER: service, SVC: "$(_CHAP_SERVICE)" },
  env_unset: [ "DROP*" ],
  command: "bash -c 'env >$T/env'",
}
`,
      { env: { DROPME: "1", DROPTOO: "2", KEEPME: "3" } },
      async ({ run, read }) => {
        assert.equal(await run.waitExit(), 0, run.output);
        const env = new Map(
          read("env").trim().split("\n").map((
            l,
          ) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
        );
        assert.equal(env.get("FOO"), "bar");
        assert.equal(env.get("BAZ"), "bar-x");
        assert.equal(env.get("LAYER"), "service");
        assert.equal(env.get("KEEPME"), "3");
        // _CHAP_* variables are only visible to templates, never exported (docs/environment.md).
        assert.equal(env.get("SVC"), "e.service");
        assert.equal(env.has("_CHAP_SERVICE"), false);
        assert.equal(env.has("DROPME"), false);
        assert.equal(env.has("DROPTOO"), false);
      },
    ),
});

Deno.test({
  name: "stdout/stderr: log turns lines into tagged records, inherit passes them through",
  ignore,
  fn: () =>
    withScenario(
      `logged.service: { type: oneshot, command: "bash -c 'echo to-log-out; echo to-log-err >&2'" }
raw.service: {
  type: oneshot, stdout: inherit, stderr: inherit, after: logged.service,
  command: "bash -c 'echo raw-out; echo raw-err >&2'",
}
${DEBUG_LOG}`,
      {},
      async ({ run }) => {
        assert.equal(await run.waitExit(), 0, run.output);
        assert.match(run.stdout, /logged\[\d+\]: to-log-out/);
        assert.match(run.stdout, /logged\[\d+\]: to-log-err/);
        assert.match(run.stdout, /^raw-out$/m);
        assert.match(run.stderr, /^raw-err$/m);
        assert.doesNotMatch(run.stdout, /\]: raw-out/);
      },
    ),
});

Deno.test({
  name: "optional: a program that exists but is not executable is still an error",
  ignore,
  fn: () =>
    withScenario(
      `bad.service: { optional: true, command: "$(T)/not-executable" }\n`,
      { files: { "not-executable": "#!/bin/sh\necho hi\n" } },
      async ({ run }) => {
        assert.equal(await run.waitExit(), 1, run.output);
        // Without a logging section Chaperone's messages reach stdout too (Decision 19).
        assert.match(run.output, /system startup cancelled due to error: .*not-executable/);
      },
    ),
});

Deno.test({
  name: "after: a disabled prerequisite counts as satisfied",
  ignore,
  fn: () =>
    withScenario(
      `off.service: { type: oneshot, enabled: false, command: "bash -c 'echo off >>$T/log'" }
on.service: { type: oneshot, after: off.service, command: "bash -c 'echo on >>$T/log'" }
`,
      {},
      async ({ run, read }) => {
        assert.equal(await run.waitExit(), 0, run.output);
        assert.equal(read("log"), "on\n");
      },
    ),
});
