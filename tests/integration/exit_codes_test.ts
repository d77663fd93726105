/**
 * The exit-code contract of Decision 1, case by case (docs/exit-codes.md is the table these
 * rows check).
 */
import assert from "node:assert/strict";
import { canRunAsPid1, CHAPERONE, REPO } from "../_helpers/pid1.ts";
import { type ScenarioOptions, withScenario } from "./_scenario.ts";

const ignore = !canRunAsPid1;

const KEEPER = `keeper.service: { command: "bash -c 'echo up >$T/up; exec sleep 60'" }\n`;

/** What happens to the run once it is started. */
type Action =
  | { type: "none" }
  | { type: "signal"; signal: Deno.Signal; after: string }
  | { type: "ctl"; args: string[]; after: string }
  | { type: "kill-console"; signal: "KILL" | "TERM" };

interface Case {
  situation: string;
  config: string;
  options?: ScenarioOptions;
  action: Action;
  code: number;
  /** Text the output must contain (the reason, for error exits). */
  says?: RegExp;
}

const CONSOLE_PID = ["bash", "-c", "echo $$ >$T/console.pid; exec sleep 60"];

const CASES: Case[] = [
  {
    situation: "clean SIGTERM",
    config: KEEPER,
    action: { type: "signal", signal: "SIGTERM", after: "up" },
    code: 0,
  },
  {
    situation: "ctl shutdown",
    config: KEEPER,
    action: { type: "ctl", args: ["shutdown"], after: "up" },
    code: 0,
  },
  {
    situation: "every service finished by itself",
    config: `o.service: { type: oneshot, command: "true" }\n`,
    action: { type: "none" },
    code: 0,
  },
  {
    situation: "SIGINT",
    config: KEEPER,
    action: { type: "signal", signal: "SIGINT", after: "up" },
    code: 130,
  },
  {
    situation: "--task false",
    config: "",
    options: { args: ["--task", "false"] },
    action: { type: "none" },
    code: 1,
  },
  {
    situation: "--task exiting 42",
    config: KEEPER,
    options: { args: ["--task", "bash", "-c", "exit 42"] },
    action: { type: "none" },
    code: 42,
  },
  {
    situation: "the command (no --exitkills) exiting 4 as the last process",
    config: `o.service: { type: oneshot, command: "true" }\n`,
    options: { args: ["bash", "-c", "sleep 0.2; exit 4"] },
    action: { type: "none" },
    code: 4,
  },
  {
    situation: "--exitkills command killed by SIGKILL",
    config: KEEPER,
    options: { args: ["--exitkills", ...CONSOLE_PID] },
    action: { type: "kill-console", signal: "KILL" },
    code: 137,
  },
  {
    situation: "--exitkills command killed by someone else's SIGTERM",
    config: KEEPER,
    options: { args: ["--exitkills", ...CONSOLE_PID] },
    action: { type: "kill-console", signal: "TERM" },
    code: 143,
  },
  {
    situation: "SIGTERM to chaperone while an --exitkills command runs",
    config: KEEPER,
    options: { args: ["--exitkills", ...CONSOLE_PID] },
    action: { type: "signal", signal: "SIGTERM", after: "console.pid" },
    code: 0,
  },
  {
    situation: "SIGHUP forwarded to an --exitkills command that dies of it",
    config: KEEPER,
    options: { args: ["--exitkills", ...CONSOLE_PID] },
    action: { type: "signal", signal: "SIGHUP", after: "console.pid" },
    code: 129,
  },
  {
    situation: "--create-user with an invalid spec",
    config: KEEPER,
    options: { args: ["--create-user", "1bob"] },
    action: { type: "none" },
    code: 1,
    says: /Invalid format for --create-user argument: 1bob/,
  },
  {
    situation: "--version",
    config: KEEPER,
    options: { args: ["--version"] },
    action: { type: "none" },
    code: 0,
  },
  {
    situation: "exit_kills service exiting 7",
    config: `${KEEPER}k.service: { exit_kills: true, command: "bash -c 'sleep 0.7; exit 7'" }\n`,
    action: { type: "none" },
    code: 7,
  },
  {
    situation: "configuration error",
    config: `bad.service: { command: "true", bogus_directive: 1 }\n`,
    action: { type: "none" },
    code: 1,
    says: /Configuration Error: .*bogus_directive/,
  },
  {
    situation: "usage error",
    config: KEEPER,
    options: { args: ["--no-such-option"] },
    action: { type: "none" },
    code: 1,
  },
  {
    situation: "nothing to do",
    config: "",
    action: { type: "none" },
    code: 1,
    says: /There are no services configured to run/,
  },
  {
    situation: "start-up failure",
    config: `${KEEPER}bad.service: { type: oneshot, command: "bash -c 'exit 3'" }\n`,
    action: { type: "none" },
    code: 1,
    says: /system startup cancelled due to error: bad\.service failed on start-up/,
  },
  {
    situation: "a service failing after start-up, then the system ending by itself",
    config: `late.service: { startup_pause: 0.1, command: "bash -c 'sleep 0.5; exit 3'" }\n`,
    action: { type: "none" },
    code: 0,
  },
];

