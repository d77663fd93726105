/**
 * Black-box tests of the command line (docs/command-line.md): the CONSOLE command, --task,
 * --exitkills, --disable-services, --ignore-failures, --user, --create-user,
 * --show-dependencies and --no-syslog.
 */
import assert from "node:assert/strict";
import { canRunAsPid1, CHAPERONE } from "../_helpers/pid1.ts";
import { assertInOrder, DEBUG_LOG, FIXTURE_BIN, withScenario } from "./_scenario.ts";

const ignore = !canRunAsPid1;

const KEEPER = `keeper.service: { command: "bash -c 'echo keeper >>$T/log; exec sleep 60'" }\n`;

function nobody(): string[] {
  return Deno.readTextFileSync("/etc/passwd").split("\n").find((l) => l.startsWith("nobody:"))!
    .split(":");
}

Deno.test({
  name: "CONSOLE command runs after the services; without --exitkills the system stays up",
  ignore,
  fn: () =>
    withScenario(KEEPER + DEBUG_LOG, {
      args: ["bash", "-c", "echo console >>$T/log; exit 3"],
    }, async ({ run, read, waitForFile }) => {
      await waitForFile("log", /keeper\nconsole\n/);
      await run.waitForOutput("CONSOLE exit status");
      const status = await run.ctl("status");
      assert.match(status.stdout, /keeper/);
      assert.equal(read("log"), "keeper\nconsole\n");
      await run.kill("SIGTERM");
      assert.equal(await run.waitExit(), 0, run.output);
    }),
});

Deno.test({
  name: "--exitkills: the command's exit ends the system with its exit code",
  ignore,
  fn: () =>
    withScenario(KEEPER, {
      args: ["--exitkills", "bash", "-c", "sleep 0.3; echo console >>$T/log; exit 3"],
    }, async ({ run, read }) => {
      assert.equal(await run.waitExit(), 3, run.output);
      assert.equal(read("log"), "keeper\nconsole\n");
    }),
});

Deno.test({
  name: "--task runs only the command and exits with its exit code",
  ignore,
  fn: async () => {
    for (const [cmd, code] of [["exit 0", 0], ["exit 5", 5], ["kill -KILL $$", 137]] as const) {
      await withScenario(KEEPER, {
        args: ["--task", "bash", "-c", `echo task >>$T/log; ${cmd}`],
      }, async ({ run, read }) => {
        assert.equal(await run.waitExit(), code, `${cmd}\n${run.output}`);
        // Services are disabled in task mode.
        assert.equal(read("log"), "task\n");
      });
    }
  },
});

Deno.test({
  name: "--task expands $(VAR) in the command's arguments and sets _CHAP_TASK_MODE",
  ignore,
  fn: () =>
    withScenario("", {
      args: ["--task", "bash", "-c", "echo $(_CHAP_INTERACTIVE) $(_CHAP_TASK_MODE) >$T/out"],
    }, async ({ run, read }) => {
      assert.equal(await run.waitExit(), 0, run.output);
      assert.equal(read("out"), "0 1\n");
    }),
});

Deno.test({
  name: "--task with a missing program fails with exit 1 naming it",
  ignore,
  fn: () =>
    withScenario("", { args: ["--task", "/nonexistent/tool"] }, async ({ run }) => {
      assert.equal(await run.waitExit(), 1, run.output);
      assert.match(run.stderr, /nonexistent\/tool/);
    }),
});

Deno.test({
  name: "--task without a command is a usage error",
  ignore,
  fn: () =>
    withScenario(KEEPER, { args: ["--task"] }, async ({ run }) => {
      assert.equal(await run.waitExit(), 1, run.output);
      assert.match(run.output, /--task can only be used if a shell command is specified/);
    }),
});

