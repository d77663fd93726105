import assert from "node:assert/strict";
import { canRunAsPid1, REPO } from "../_helpers/pid1.ts";

const SCRIPT = `${REPO}/scripts/rootfs-smoke`;

Deno.test({
  name:
    "scripts/rootfs-smoke runs Chaperone as PID 1 of a distroless-like root and shuts down with 0",
  ignore: !canRunAsPid1,
  async fn() {
    const child = new Deno.Command(SCRIPT, { stdout: "piped", stderr: "piped", stdin: "null" })
      .spawn();
    // Bounded: the script has its own deadlines; this one catches a hang in the script itself.
    const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
    const out = await child.output();
    clearTimeout(timer);
    const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
    assert.equal(out.code, 0, text);
    for (
      const step of [
        "services started",
        "--create-user added app:4321:4321",
        "service output reached",
        "ctl status and ctl health answered inside",
        "SIGTERM shut down with exit 0, no process left",
      ]
    ) {
      assert.ok(text.includes(`rootfs-smoke: ${step}`), `missing step "${step}"\n${text}`);
    }
    assert.match(text, /rootfs-smoke: ok\n/);
  },
});
