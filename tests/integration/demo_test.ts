/** The README's first command: scripts/demo runs the examples/demo suite and it works. */
import assert from "node:assert/strict";
import { canRunAsPid1, REPO, startPid1, waitFor } from "../_helpers/pid1.ts";
import { freePort } from "../_helpers/free_port.ts";
import { withTempDir } from "../_helpers/with_temp_dir.ts";

Deno.test({
  name: "scripts/demo serves its web page, makes its notify service ready and stops cleanly",
  ignore: !canRunAsPid1,
  fn: () =>
    withTempDir(async (state) => {
      const port = freePort();
      const run = startPid1([], {
        program: `${REPO}/scripts/demo`,
        env: { DEMO_PORT: String(port), DEMO_STATE: state },
      });
      try {
        const body = await waitFor(async () => {
          try {
            const r = await fetch(`http://127.0.0.1:${port}/`);
            return await r.text();
          } catch {
            return undefined;
          }
        }, { timeoutMs: 20_000, what: "the demo's web page", detail: () => run.output });
        assert.match(body, /Chaperone-supervised web server/);
        await run.waitForOutput("web server answers: True");
        const status = await waitFor(async () => {
          const r = await run.ctl("status");
          return /ticker\.service\s+true\s+running\s+tick \d+/.test(r.stdout)
            ? r.stdout
            : undefined;
        }, { timeoutMs: 15_000, what: "ticker ready with a STATUS note" });
        assert.match(status, /web\.service\s+true\s+running/);
        assert.match(status, /prepare\.service\s+true\s+started/);
        await run.kill("SIGTERM");
        assert.equal(await run.waitExit(), 0, run.output);
        assert.match(await Deno.readTextFile(`${state}/services.log`), /web root ready in/);
      } finally {
        await run.dispose();
      }
    }),
});
