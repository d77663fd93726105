/**
 * What a new user sees without writing a logging section (Decision 19): services' output and
 * everything sent to /dev/log at info or above reach `docker logs` (Chaperone's stdout), as if
 * the configuration had `default.logging: { selector: "*.info", stdout: true }`. A configured
 * section, `--no-console-log` and `--task` turn the default off. Also: the chaperone-lamp
 * pattern `uid: "$(LOGU:-www-data)"` creates log files for that user, and every service gets
 * CHAPERONE_SYSLOG_SOCKET, the socket Chaperone listens on (Decision 20), also as a non-root
 * `--force` run where there is no /dev/log.
 */
import assert from "node:assert/strict";
import { canRunAsPid1, CHAPERONE, tempTree } from "../_helpers/pid1.ts";
import { FIXTURE_BIN, withScenario } from "./_scenario.ts";
import { denoDirForNobody } from "../_helpers/nobody.ts";

const ignore = !canRunAsPid1;

/** Prints two lines and where the syslog socket is, then stays up. */
const WEB = `web.service: {
  command: "bash -c 'echo web-out-line; echo \\"sock=$CHAPERONE_SYSLOG_SOCKET\\"; echo up >$T/up; exec sleep 100'",
}
`;

/** Sends one message of each severity to /dev/log inside the namespace, a debug one first. */
async function sendLogs(run: { exec(argv: string[]): Promise<{ code: number; stderr: string }> }) {
  for (const [pri, text] of [["user.debug", "debug-line"], ["user.emerg", "emerg-line"]]) {
    const r = await run.exec(["logger", "--socket-errors=on", "-p", pri!, "-t", "probe", text!]);
    assert.equal(r.code, 0, r.stderr);
  }
}

Deno.test({
  name: "without a logging section, service output and /dev/log at *.info reach stdout",
  ignore,
  fn: () =>
    withScenario(WEB, {}, async (s) => {
      await s.waitForFile("up", /up/);
      await sendLogs(s.run);
      await s.run.waitForOutput(/probe: emerg-line/);
      // The service's output comes through its pipe, the probe's through /dev/log: either may be
      // written first.
      await s.run.waitForOutput(/web\[\d+\]: sock=\/dev\/log$/m);
      const out = s.run.stdout;
      assert.match(out, /web\[\d+\]: web-out-line/);
      assert.match(out, /chaperone\[\d+\]: chaperone version .*, ready\./);
      assert.doesNotMatch(out, /debug-line/, "*.info leaves debug out");
      // A normal line format: date, host, tag.
      assert.match(out, /^\w{3} [ \d]\d \d\d:\d\d:\d\d \S+ probe: emerg-line$/m);
    }),
});

const QUIET_CASES: [string, string, string[]][] = [
  ["--no-console-log", "", ["--no-console-log"]],
  [
    "a configured logging section",
    `file.logging: { selector: "*.info", file: "$(T)/all.log" }\n`,
    [],
  ],
];

for (const [what, extra, args] of QUIET_CASES) {
  Deno.test({
    name: `${what} turns the default console logging off`,
    ignore,
    fn: () =>
      withScenario(WEB + extra, { args }, async (s) => {
        await s.waitForFile("up", /up/);
        await sendLogs(s.run);
        if (extra !== "") {
          // The configured section gets what the default would have shown.
          await s.waitForFile("all.log", /probe: emerg-line/);
          assert.match(s.read("all.log"), /web\[\d+\]: web-out-line/);
        }
        await s.run.kill("SIGTERM");
        assert.equal(await s.run.waitExit(), 0, s.run.output);
        // The ready line was logged before any service started: it would be there by now.
        assert.doesNotMatch(s.run.stdout, /ready\.|web-out-line|emerg-line/, s.run.output);
      }),
  });
}

Deno.test({
  name: "--task keeps stdout for the command alone, without the default console logging",
  ignore,
  fn: () =>
    withScenario("", { args: ["--task", "/bin/echo", "task-output"] }, async (s) => {
      assert.equal(await s.run.waitExit(), 0, s.run.output);
      assert.equal(s.run.stdout, "task-output\n");
    }),
});

Deno.test({
  name: "a logging uid written as $(LOGU:-nobody) is expanded and owns the files it creates",
  ignore,
  fn: async () => {
    const config = `apache2.logging: {
  selector: "[web].*",
  file: "$(T)/log/apache2/access.log",
  uid: "$(LOGU:-nobody)",
}
web.service: { type: oneshot, command: "echo hello-lamp" }
`;
    for (
      const [env, user, uid] of [[{}, "nobody", 65534], [{ LOGU: "daemon" }, "daemon", 1]] as const
    ) {
      await withScenario(config, { env }, async (s) => {
        await s.waitForFile("log/apache2/access.log", /web\[\d+\]: hello-lamp/);
        const file = await Deno.stat(`${s.dir}/log/apache2/access.log`);
        const dir = await Deno.stat(`${s.dir}/log/apache2`);
        assert.equal(file.uid, uid, `the file belongs to ${user}`);
        assert.equal(dir.uid, uid, `the directory belongs to ${user}`);
        assert.equal(file.mode! & 0o777, 0o664);
        assert.equal(dir.mode! & 0o777, 0o775);
      });
    }
  },
});

Deno.test({
  name: "a non-root --force run tells services its syslog socket, and logger -u reaches stdout",
  ignore: Deno.uid() !== 0,
  fn: async () => {
    const dir = await tempTree({
      "c.d/app.conf": `app.service: {
  type: oneshot,
  command: "bash -c 'echo \\"$CHAPERONE_SYSLOG_SOCKET\\" >$T/socket; logger --socket-errors=on -u \\"$CHAPERONE_SYSLOG_SOCKET\\" -p user.err -t app hello-from-nobody'",
}
`,
    });
    try {
      const denoDir = await denoDirForNobody(dir);
      await Deno.mkdir(`${dir}/run`);
      await new Deno.Command("chown", { args: ["-R", "nobody:nogroup", dir] }).output();
      const child = new Deno.Command("setpriv", {
        args: [
          "--reuid=nobody",
          "--regid=nogroup",
          "--clear-groups",
          CHAPERONE,
          "--force",
          "--config",
          `${dir}/c.d`,
        ],
        env: {
          PATH: `${FIXTURE_BIN}:/usr/local/bin:/usr/bin:/bin`,
          HOME: denoDir,
          DENO_DIR: denoDir,
          XDG_RUNTIME_DIR: `${dir}/run`,
          T: dir,
          NO_COLOR: "1",
        },
        clearEnv: true,
        cwd: dir,
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
      }).spawn();
      const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
      const out = await child.output();
      clearTimeout(timer);
      const stdout = new TextDecoder().decode(out.stdout);
      const stderr = new TextDecoder().decode(out.stderr);
      const socket = `${dir}/run/chaperone/log`;
      assert.equal(out.code, 0, `${stdout}\n${stderr}`);
      assert.equal(Deno.readTextFileSync(`${dir}/socket`), `${socket}\n`);
      assert.match(stdout, /app: hello-from-nobody$/m, `${stdout}\n${stderr}`);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
