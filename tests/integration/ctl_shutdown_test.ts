/**
 * Black-box: `chaperone ctl shutdown [delay|now]` ends the system in order and the program
 * exits 0 (Decision 1), after the delay when one is given.
 */
import assert from "node:assert/strict";
import { canRunAsPid1 } from "../_helpers/pid1.ts";
import { aliveInside, assertCtl, DEBUG_LOGGING, waitRow, withChaperone } from "./ctl_helpers.ts";

const CONFIG = `web.service: { command: "sleep 1000" }\n${DEBUG_LOGGING}`;

for (const args of [[], ["now"]]) {
  Deno.test({
    name: `ctl shutdown ${args.join(" ")} stops every service and the program exits 0`.replace(
      "  ",
      " ",
    ),
    ignore: !canRunAsPid1,
    fn: () =>
      withChaperone(CONFIG, async (p) => {
        await waitRow(p, "web.service", (r) => r.status === "running");
        assertCtl(await p.ctl("shutdown", ...args), 0, "Shutting down now\n");
        assert.equal(await p.waitExit(), 0, p.output);
        assert.match(p.stdout, /requested shutdown scheduled to occur in 0\.1 seconds/);
        assert.match(p.stdout, /Final termination phase/);
      }),
  });
}

Deno.test({
  name: "ctl shutdown 1.5 keeps serving until the delay is over, then exits 0",
  ignore: !canRunAsPid1,
  fn: () =>
    withChaperone(CONFIG, async (p) => {
      const web = await waitRow(p, "web.service", (r) => r.status === "running");
      const asked = Date.now();
      assertCtl(await p.ctl("shutdown", "1.5"), 0, "Shutting down in 1.5 seconds\n");
      // Still up and answering during the delay.
      assert.equal(await aliveInside(p, web.pid!), true);
      assert.equal((await p.ctl("health")).code, 0);
      assert.equal(await p.waitExit(), 0, p.output);
      assert.ok(Date.now() - asked >= 1400, "exited before the delay");
      assert.match(p.stdout, /requested shutdown scheduled to occur in 1\.5 seconds/);
    }),
});

Deno.test({
  name: "ctl shutdown rejects a delay that is not a number and leaves the system running",
  ignore: !canRunAsPid1,
  fn: () =>
    withChaperone(CONFIG, async (p) => {
      const bad = await p.ctl("shutdown", "soon");
      assert.equal(bad.code, 1);
      assert.equal(bad.stdout, "");
      assert.match(
        bad.stderr,
        /^chaperone ctl: Specified delay is not a valid decimal number: soon\n/,
      );
      assertCtl(await p.ctl("shutdown", "5"), 0, "Shutting down in 5.0 seconds\n");
      assert.equal((await p.ctl("status")).code, 0);
    }),
});

Deno.test({
  name: "during a shutdown ctl start and ctl restart are refused with exit 1, and nothing starts",
  ignore: !canRunAsPid1,
  fn: () =>
    withChaperone(
      `settings: { shutdown_timeout: 5 }
web.service: { command: "sleep 1000" }
stubborn.service: { command: "bash -c 'trap \\"\\" TERM; while :; do sleep 0.1; done'" }
spare.service: { enabled: false, command: "bash -c 'touch @DIR@/spare; exec sleep 1000'" }
${DEBUG_LOGGING}`,
      async (p, dir) => {
        await waitRow(p, "stubborn.service", (r) => r.status === "running");
        assertCtl(await p.ctl("shutdown", "now"), 0, "Shutting down now\n");
        await p.waitForOutput("Request made to kill system");
        const refused = "Command error: the system is shutting down: no service can be started\n";
        assertCtl(await p.ctl("start", "--enable", "spare"), 1, "", refused);
        assertCtl(await p.ctl("restart", "web"), 1, "", refused);
        assertCtl(await p.ctl("start", "--wait", "--force", "web"), 1, "", refused);
        assert.equal(await p.waitExit(), 0, p.output);
        assert.throws(() => Deno.statSync(`${dir}/spare`), Deno.errors.NotFound);
        assert.doesNotMatch(p.stdout, /spare\.service attempting start/);
      },
    ),
});
