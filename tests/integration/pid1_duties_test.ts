/**
 * Black-box tests of the PID 1 duties: reaping orphans, orderly shutdown in reverse dependency
 * order with escalation to SIGKILL, SIGINT, and signals forwarded to the command (docs/docker.md,
 * "Stopping"; Decisions 1 and 11 in docs/migration.md).
 */
import assert from "node:assert/strict";
import { canRunAsPid1, waitFor } from "../_helpers/pid1.ts";
import { assertInOrder, DEBUG_LOG, withScenario } from "./_scenario.ts";

const ignore = !canRunAsPid1;

/** A service that logs when it is up and when SIGTERM reaches it (after `delay` seconds). */
function stoppable(name: string, delay = 0): string {
  return `bash -c 'trap \\"sleep ${delay}; echo ${name}-stop >>$T/log; exit 0\\" TERM; echo ${name}-up >>$T/log; while :; do sleep 0.1; done'`;
}

Deno.test({
  name: "orphans are reaped: 1,000 exited orphans leave no zombie and exit statuses stay right",
  ignore,
  fn: () =>
    withScenario(
      `orphans.service: {
  type: oneshot,
  command: "bash -c 'for j in $(seq 10); do ( for i in $(seq 100); do sleep 1.5 & done ); done; echo spawned >$T/orphans'",
}
failing.service: { startup_pause: 0.1, command: "bash -c 'sleep 1.5; exit 6'" }
keeper.service: { command: "bash -c 'echo up >$T/keeper; exec sleep 60'" }
${DEBUG_LOG}`,
      {},
      async ({ run, waitForFile }) => {
        await waitForFile("orphans", /spawned/);
        await waitForFile("keeper", /up/);
        await run.waitForOutput("orphans.service successfully started");
        // Each batch's subshell exits at once, so every sleep is an orphan of PID 1 before it
        // exits (1.5 s later); within 2 s of that nothing is left unreaped.
        const zombies = async () => {
          const ps = await run.exec(["ps", "-eo", "stat=,pid=,args="]);
          return ps.stdout.split("\n").filter((l) => /^Z/.test(l.trim()));
        };
        const started = Date.now();
        await waitFor(async () => {
          const ps = await run.exec(["ps", "-eo", "args="]);
          const sleeping = ps.stdout.split("\n").filter((l) => l.trim() === "sleep 1.5").length;
          return sleeping === 0 && (await zombies()).length === 0 ? true : undefined;
        }, { timeoutMs: 3500, what: "no orphan and no zombie left", detail: () => run.output });
        assert.ok(Date.now() - started < 3500);
        await run.waitForOutput(
          "failing.service terminated abnormally with <ProcStatus exit_status=6>",
        );
        const reaped = run.stdout.match(/Caught subprocess termination from unknown pid/g) ?? [];
        assert.equal(reaped.length, 1000);
        assert.match(
          run.stdout,
          /orphans\.service exit status for pid=\d+ is '<ProcStatus exit_status=0>'/,
        );
        assert.deepEqual(await zombies(), []);
        await run.kill("SIGTERM");
        assert.equal(await run.waitExit(), 0, run.output);
      },
    ),
});

Deno.test({
  name: "SIGTERM stops services in reverse dependency order and exits 0",
  ignore,
  fn: () =>
    withScenario(
      `a.service: { command: "${stoppable("a")}" }
b.service: { after: a.service, command: "${stoppable("b", 0.3)}" }
c.service: { after: b.service, command: "${stoppable("c", 0.3)}" }
${DEBUG_LOG}`,
      {},
      async ({ run, read, waitForFile }) => {
        await waitForFile("log", /c-up/);
        await run.waitForOutput("all services started");
        await run.kill("SIGTERM");
        assert.equal(await run.waitExit(), 0, run.output);
        assert.equal(read("log"), "a-up\nb-up\nc-up\nc-stop\nb-stop\na-stop\n");
        assert.doesNotMatch(run.stdout, /Forcing kill/);
      },
    ),
});

Deno.test({
  name: "a SIGTERM-ignoring service is SIGKILLed after shutdown_timeout and the run exits promptly",
  ignore,
  fn: () =>
    withScenario(
      `settings: { shutdown_timeout: 1 }
stubborn.service: { command: "bash -c 'trap \\"\\" TERM; echo up >$T/up; while :; do sleep 0.1; done'" }
polite.service: { command: "${stoppable("polite")}" }
`,
      {},
      async ({ run, read, waitForFile }) => {
        await waitForFile("up", /up/);
        await waitForFile("log", /polite-up/);
        const began = Date.now();
        await run.kill("SIGTERM");
        assert.equal(await run.waitExit(), 0, run.output);
        const took = Date.now() - began;
        assert.ok(took >= 900 && took < 4000, `took ${took} ms`);
        assert.match(read("log"), /polite-stop/);
      },
    ),
});

