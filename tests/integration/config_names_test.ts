/**
 * Names and values a configuration gives (issue-proofing what reaches file names, tables and
 * execve()): a service name that would put its notify socket outside /dev/chaperone-notify, a
 * name with a newline, `A=B` as a variable name, a NUL in a value, and bad logging sections.
 * For each, `chaperone check` names file, line and directive, and the real run as PID 1 exits 1
 * with the same message before anything starts.
 */
import assert from "node:assert/strict";
import { canRunAsPid1, CHAPERONE } from "../_helpers/pid1.ts";
import { withScenario } from "./_scenario.ts";

const ignore = !canRunAsPid1;

/** Starts first when the configuration is accepted: its file proves that something started. */
const MARKER = `marker.service: { type: oneshot, command: "touch $(T)/started" }\n`;

/** A path the escaping name would put its notify socket at, before names were checked. */
const ESCAPE = `/tmp/chaperone-escape-${crypto.randomUUID()}`;

interface Case {
  what: string;
  /** The bad section (line 2 of the file, after the marker). */
  config: string;
  /** The message, after `<file>:2: `. */
  message: string;
}

const CASES: Case[] = [
  {
    what: "a service name that climbs out of the notify socket directory",
    config: `"../../..${ESCAPE}.service": { type: notify, command: "sleep 100" }\n`,
    message: `../../..${ESCAPE}.service: a name may not contain '/'`,
  },
  {
    what: "a service name with a newline",
    config: `"web\\nSTATUS.service": { command: "sleep 100" }\n`,
    message: "web\\nSTATUS.service: a name may not contain control characters",
  },
  {
    what: "a logging name longer than 200 bytes",
    config: `"${"x".repeat(200)}.logging": { stdout: true }\n`,
    message: `${"x".repeat(200)}.logging: a name may be at most 200 bytes long (this one has 208)`,
  },
  {
    what: "A=B as a variable name",
    config: `web.service: { command: "sleep 100", env_set: { "A=B": value } }\n`,
    message:
      "web.service: env_set: 'A=B' is not a variable name: it contains '=' (to set A, write 'A: value')",
  },
  {
    what: "a NUL in a variable's value",
    config: `web.service: { command: "sleep 100", env_set: { V: "a\\0b" } }\n`,
    message: "web.service: env_set: V: a value cannot contain a NUL character",
  },
  {
    what: "an invalid logging priority (check used to say ok, and the run then failed)",
    config: `console.logging: { selector: "*.info;kern.bogus", stdout: true }\n`,
    message: "console.logging: selector: Invalid logging priority, bogus: kern.bogus",
  },
  {
    what: "an unknown logging user after expansion",
    config: `apache2.logging: { file: "$(T)/a.log", uid: "$(LOGU:-nosuchlogger)" }\n`,
    message: "apache2.logging: uid: user 'nosuchlogger' does not exist",
  },
];

for (const c of CASES) {
  Deno.test({
    name: `check and a PID 1 run both reject ${c.what}, before anything starts`,
    ignore,
    fn: () =>
      withScenario(MARKER + c.config, {}, async (s) => {
        const where = `${s.dir}/chaperone.d/test.conf:2: ${c.message}`;
        const check = await new Deno.Command(CHAPERONE, {
          args: ["check", "--config", `${s.dir}/chaperone.d`],
          env: { NO_COLOR: "1", T: s.dir },
          stdout: "piped",
          stderr: "piped",
        }).output();
        const checkErr = new TextDecoder().decode(check.stderr);
        assert.equal(check.code, 1, checkErr);
        assert.ok(checkErr.includes(`error: ${where}\n`), checkErr);

        assert.equal(await s.run.waitExit(), 1, s.run.output);
        assert.ok(s.run.stderr.includes(`Configuration Error: ${where}\n`), s.run.output);
        assert.equal(s.read("started"), "", "nothing may start");
        await assert.rejects(Deno.lstat(`${ESCAPE}.service`), Deno.errors.NotFound);
      }),
  });
}

Deno.test({
  name: "a PID 1 run without services names the configuration path it resolved",
  ignore,
  fn: async () => {
    await withScenario("", {}, async (s) => {
      assert.equal(await s.run.waitExit(), 1, s.run.output);
      assert.ok(
        s.run.stdout.startsWith(`no services configured in ${s.dir}/chaperone.d\n`),
        s.run.output,
      );
    });
    // A relative --config is resolved against / (or the --user's home), as the original does.
    await withScenario("", { noConfig: true, args: ["--config", "no/such.d"] }, async (s) => {
      assert.equal(await s.run.waitExit(), 1, s.run.output);
      assert.match(s.run.stdout, /^no services configured in \/no\/such\.d$/m);
    });
  },
});
