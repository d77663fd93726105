/**
 * Black-box: how `chaperone ctl` finds and may use the control socket: exit 2 when nothing
 * listens, `--socket` and CHAPERONE_SOCKET, the `telchap` name, the 0600 socket refusing
 * a non-root user (and admitting a group the settings name), and the socket owned by the
 * `--user` user, whose services use telchap (Decision 9).
 */
import assert from "node:assert/strict";
import {
  canRunAsPid1,
  CHAPERONE,
  nsPath,
  type Pid1,
  startPid1,
  tempTree,
  waitFor,
} from "../_helpers/pid1.ts";
import { lookupUser } from "../../src/process/users.ts";
import { assertCtl, statusRows, waitRow, withChaperone } from "./ctl_helpers.ts";
import { denoDirForNobody } from "../_helpers/nobody.ts";
import { runProgram } from "../_helpers/run_program.ts";

const CONFIG = `web.service: { command: "sleep 1000" }\n`;

const nobody = lookupUser("nobody")!;

const NOT_LISTENING = "chaperone does not seem to be listening, is it running?\n";

/** Runs ctl on the host, outside any namespace, with a clean environment. */
function hostCtl(args: string[], env: Record<string, string> = {}) {
  return runProgram(CHAPERONE, ["ctl", ...args], {
    env: { PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin", NO_COLOR: "1", ...env },
  });
}

Deno.test({
  name: "ctl exits 2 naming where it looked when nothing listens",
  ignore: !canRunAsPid1,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "chaperone-ctl-" });
    try {
      assertCtl(
        await hostCtl(["--socket", `${dir}/missing.sock`, "status"]),
        2,
        "",
        `${NOT_LISTENING}(looked for a control socket at: ${dir}/missing.sock)\n`,
      );
      // A stale socket file whose server is gone refuses connections: also "not listening".
      const stale = Deno.listen({ transport: "unix", path: `${dir}/stale.sock` });
      stale.close();
      assertCtl(
        await hostCtl(["stop", "web"], { CHAPERONE_SOCKET: `${dir}/stale.sock` }),
        2,
        "",
        `${NOT_LISTENING}(looked for a control socket at: ${dir}/stale.sock)\n`,
      );
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "ctl finds a moved socket through --socket and CHAPERONE_SOCKET, the flag winning",
  ignore: !canRunAsPid1,
  fn: () =>
    withChaperone(CONFIG, async (p) => {
      await waitRow(p, "web.service", (r) => r.status === "running");
      assert.equal((await p.exec(["mv", "/dev/chaperone.sock", "/dev/alt.sock"])).code, 0);
      const missing = await p.ctl("status");
      assert.equal(missing.code, 2);
      assert.equal(missing.stdout, "");
      assert.match(
        missing.stderr,
        /^chaperone does not seem to be listening, is it running\?\n\(looked for a control socket at: \/dev\/chaperone\.sock, .*\)\n$/,
      );
      const viaFlag = await p.ctl("--socket", "/dev/alt.sock", "status");
      assert.equal(viaFlag.code, 0, viaFlag.stderr);
      assert.match(viaFlag.stdout, /web\.service +true +running/);
      const viaEnv = await p.exec([CHAPERONE, "ctl", "status", "--json"], {
        env: { CHAPERONE_SOCKET: "/dev/alt.sock" },
      });
      assert.equal(viaEnv.code, 0, viaEnv.stderr);
      assert.equal(JSON.parse(viaEnv.stdout)[0].name, "web.service");
      assertCtl(
        await p.exec([CHAPERONE, "ctl", "--socket", "/dev/none.sock", "health"], {
          env: { CHAPERONE_SOCKET: "/dev/alt.sock" },
        }),
        2,
        "",
        `${NOT_LISTENING}(looked for a control socket at: /dev/none.sock)\n`,
      );
      // From the host, through the namespace's root: the flag reaches any path.
      const hostPid = await p.hostPid();
      const fromHost = await hostCtl([
        "--socket",
        nsPath(hostPid, `/dev/alt.sock`),
        "stop",
        "--wait",
        "web",
      ]);
      assertCtl(fromHost, 0, "services stopped.\n");
      // That was the last service: the system ends by itself, cleanly.
      assert.equal(await p.waitExit(), 0);
    }),
});