Deno.test({
  name: "children that ignore SIGTERM and outlive their parent are still killed at shutdown",
  ignore,
  fn: () =>
    withScenario(
      `settings: { shutdown_timeout: 1 }
p.service: {
  command: "bash -c '(trap \\"\\" TERM; exec sleep 61) & (trap \\"\\" TERM; exec setsid sleep 62) & echo up >$T/up; exec sleep 63'",
}
${DEBUG_LOG}`,
      {},
      async ({ run, waitForFile }) => {
        await waitForFile("up", /up/);
        await waitFor(async () => {
          const ps = await run.exec(["ps", "-eo", "args="]);
          return /sleep 62/.test(ps.stdout) ? true : undefined;
        });
        const began = Date.now();
        await run.kill("SIGTERM");
        assert.equal(await run.waitExit(), 0, run.output);
        assert.ok(Date.now() - began < 5000, `took ${Date.now() - began} ms`);
      },
    ),
});

Deno.test({
  name: "SIGINT shuts down and exits 130",
  ignore,
  fn: () =>
    withScenario(
      `s.service: { command: "${stoppable("s")}" }\n${DEBUG_LOG}`,
      {},
      async ({ run, read, waitForFile }) => {
        await waitForFile("log", /s-up/);
        await run.waitForOutput("all services started");
        await run.kill("SIGINT");
        assert.equal(await run.waitExit(), 130, run.output);
        assert.match(read("log"), /s-stop/);
        assertInOrder(run.stdout, [
          "Ctrl-C ... killing chaperone.",
          "Request made to kill system. (forced)",
          "Final termination phase",
        ]);
      },
    ),
});

Deno.test({
  name: "SIGHUP, SIGUSR1, SIGUSR2, SIGQUIT and SIGWINCH sent to PID 1 reach the command's group",
  ignore,
  fn: () =>
    withScenario(
      `keeper.service: { command: "bash -c 'trap \\"echo keeper-hup >>$T/sig\\" HUP; while :; do sleep 0.1; done'" }\n`,
      {
        args: [
          "bash",
          "-c",
          'for s in HUP USR1 USR2 QUIT WINCH; do trap "echo $s >>$T/sig" $s; done; echo ready >$T/ready; while :; do sleep 0.1; done',
        ],
      },
      async ({ run, read, waitForFile }) => {
        await waitForFile("ready", /ready/);
        let expected = "";
        for (const sig of ["SIGHUP", "SIGUSR1", "SIGUSR2", "SIGQUIT", "SIGWINCH"] as const) {
          await run.kill(sig);
          expected += `${sig.slice(3)}\n`;
          await waitForFile("sig", new RegExp(`^${expected}$`));
        }
        await run.kill("SIGTERM");
        assert.equal(await run.waitExit(), 0, run.output);
        // Only the command receives them, not the other services.
        assert.equal(read("sig"), expected);
      },
    ),
});

Deno.test({
  name: "SIGTERM during start-up stops what runs and never starts the waiting dependents",
  ignore,
  fn: () =>
    withScenario(
      `slow.service: { type: oneshot, command: "bash -c 'echo slow >>$T/log; exec sleep 30'" }
later.service: { type: oneshot, after: slow.service, command: "bash -c 'echo later >>$T/log'" }
${DEBUG_LOG}`,
      {},
      async ({ run, read, waitForFile }) => {
        await waitForFile("log", /slow/);
        const began = Date.now();
        await run.kill("SIGTERM");
        assert.equal(await run.waitExit(), 0, run.output);
        assert.ok(Date.now() - began < 3000, `took ${Date.now() - began} ms`);
        assert.equal(read("log"), "slow\n");
      },
    ),
});

Deno.test({
  name: "a second SIGINT kills everything at once instead of waiting for the timeout",
  ignore,
  fn: () =>
    withScenario(
      `settings: { shutdown_timeout: 20 }
stubborn.service: { command: "bash -c 'trap \\"\\" TERM INT; echo up >$T/up; while :; do sleep 0.1; done'" }
${DEBUG_LOG}`,
      {},
      async ({ run, waitForFile }) => {
        await waitForFile("up", /up/);
        await run.waitForOutput("all services started");
        const began = Date.now();
        await run.kill("SIGINT");
        await run.waitForOutput("Request made to kill system. (forced)");
        await run.kill("SIGINT");
        assert.equal(await run.waitExit(), 130, run.output);
        assert.ok(Date.now() - began < 5000, `took ${Date.now() - began} ms`);
      },
    ),
});

Deno.test({
  name: "SIGTERM with 20 well-behaved services exits as soon as they are gone (no fixed sleeps)",
  ignore,
  fn: () => {
    let config = "";
    for (let i = 0; i < 20; i++) {
      config += `s${i}.service: { command: "bash -c 'echo up >$T/up${i}; exec sleep 60'" }\n`;
    }
    return withScenario(config, {}, async ({ run, read }) => {
      await waitFor(() => {
        for (let i = 0; i < 20; i++) if (read(`up${i}`) === "") return undefined;
        return true;
      });
      await waitFor(async () =>
        (await run.ctl("status")).stdout.match(/running/g)?.length === 20 || undefined
      );
      const began = Date.now();
      await run.kill("SIGTERM");
      assert.equal(await run.waitExit(), 0, run.output);
      assert.ok(Date.now() - began < 1500, `took ${Date.now() - began} ms`);
    });
  },
});
