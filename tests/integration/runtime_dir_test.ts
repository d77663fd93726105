/**
 * Black-box: without a writable /dev, Chaperone's sockets go to the per-user runtime directory
 * (Decision 13). One that belongs to someone else (made first under /tmp by another user) is
 * refused with one clear line and exit 1, not a stack trace.
 */
import assert from "node:assert/strict";
import { canRunAsPid1, CHAPERONE } from "../_helpers/pid1.ts";
import { withScenario } from "./_scenario.ts";

Deno.test({
  name: "a runtime directory owned by another user is refused with one message and exit 1",
  ignore: !canRunAsPid1,
  fn: async () => {
    const xdg = await Deno.makeTempDir({ prefix: "chaperone-xdg-" });
    try {
      await Deno.mkdir(`${xdg}/chaperone`, { mode: 0o700 });
      await Deno.chown(`${xdg}/chaperone`, 65534, 65534);
      await withScenario(`web.service: { command: "sleep 1000" }\n`, {
        // /dev read-only, as in a container run with a read-only root and no writable /dev.
        program: "/bin/bash",
        prefix: ["-c", 'mount -o remount,ro /dev && exec "$0" "$@"', CHAPERONE],
        env: { XDG_RUNTIME_DIR: xdg },
      }, async ({ run }) => {
        assert.equal(await run.waitExit(), 1, run.output);
        assert.equal(run.stdout, "");
        assert.equal(
          run.stderr,
          `chaperone: Runtime directory ${xdg}/chaperone belongs to uid 65534, not 0\n`,
        );
      });
    } finally {
      await Deno.remove(xdg, { recursive: true });
    }
  },
});
