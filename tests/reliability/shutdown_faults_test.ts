/**
 * Reliability: shutdown against processes that resist it. A service that ignores SIGTERM, an
 * orphan that ignores SIGTERM and outlived its parent, and a process that left its service's
 * group with setsid: every one is gone within shutdown_timeout (plus the SIGKILL), both as
 * PID 1 (kill(-1)) and as a --force subreaper (groups and adopted processes only, Decision 9),
 * where the test can look at the namespace after Chaperone has exited and prove nothing is left.
 * Also repeated signals during start-up and shutdown.
 */
import assert from "node:assert/strict";
import { canRunAsPid1, CHAPERONE, waitFor } from "../_helpers/pid1.ts";
import { DEBUG_LOG, FIXTURE_BIN, withScenario } from "../integration/_scenario.ts";
import { figure, processes } from "./_fuzz.ts";

const ignore = !canRunAsPid1;
const TIMEOUT = 2;

const CONFIG = `settings: { shutdown_timeout: ${TIMEOUT} }
stubborn.service: { command: "$(T)/stubborn.sh" }
forker.service: { command: "$(T)/forker.sh" }
escaper.service: { command: "$(T)/escaper.sh" }
`;

const FILES = {
  "stubborn.sh": `#!/bin/bash
trap '' TERM
echo $$ >"$T/stubborn.pid"
exec sleep 1000
`,
  // The child ignores SIGTERM and is left behind when the service's own process exits 0.
  "forker.sh": `#!/bin/bash
(trap '' TERM; exec sleep 1001) &
echo $! >"$T/forker.pid"
sleep 1
exit 0
`,
  // The child leaves the service's process group and session, and ignores SIGTERM too.
  "escaper.sh": `#!/bin/bash
setsid bash -c "trap '' TERM; exec sleep 1002" &
echo $! >"$T/escaper.pid"
exec sleep 1003
`,
};

/** The sleeps of the three resisting services that are still in the namespace. */
async function resisting(run: Parameters<typeof processes>[0]): Promise<string[]> {
  return (await processes(run)).filter((p) => /^sleep 100[0-3]$/.test(p.args)).map((p) =>
    `${p.pid} ${p.stat} ${p.args}`
  );
}

Deno.test({
  name:
    "shutdown as PID 1 ends a SIGTERM-ignorer, its outliving orphan and a setsid escapee in time",
  ignore,
  fn: () =>
    withScenario(CONFIG, { files: FILES }, async ({ run, waitForFile }) => {
      await waitForFile("escaper.pid", /\d/);
      await waitForFile("stubborn.pid", /\d/);
      const before = await waitFor(async () => {
        const r = await resisting(run);
        // The forker's own process has exited: its orphan runs on.
        const status = await run.ctl("status", "--json");
        const rows = status.code === 0
          ? JSON.parse(status.stdout) as { name: string; pid: number | null }[]
          : [];
        const done = rows.some((row) => row.name === "forker.service" && row.pid === null);
        return r.length === 4 && done ? r : undefined;
      }, { timeoutMs: 10_000, what: "the four sleeps, the forker gone", detail: () => run.output });
      const escapee = (await processes(run)).find((p) => p.args === "sleep 1002")!;
      const sid = await run.exec(["ps", "-o", "sid=,pgid=", "-p", String(escapee.pid)]);
      assert.match(sid.stdout.trim(), new RegExp(`^${escapee.pid}\\s+${escapee.pid}$`));
      const began = Date.now();
      await run.kill("SIGTERM");
      assert.equal(await run.waitExit(), 0, run.output);
      const took = Date.now() - began;
      figure(
        "shutdown as PID 1",
        `4 resisting processes (${before.join(", ")}) gone in ${took} ms`,
      );
      assert.ok(took >= TIMEOUT * 1000 - 100, `exited after ${took} ms: before the timeout`);
      // One shutdown_timeout bounds the services' stop; leftovers then get 1 s before SIGKILL.
      assert.ok(took < TIMEOUT * 1000 + 1000 + 1500, `took ${took} ms`);
    }),
});

