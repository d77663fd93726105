/**
 * Black-box: the utilities, run as the real program under their own names (links to the
 * launcher, as in an image), accept unambiguous prefixes of their long options as the
 * original's docopt did, and reject ambiguous ones naming the candidates; `telchap --version`
 * and `chaperone ctl --version` print the version.
 */
import assert from "node:assert/strict";
import denoJson from "../../deno.json" with { type: "json" };
import { openNotifySocket } from "../../src/notify/socket.ts";
import { CHAPERONE } from "../_helpers/pid1.ts";
import { drainNotify } from "../_helpers/drain_notify.ts";
import { runProgram } from "../_helpers/run_program.ts";
import { withTempDir } from "../_helpers/with_temp_dir.ts";

const NAMES = ["envcp", "sdnotify", "sdnotify-exec", "telchap"] as const;

/** Runs `name` (a link to the launcher in `dir`, or `chaperone`) with a clean environment. */
function run(
  dir: string,
  name: (typeof NAMES)[number] | "chaperone",
  args: string[],
  options: { env?: Record<string, string>; stdin?: string } = {},
) {
  return runProgram(name === "chaperone" ? CHAPERONE : `${dir}/${name}`, args, {
    env: { PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin", NO_COLOR: "1", ...options.env },
    ...(options.stdin !== undefined ? { stdin: options.stdin } : {}),
  });
}

function withLinks(fn: (dir: string) => Promise<void>): Promise<void> {
  return withTempDir(async (dir) => {
    for (const name of NAMES) await Deno.symlink(CHAPERONE, `${dir}/${name}`);
    await fn(dir);
  }, "chaperone-prefixes-");
}

Deno.test("envcp takes the base image's tpl_envcp line: --xprefix % --xgroup '(' --shell -", () =>
  withLinks(async (dir) => {
    const r = await run(dir, "envcp", ["--xprefix", "%", "--xgroup", "(", "--shell", "-"], {
      env: { NAME: "world" },
      stdin: "%(NAME) $(NAME) {%(NAME)} %(`echo shell`)\n",
    });
    assert.deepEqual(r, { code: 0, stdout: "world $(NAME) {world} shell\n", stderr: "" });
    // Files too, with --over and --verb abbreviated.
    await Deno.writeTextFile(`${dir}/in.tpl`, "user=$(NAME)\n");
    await Deno.writeTextFile(`${dir}/out.txt`, "old\n");
    const copy = await run(dir, "envcp", ["--over", "--verb", `${dir}/in.tpl`, `${dir}/out.txt`], {
      env: { NAME: "bob" },
    });
    assert.deepEqual(copy, {
      code: 0,
      stdout: `envcp ${dir}/in.tpl ${dir}/out.txt\n`,
      stderr: "",
    });
    assert.equal(await Deno.readTextFile(`${dir}/out.txt`), "user=bob\n");
  }));

Deno.test("envcp rejects an ambiguous prefix naming the options it could mean", () =>
  withLinks(async (dir) => {
    const r = await run(dir, "envcp", ["--x", "%", "-"], { stdin: "" });
    assert.equal(r.code, 1);
    assert.match(
      r.stdout,
      /^error: --x is not a unique prefix: --xprefix, --xgrouping\?\n\nUsage:/,
    );
    const s = await run(dir, "chaperone", ["envcp", "--s", "-"], { stdin: "" });
    assert.equal(s.code, 1);
    assert.match(s.stdout, /^error: --s is not a unique prefix: --strip, --shell-enable\?\n/);
  }));

Deno.test("sdnotify sends what its abbreviated options say", () =>
  withLinks(async (dir) => {
    await using listener = openNotifySocket(`${dir}/notify.sock`);
    const r = await run(dir, "sdnotify", ["--stat=busy", "--rea", "--pid", "77", "X=1"], {
      env: { NOTIFY_SOCKET: listener.path },
    });
    assert.deepEqual(r, { code: 0, stdout: "", stderr: "" });
    assert.deepEqual(await drainNotify(listener), ["MAINPID=77", "STATUS=busy", "READY=1", "X=1"]);
  }));

Deno.test("sdnotify-exec reads abbreviated options before the command, and refuses --wait", () =>
  withLinks(async (dir) => {
    const r = await run(dir, "sdnotify-exec", ["--verb", "--noprox", "sh", "-c", "exit 3"]);
    assert.equal(r.code, 3, r.stdout + r.stderr);
    assert.match(r.stdout, /^info: running: sh\n/m);
    const ambiguous = await run(dir, "sdnotify-exec", ["--wait", "sh", "-c", "exit 0"]);
    assert.equal(ambiguous.code, 1);
    assert.match(
      ambiguous.stderr,
      /^--wait is not a unique prefix: --wait-ready, --wait-stop\?\nUsage:/,
    );
  }));

Deno.test("ctl and telchap take abbreviated options and print their version", () =>
  withLinks(async (dir) => {
    const socket = `${dir}/none.sock`;
    const r = await run(dir, "telchap", ["--sock", socket, "--time", "2", "status"]);
    assert.deepEqual(r, {
      code: 2,
      stdout: "",
      stderr: "chaperone does not seem to be listening, is it running?\n" +
        `(looked for a control socket at: ${socket})\n`,
    });
    const version = (name: string) =>
      `\nThis is '${name}' version ${denoJson.version}.\n\n` +
      "Documentation and source is available at http://github.com/garywiz/chaperone.\n" +
      "Licensed under the Apache License, Version 2.0.\n\n";
    assert.deepEqual(await run(dir, "telchap", ["--version"]), {
      code: 0,
      stdout: version("telchap"),
      stderr: "",
    });
    assert.deepEqual(await run(dir, "chaperone", ["ctl", "--vers"]), {
      code: 0,
      stdout: version("chaperone"),
      stderr: "",
    });
    // An unknown option is a usage error naming it, followed by the usage.
    const bad = await run(dir, "chaperone", ["ctl", "--frob", "status"]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /^chaperone ctl: unknown option --frob\n\nUsage: chaperone ctl /);
  }));