Deno.test({
  name: "telchap, a link to the program, behaves as chaperone ctl",
  ignore: !canRunAsPid1,
  fn: () =>
    // keep.service stays up: stopping the only service would end the system, and with it the
    // namespace, racing the client's exit (137 under load).
    withChaperone(`keep.service: { command: "sleep 1000" }\n${CONFIG}`, async (p, dir) => {
      await waitRow(p, "web.service", (r) => r.status === "running");
      await Deno.symlink(CHAPERONE, `${dir}/telchap`);
      const status = await p.exec([`${dir}/telchap`, "status"]);
      assert.equal(status.code, 0, status.stderr);
      assert.match(status.stdout, /^\nRunning: +chaperone version /);
      assert.match(status.stdout, /web\.service +true +running/);
      assertCtl(
        await p.exec([`${dir}/telchap`, "stop", "nosuch"]),
        1,
        "",
        "Command error: no such service: nosuch\n",
      );
      assertCtl(
        await p.exec([`${dir}/telchap`, "stop", "--wait", "web"]),
        0,
        "services stopped.\n",
      );
    }),
});

function asNobody(p: Pid1, denoDir: string, argv: string[]) {
  return p.exec(
    ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", ...argv],
    { env: { DENO_DIR: denoDir, HOME: denoDir, XDG_RUNTIME_DIR: "" } },
  );
}

Deno.test({
  name: "the 0600 control socket and FIFO refuse nobody",
  ignore: !canRunAsPid1,
  fn: () =>
    withChaperone(CONFIG, async (p, dir) => {
      const web = await waitRow(p, "web.service", (r) => r.status === "running");
      const denoDir = await denoDirForNobody(dir);
      const mode = await p.exec(["stat", "-c", "%a %U", "/dev/chaperone.sock", "/dev/chaperone"]);
      assert.equal(mode.stdout, "600 root\n600 root\n");
      assertCtl(
        await asNobody(p, denoDir, [CHAPERONE, "ctl", "stop", "web"]),
        1,
        "",
        "chaperone ctl: not allowed to use the control socket /dev/chaperone.sock\n",
      );
      const fifo = await asNobody(p, denoDir, ["sh", "-c", "echo 'stop web' >/dev/chaperone"]);
      assert.notEqual(fifo.code, 0);
      assert.match(fifo.stderr, /Permission denied/);
      const row = (await statusRows(p)).get("web.service")!;
      assert.equal(row.status, "running");
      assert.equal(row.pid, web.pid);
    }),
});

