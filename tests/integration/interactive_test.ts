/**
 * The interactive rules of docs/command-line.md with a real terminal (util-linux `script` gives the
 * command line a pty): stdin a tty ⇒ _CHAP_INTERACTIVE=1, --exitkills by default, and the
 * CONSOLE command is stopped with SIGHUP.
 */
import assert from "node:assert/strict";
import { canRunAsPid1, CHAPERONE, startPid1, tempTree, waitFor } from "../_helpers/pid1.ts";

const hasScript = (() => {
  try {
    return new Deno.Command("script", { args: ["--version"], stdout: "null", stderr: "null" })
      .outputSync().success;
  } catch {
    return false;
  }
})();

/** Runs `chaperone ARGS` on a pty inside a fresh PID namespace (script is PID 1 there). */
function onTerminal(args: string) {
  return startPid1(["-qec", `${CHAPERONE} --force ${args}`, "/dev/null"], { program: "script" });
}

Deno.test({
  name: "with a terminal the command sees _CHAP_INTERACTIVE=1 and its exit ends the system",
  ignore: !canRunAsPid1 || !hasScript,
  async fn() {
    const dir = await tempTree({ "c.d/a.conf": `keep.service: { command: "sleep 60" }\n` });
    const run = onTerminal(
      `--config ${dir}/c.d /bin/sh -c 'echo interactive=$(_CHAP_INTERACTIVE); exit 3'`,
    );
    try {
      assert.equal(await run.waitExit(30_000), 3, run.output);
      assert.match(run.stdout, /interactive=1/);
    } finally {
      await run.dispose();
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "without a terminal _CHAP_INTERACTIVE is 0 and the command's exit does not end the system",
  ignore: !canRunAsPid1,
  async fn() {
    const dir = await tempTree({ "c.d/a.conf": `keep.service: { command: "sleep 60" }\n` });
    const run = startPid1([
      "--config",
      `${dir}/c.d`,
      "/bin/sh",
      "-c",
      "echo interactive=$(_CHAP_INTERACTIVE)",
    ]);
    try {
      await run.waitForOutput("interactive=0");
      // keep.service still runs: the system stays up until told to stop.
      const ps = await waitFor(async () => {
        const r = await run.exec(["ps", "-eo", "args"]);
        return r.stdout.includes("sleep 60") ? r.stdout : undefined;
      }, { what: "keep.service running" });
      assert.match(ps, /sleep 60/);
      await run.kill("SIGTERM");
      assert.equal(await run.waitExit(), 0, run.output);
    } finally {
      await run.dispose();
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "with a terminal the CONSOLE command is stopped with SIGHUP",
  ignore: !canRunAsPid1 || !hasScript,
  async fn() {
    const dir = await tempTree({ "c.d/a.conf": `keep.service: { command: "sleep 60" }\n` });
    const run = onTerminal(
      `--config ${dir}/c.d /bin/sh -c 'trap "echo got-HUP; exit 0" HUP; trap "echo got-TERM; exit 0" TERM; echo waiting; while :; do sleep 0.1; done'`,
    );
    try {
      await run.waitForOutput("waiting");
      const pkill = await run.exec(["pkill", "-TERM", "-f", "main.ts --force"]);
      assert.equal(pkill.code, 0, pkill.stderr);
      assert.equal(await run.waitExit(30_000), 0, run.output);
      assert.match(run.stdout, /got-HUP/);
      assert.doesNotMatch(run.stdout, /got-TERM/);
    } finally {
      await run.dispose();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