Deno.test({
  name: "--disable-services runs only the command; services can still be started by ctl",
  ignore,
  fn: () =>
    withScenario(KEEPER + DEBUG_LOG, {
      args: ["--disable-services", "bash", "-c", "echo console >>$T/log; exec sleep 60"],
    }, async ({ run, read, waitForFile }) => {
      await waitForFile("log", /console/);
      await run.waitForOutput("services will not be configured due to --disable-services");
      assert.equal(read("log"), "console\n");
      const started = await run.ctl("start", "--enable", "keeper");
      assert.equal(started.code, 0, started.stdout + started.stderr);
      await waitForFile("log", /console\nkeeper\n/);
      await run.kill("SIGTERM");
      assert.equal(await run.waitExit(), 0, run.output);
    }),
});

Deno.test({
  name: "--disable-services without a command is a usage error",
  ignore,
  fn: () =>
    withScenario(KEEPER, { args: ["--disable-services"] }, async ({ run }) => {
      assert.equal(await run.waitExit(), 1, run.output);
      assert.match(run.output, /--disable-services not valid without specifying a command/);
    }),
});

Deno.test({
  name: "--ignore-failures lets start-up continue past a failing service",
  ignore,
  fn: () =>
    withScenario(
      `bad.service: { type: oneshot, command: "bash -c 'exit 9'" }
next.service: { type: oneshot, after: bad.service, command: "bash -c 'echo next >$T/next'" }
${DEBUG_LOG}`,
      { args: ["--ignore-failures"] },
      async ({ run, read }) => {
        assert.equal(await run.waitExit(), 0, run.output);
        assert.equal(read("next"), "next\n");
        assert.match(
          run.output,
          /ignoring failures on all service startups due to --ignore-failures/,
        );
      },
    ),
});

Deno.test({
  name: "--user runs the command as that user, in its home directory",
  ignore,
  fn: () =>
    withScenario(
      "",
      { args: ["--user", "daemon", "--task", "bash", "-c", "id -u >$T/console; pwd >>$T/console"] },
      async ({ run, read }) => {
        assert.equal(await run.waitExit(), 0, run.output);
        const daemon = Deno.readTextFileSync("/etc/passwd").split("\n")
          .find((l) => l.startsWith("daemon:"))!.split(":");
        assert.equal(read("console"), `${daemon[2]}\n${daemon[5]}\n`);
      },
    ),
});

Deno.test({
  name: "--user without --task also applies to services",
  ignore,
  fn: () =>
    withScenario(
      `who.service: { type: oneshot, directory: "$(T)", command: "bash -c 'id -u >$T/service'" }\n`,
      { args: ["--user", "nobody"] },
      async ({ run, read }) => {
        assert.equal(await run.waitExit(), 0, run.output);
        assert.equal(read("service").trim(), nobody()[2]);
      },
    ),
});

Deno.test({
  name: "--create-user adds the user to /etc/passwd and /etc/group and runs the command as it",
  ignore,
  fn: () =>
    withScenario("", {
      program: `${FIXTURE_BIN}/with-private-etc`,
      prefix: [CHAPERONE],
      args: (dir) => [
        "--create-user",
        "chaptester:4321:4321",
        "--default-home",
        `${dir}/userhome`,
        "--task",
        "bash",
        "-c",
        "id -u >$T/uid; id -g >$T/gid; echo $HOME >$T/home; pwd >$T/cwd; getent passwd chaptester >$T/passwd; getent group 4321 >$T/group",
      ],
    }, async ({ run, read, dir }) => {
      assert.equal(await run.waitExit(), 0, run.output);
      assert.equal(read("uid"), "4321\n");
      assert.equal(read("gid"), "4321\n");
      assert.equal(read("home"), `${dir}/userhome\n`);
      assert.equal(read("cwd"), `${dir}/userhome\n`);
      assert.match(read("passwd"), new RegExp(`^chaptester:x:4321:4321::${dir}/userhome:`));
      assert.match(read("group"), /^chaptester:x:4321:/);
      const st = Deno.statSync(`${dir}/userhome`);
      assert.equal(st.uid, 4321);
      // The machine's own files were never touched.
      assert.doesNotMatch(Deno.readTextFileSync("/etc/passwd"), /chaptester/);
      assert.doesNotMatch(Deno.readTextFileSync("/etc/group"), /chaptester/);
    }),
});