Deno.test({
  name: "with --user nobody, the endpoints are nobody's (0600) and its service's telchap works",
  ignore: !canRunAsPid1,
  async fn() {
    // The service (nobody, by --user) calls telchap status through a link, as the
    // chaperone-docker base image's services do; root still can too.
    const dir = await tempTree({});
    try {
      const denoDir = await denoDirForNobody(dir);
      await Deno.symlink(CHAPERONE, `${dir}/telchap`);
      await Deno.mkdir(`${dir}/out`);
      await Deno.chown(`${dir}/out`, nobody.uid, nobody.gid);
      await Deno.mkdir(`${dir}/chaperone.d`);
      await Deno.writeTextFile(
        `${dir}/chaperone.d/10.conf`,
        `caller.service: {
  command: "sh -c 'id -un >${dir}/out/who; ${dir}/telchap status >${dir}/out/status 2>&1; echo $? >${dir}/out/rc; exec sleep 1000'",
  env_set: { DENO_DIR: "${denoDir}", HOME: "${denoDir}" },
}
`,
      );
      const p = startPid1(["--user", "nobody", "--config", `${dir}/chaperone.d`]);
      try {
        const rc = await waitFor(async () => {
          try {
            return (await Deno.readTextFile(`${dir}/out/rc`)).trim() || undefined;
          } catch {
            return undefined;
          }
        }, { timeoutMs: 30_000, what: "the service's telchap", detail: () => p.output });
        const status = await Deno.readTextFile(`${dir}/out/status`);
        assert.equal(await Deno.readTextFile(`${dir}/out/who`), "nobody\n");
        assert.equal(rc, "0", status);
        assert.match(status, /^\nRunning: +chaperone version /);
        assert.match(status, /caller\.service +true +(starting|running)/);
        const owner = await p.exec([
          "stat",
          "-c",
          "%a %U",
          "/dev/chaperone.sock",
          "/dev/chaperone",
        ]);
        assert.equal(owner.stdout, "600 nobody\n600 nobody\n");
        // Root is not locked out.
        const asRoot = await p.exec([`${dir}/telchap`, "status"]);
        assert.equal(asRoot.code, 0, asRoot.stderr);
        assert.match(asRoot.stdout, /caller\.service +true /);
        await p.kill("SIGTERM");
        assert.equal(await p.waitExit(), 0, p.output);
      } finally {
        await p.dispose();
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "settings uid makes the same user own the endpoints; root's runs keep them root's",
  ignore: !canRunAsPid1,
  fn: () =>
    withChaperone(`settings: { uid: nobody }\n${CONFIG}`, async (p) => {
      await waitRow(p, "web.service", (r) => r.status === "running");
      const mode = await p.exec(["stat", "-c", "%a %U", "/dev/chaperone.sock", "/dev/chaperone"]);
      assert.equal(mode.stdout, "600 nobody\n600 nobody\n");
    }),
});

Deno.test({
  name: "control_socket_mode and control_socket_group admit that group's users",
  ignore: !canRunAsPid1,
  fn: () =>
    withChaperone(
      // keep.service stays up: stopping the only service would end the system, and with it
      // the namespace, before the client has exited.
      `settings: { control_socket_mode: "0660", control_socket_group: nogroup }
keep.service: { command: "sleep 1000" }
${CONFIG}`,
      async (p, dir) => {
        await waitRow(p, "web.service", (r) => r.status === "running");
        const denoDir = await denoDirForNobody(dir);
        const mode = await p.exec(["stat", "-c", "%a %U %G", "/dev/chaperone.sock"]);
        assert.equal(mode.stdout, "660 root nogroup\n");
        // setpriv keeps the real gid nogroup, which the socket's group now admits.
        const r = await p.exec([
          "setpriv",
          "--reuid=nobody",
          "--regid=nogroup",
          "--init-groups",
          CHAPERONE,
          "ctl",
          "stop",
          "--wait",
          "web",
        ], { env: { DENO_DIR: denoDir, HOME: denoDir } });
        assertCtl(r, 0, "services stopped.\n");
      },
    ),
});

Deno.test({
  name: "ctl --timeout gives up on a reply that does not come and --help prints the usage",
  ignore: !canRunAsPid1,
  fn: () =>
    withChaperone(
      `${CONFIG}slow.service: { type: notify, command: "sleep 1000", enabled: false }\n`,
      async (p) => {
        const started = Date.now();
        assertCtl(
          await p.ctl("--timeout", "1", "start", "--enable", "--wait", "slow"),
          1,
          "",
          "chaperone ctl: no reply from chaperone at /dev/chaperone.sock within 1000 ms\n",
        );
        assert.ok(Date.now() - started < 10_000);
        // The server is not stuck on the abandoned request.
        assert.equal((await statusRows(p)).get("slow.service")?.status, "activating");
        const help = await p.ctl("--help");
        assert.equal(help.code, 0);
        assert.match(help.stdout, /^Usage: chaperone ctl \[--socket PATH\] \[--timeout SECONDS\]/);
        const usage = await p.ctl("--timeout", "soon", "status");
        assert.equal(usage.code, 1);
        assert.match(
          usage.stderr,
          /^chaperone ctl: --timeout needs a number of seconds, not "soon"/,
        );
      },
    ),
});