for (const c of CASES) {
  Deno.test({
    name: `exit code is ${c.code} when: ${c.situation}`,
    ignore,
    fn: () =>
      withScenario(c.config, c.options ?? {}, async ({ run, read, waitForFile }) => {
        const action = c.action;
        switch (action.type) {
          case "none":
            break;
          case "signal":
            await waitForFile(action.after, /./);
            await run.waitForOutput(/^|/);
            await run.kill(action.signal);
            break;
          case "ctl": {
            await waitForFile(action.after, /./);
            const reply = await run.ctl(...action.args);
            assert.equal(reply.code, 0, reply.stdout + reply.stderr);
            break;
          }
          case "kill-console": {
            const pid = (await waitForFile("console.pid", /^\d+\n$/)).trim();
            const killed = await run.exec(["kill", `-${action.signal}`, pid]);
            assert.equal(killed.code, 0, killed.stderr);
            break;
          }
          default: {
            const _exhaustive: never = action;
            throw new TypeError(`unknown action ${JSON.stringify(_exhaustive)}`);
          }
        }
        assert.equal(await run.waitExit(), c.code, run.output);
        if (c.says) assert.match(run.output, c.says);
        void read;
      }),
  });
}

Deno.test({
  name: "exit code is 1 when: not PID 1 and no --force",
  ignore,
  fn: async () => {
    const out = await new Deno.Command(CHAPERONE, {
      args: ["--config", `${REPO}/tests/fixtures/configs/simple`],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(out.code, 1);
    assert.match(new TextDecoder().decode(out.stdout), /expects to run as PID 1/);
  },
});

/** Where a start-up failure's message must show, by logging configuration. */
const STARTUP_FAILURES: { logging: string; args?: string[]; stdout: boolean; file: boolean }[] = [
  // Sections that send nothing to the console: only stderr tells the user.
  {
    logging: `app.logging: { selector: "*.info", file: "$(T)/app.log" }\n`,
    stdout: false,
    file: true,
  },
  // Decision 19's default section prints it on stdout; stderr still has it, once.
  { logging: "", stdout: true, file: false },
  // No console logging at all: stderr alone, once.
  { logging: "", args: ["--no-console-log"], stdout: false, file: false },
];

for (const c of STARTUP_FAILURES) {
  Deno.test({
    name: `a start-up failure's message reaches stderr once (${
      c.file ? "file-only logging" : c.args ? "--no-console-log" : "no logging section"
    })`,
    ignore,
    fn: () =>
      withScenario(
        `${c.logging}app.service: { command: "/usr/local/bin/my-app --serve" }\n`,
        { args: c.args ?? [] },
        async ({ run, read }) => {
          assert.equal(await run.waitExit(), 1, run.output);
          const message = /system startup cancelled due to error: .*my-app/;
          const lines = run.stderr.split("\n").filter((l) => message.test(l));
          assert.equal(lines.length, 1, run.output);
          assert.match(lines[0]!, /^system startup cancelled due to error: /);
          assert.equal(message.test(run.stdout), c.stdout, run.output);
          assert.equal(message.test(read("app.log")), c.file, read("app.log"));
        },
      ),
  });
}