Deno.test({
  name: "shutdown as a --force subreaper leaves none of them behind in the namespace",
  ignore,
  fn: () =>
    withScenario(CONFIG, {
      files: FILES,
      noConfig: true,
      program: "/bin/bash",
      // PID 1 is a shell that outlives Chaperone, so the namespace (and whatever Chaperone
      // failed to end) is still there to inspect after Chaperone has exited.
      prefix: [
        "-c",
        `(echo $BASHPID >"$T/chaperone.pid"; exec ${CHAPERONE} --force --config "$T/chaperone.d"); ` +
        `echo $? >"$T/exit"; exec sleep 1010`,
      ],
    }, async ({ run, waitForFile, read }) => {
      await waitForFile("escaper.pid", /\d/);
      await waitFor(async () => (await resisting(run)).length === 4 ? true : undefined, {
        timeoutMs: 10_000,
        what: "the four sleeps",
        detail: () => run.output,
      });
      const chaperone = read("chaperone.pid").trim();
      const began = Date.now();
      await run.exec(["kill", "-TERM", chaperone]);
      await waitForFile("exit", /\d/, (TIMEOUT + 5) * 1000);
      const took = Date.now() - began;
      assert.equal(read("exit").trim(), "0", run.output);
      const left = (await processes(run)).filter((p) =>
        p.pid !== 1 && p.args !== "sleep 1010" && !/^ps /.test(p.args)
      );
      figure(
        "shutdown as subreaper",
        `exited in ${took} ms; left in the namespace: ${left.length}`,
      );
      assert.deepEqual(left, []);
      // One shutdown_timeout bounds the services' stop; leftovers then get 1 s before SIGKILL.
      assert.ok(took < TIMEOUT * 1000 + 1000 + 1500, `took ${took} ms`);
    }),
});

Deno.test({
  name: "SIGTERM during start-up and again during shutdown ends the run once, cleanly, in time",
  ignore,
  fn: () =>
    withScenario(
      `settings: { shutdown_timeout: ${TIMEOUT} }
stubborn.service: { command: "$(T)/stubborn.sh" }
slow.service: { type: oneshot, command: "sleep 30" }
later.service: { after: slow.service, command: "bash -c 'echo later >$T/later; exec sleep 60'" }
`,
      { files: FILES },
      async ({ run, waitForFile, read }) => {
        await waitForFile("stubborn.pid", /\d/);
        const began = Date.now();
        await run.kill("SIGTERM");
        await waitFor(async () => (await run.ctl("status")).code !== 0 ? undefined : true);
        await run.kill("SIGTERM");
        await run.kill("SIGTERM");
        assert.equal(await run.waitExit(), 0, run.output);
        const took = Date.now() - began;
        figure("SIGTERM x3 during start-up", `exit 0 after ${took} ms`);
        // One shutdown_timeout bounds the services' stop; leftovers then get 1 s before SIGKILL.
        assert.ok(took < TIMEOUT * 1000 + 1000 + 1500, `took ${took} ms`);
        assert.equal(read("later"), "");
        assert.doesNotMatch(run.output, /Uncaught|panicked|TypeError/);
      },
    ),
});

Deno.test({
  name: "SIGINT twice during start-up exits 130 at once, even with a SIGTERM-ignorer",
  ignore,
  fn: () =>
    withScenario(
      `settings: { shutdown_timeout: 30 }
stubborn.service: { command: "$(T)/stubborn.sh" }
slow.service: { type: oneshot, command: "sleep 30" }
${DEBUG_LOG}`,
      { files: FILES, env: { PATH: `${FIXTURE_BIN}:/usr/bin:/bin` } },
      async ({ run, waitForFile }) => {
        await waitForFile("stubborn.pid", /\d/);
        const began = Date.now();
        await run.kill("SIGINT");
        // Two signals sent back to back may merge into one pending signal (the kernel keeps
        // one of each), so the second goes once the first has been acted on.
        await run.waitForOutput("Request made to kill system. (forced)");
        await run.kill("SIGINT");
        assert.equal(await run.waitExit(), 130, run.output);
        const took = Date.now() - began;
        figure("SIGINT x2 during start-up", `exit 130 after ${took} ms (shutdown_timeout 30 s)`);
        assert.ok(took < 5000, `took ${took} ms`);
        assert.doesNotMatch(run.output, /Uncaught|panicked|TypeError/);
      },
    ),
});