Deno.test({
  name: "--show-dependencies prints the graph and exits 0 without starting anything",
  ignore,
  fn: () =>
    withScenario(
      `a.service: { service_groups: INIT, command: "bash -c 'echo a >>$T/log'" }
b.service: { command: "bash -c 'echo b >>$T/log'" }
c.service: { service_groups: IDLE, command: "bash -c 'echo c >>$T/log'" }
d.service: { service_groups: IDLE, before: c.service, command: "bash -c 'echo d >>$T/log'" }
`,
      { args: ["--show-dependencies"] },
      async ({ run, read }) => {
        assert.equal(await run.waitExit(), 0, run.output);
        assert.equal(
          run.stdout,
          [
            "    a | b | d | c",
            "a | =",
            "b |  ====",
            "d |      ====",
            "c |          ====",
            "--> depends on...",
            "a | ",
            "b | a",
            "d | a, b",
            "c | a, b, d",
            "",
          ].join("\n"),
        );
        assert.equal(read("log"), "");
      },
    ),
});

Deno.test({
  name: "--no-syslog: no /dev/log, yet logging sections still get chaperone's messages",
  ignore,
  fn: async () => {
    const probe =
      `p.service: { type: oneshot, command: "bash -c 'test -S /dev/log && echo yes >$T/sock || echo no >$T/sock'" }
${DEBUG_LOG}`;
    await withScenario(probe, { args: ["--no-syslog"] }, async ({ run, read }) => {
      assert.equal(await run.waitExit(), 0, run.output);
      assert.equal(read("sock"), "no\n");
      assertInOrder(run.stdout, ["p.service successfully started", "Final termination phase"]);
    });
    await withScenario(probe, {}, async ({ run, read }) => {
      assert.equal(await run.waitExit(), 0, run.output);
      assert.equal(read("sock"), "yes\n");
    });
  },
});

Deno.test({
  name: "--debug prints the resolved options and dumps the configuration it runs",
  ignore,
  fn: () =>
    withScenario(
      `settings: { env_set: { GREETING: "hello $(NAME:-x)" } }
one.service: { type: oneshot, command: "echo $(GREETING)", after: none }
`,
      { args: ["--debug", "--user", "nobody", "true"], env: { NAME: "world" } },
      async ({ run, dir }) => {
        assert.equal(await run.waitExit(), 0, run.output);
        assert.match(
          run.stdout,
          /^COMMAND OPTIONS \{"config":".*","user":"nobody",.*"debug":true/m,
        );
        const text = /^FULL CONFIGURATION: (\{\n[\s\S]*?\n\})$/m.exec(run.stdout)?.[1];
        assert.ok(text, run.output);
        const dump = JSON.parse(text);
        assert.equal(dump.path, `${dir}/chaperone.d`);
        assert.equal(dump.user.name, "nobody");
        assert.equal(dump.settings.controlSocketMode, "0600");
        assert.equal(dump.settings.uid, "nobody");
        assert.equal(dump.environment.GREETING, "hello $(NAME:-x)");
        const [one, console] = dump.services;
        assert.equal(one.name, "one.service");
        assert.equal(one.command, "echo hello world");
        assert.deepEqual(one.after, ["none"]);
        assert.equal(one.user.name, "nobody");
        assert.equal(one.pos, `${dir}/chaperone.d/test.conf:2`);
        assert.equal(console.name, "CONSOLE");
        assert.deepEqual(console.argv, ["true"]);
        // Decision 19's default section, with the selector as written.
        assert.deepEqual(
          dump.logging.map((l: { selector: string; builtin?: boolean }) => [l.selector, l.builtin]),
          [["*.info", true]],
        );
      },
    ),
});
