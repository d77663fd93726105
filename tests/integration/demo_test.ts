/**
 * The README's first command: scripts/demo runs the examples/demo suite and it works, as PID 1
 * and, as the README says, as a normal user (not PID 1, sockets in the runtime directory).
 */
import assert from "node:assert/strict";
import { canRunAsPid1, REPO, startPid1, tempTree, waitFor } from "../_helpers/pid1.ts";
import { freePort } from "../_helpers/free_port.ts";
import { denoDirForNobody } from "../_helpers/nobody.ts";
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

/** The demo's page, or undefined while nothing answers. */
async function page(port: number): Promise<string | undefined> {
  try {
    const r = await fetch(`http://127.0.0.1:${port}/`);
    return await r.text();
  } catch {
    return undefined;
  }
}

Deno.test({
  name: "scripts/demo runs as a normal user, who controls it with scripts/chaperone ctl",
  // Becoming nobody needs root; the demo itself then runs without it.
  ignore: Deno.uid() !== 0,
  async fn() {
    const dir = await tempTree({});
    const denoDir = await denoDirForNobody(dir);
    for (const sub of ["state", "run"]) {
      await Deno.mkdir(`${dir}/${sub}`, { mode: 0o700 });
      await Deno.chown(`${dir}/${sub}`, 65534, 65534);
    }
    const port = freePort();
    const env = {
      PATH: "/usr/local/bin:/usr/bin:/bin",
      HOME: denoDir,
      DENO_DIR: denoDir,
      DEMO_PORT: String(port),
      DEMO_STATE: `${dir}/state`,
      // Its own runtime directory, so that no other run as nobody shares its sockets.
      XDG_RUNTIME_DIR: `${dir}/run`,
      NO_COLOR: "1",
    };
    const asNobody = (argv: string[]) =>
      new Deno.Command("setpriv", {
        args: ["--reuid=nobody", "--regid=nogroup", "--clear-groups", ...argv],
        env,
        clearEnv: true,
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
      });
    const ctl = async (...args: string[]) => {
      const out = await asNobody([`${REPO}/scripts/chaperone`, "ctl", ...args]).output();
      return { code: out.code, stdout: new TextDecoder().decode(out.stdout) };
    };
    // setpriv and the scripts exec: this child is Chaperone itself.
    const demo = asNobody([`${REPO}/scripts/demo`]).spawn();
    const output = demo.output();
    let ended = false;
    try {
      const body = await waitFor(() => page(port), { timeoutMs: 30_000, what: "the demo's page" });
      assert.match(body, /Chaperone-supervised web server/);
      const status = await waitFor(async () => {
        const r = await ctl("status");
        return /ticker\.service\s+true\s+running\s+tick \d+/.test(r.stdout) ? r.stdout : undefined;
      }, { timeoutMs: 15_000, what: "ticker ready, seen by nobody's ctl" });
      assert.match(status, /web\.service\s+true\s+running/);
      // Not PID 1 and not root: the sockets are in the runtime directory, the user's own.
      const sock = await Deno.stat(`${dir}/run/chaperone/chaperone.sock`);
      assert.equal(sock.uid, 65534);
      assert.equal((await ctl("shutdown")).code, 0);
      const out = await output;
      ended = true;
      const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
      assert.equal(out.code, 0, text);
      assert.match(text, /web root ready in /);
    } finally {
      if (!ended) {
        // SIGTERM first, so that Chaperone stops the demo's services too.
        const kill = (signal: Deno.Signal) => {
          try {
            demo.kill(signal);
          } catch {
            // It has ended meanwhile.
          }
        };
        kill("SIGTERM");
        const timer = setTimeout(() => kill("SIGKILL"), 10_000);
        await output.catch(() => {});
        clearTimeout(timer);
      }
      await Deno.remove(dir, { recursive: true });
    }
  },
});
