/**
 * `chaperone selftest` not as PID 1 (it makes itself a child subreaper, as `--force` does): in
 * a private mount namespace with its own /dev, so the host's /dev/log is never touched. Also
 * the table's layout, `_CHAP_OPTIONS`' `--config`, and usage errors.
 */
import assert from "node:assert/strict";
import { canRunAsPid1, CHAPERONE, tempTree } from "../_helpers/pid1.ts";
import { fail, formatTable, ok, skip } from "../../src/cli/selftest_row.ts";

Deno.test("formatTable() aligns the rows and puts causes and advice under a failure", () => {
  assert.equal(
    formatTable([
      { check: "pid 1", verdict: ok("PID 1") },
      { check: "programs", verdict: fail("a: not found", "copy it", ["b: not found"]) },
      { check: "syslog socket", verdict: skip("no directory") },
    ]),
    [
      "ok    pid 1          PID 1",
      "FAIL  programs       a: not found",
      "                     b: not found",
      "                     advice: copy it",
      "skip  syslog socket  no directory",
      "",
    ].join("\n"),
  );
});

// A private /dev (tmpfs with the usual nodes), then the program: not PID 1, host /proc.
const PRIVATE_DEV = `
set -e
mount -t tmpfs -o mode=0755,size=4m selftest-dev /dev
mknod -m 666 /dev/null c 1 3; mknod -m 666 /dev/zero c 1 5; mknod -m 666 /dev/urandom c 1 9
exec "$@"
`;

async function selftest(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; out: string; text: string }> {
  const o = await new Deno.Command("unshare", {
    args: [
      "--mount",
      "--propagation",
      "private",
      "--",
      "bash",
      "-c",
      PRIVATE_DEV,
      "selftest",
      CHAPERONE,
      "selftest",
      ...args,
    ],
    env: { NO_COLOR: "1", ...env },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  const out = dec.decode(o.stdout);
  return { code: o.code, out, text: `${out}\n--- stderr ---\n${dec.decode(o.stderr)}` };
}

function statusOf(out: string, check: string): string | undefined {
  const m = new RegExp(`^(ok|FAIL|skip) +${check} {2,}(.*)$`, "m").exec(out);
  return m ? `${m[1]} ${m[2]}` : undefined;
}

Deno.test({
  name: "selftest not as PID 1: a child subreaper, every row ok, exit 0",
  ignore: !canRunAsPid1,
  async fn() {
    const dir = await tempTree({ "c.d/a.conf": `web.service: { command: "sleep 100" }\n` });
    try {
      const r = await selftest(["--config", `${dir}/c.d`]);
      assert.equal(r.code, 0, r.text);
      assert.match(
        statusOf(r.out, "pid 1") ?? "",
        /^ok pid \d+, not PID 1: made itself a child subreaper \(a run needs --force\)$/,
      );
      assert.match(statusOf(r.out, "orphans") ?? "", /^ok orphan \d+ was adopted and reaped/);
      assert.match(statusOf(r.out, "process groups") ?? "", /^ok SIGTERM to group \d+ ended/);
      assert.match(statusOf(r.out, "syslog socket") ?? "", /^ok \/dev\/log received a message$/);
      assert.match(r.out, /10 checks: 10 ok, 0 FAIL, 0 skip/, r.text);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "selftest takes --config from _CHAP_OPTIONS and fails on a missing program, exit 1",
  ignore: !canRunAsPid1,
  async fn() {
    const dir = await tempTree({
      "c.d/a.conf": `web.service: { command: "/nowhere/web" }\nok.service: { command: "true" }\n`,
    });
    try {
      const r = await selftest([], { _CHAP_OPTIONS: `--config ${dir}/c.d` });
      assert.equal(r.code, 1, r.text);
      assert.match(
        statusOf(r.out, "programs") ?? "",
        /^FAIL .*a\.conf:1: web\.service: command: executable '\/nowhere\/web' not found$/,
      );
      assert.match(r.out, /^ +advice: copy the programs into the image/m);
      assert.match(statusOf(r.out, "configuration") ?? "", /^ok .*c\.d: 1 file, 2 services$/);
      assert.match(r.out, /10 checks: 9 ok, 1 FAIL, 0 skip/, r.text);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "selftest fails when the configuration has no services or names a missing --user",
  ignore: !canRunAsPid1,
  async fn() {
    const empty = await selftest(["--config", "/nonexistent/chaperone.d"]);
    assert.equal(empty.code, 1, empty.text);
    assert.match(
      statusOf(empty.out, "configuration") ?? "",
      /^FAIL no services configured in \/nonexistent\/chaperone\.d \(no configuration file\)$/,
    );
    const ghost = await selftest(["--user", "no-such-user-here"]);
    assert.equal(ghost.code, 1, ghost.text);
    assert.match(statusOf(ghost.out, "users") ?? "", /^FAIL --user no-such-user-here does not/);
    assert.match(statusOf(ghost.out, "programs") ?? "", /^skip /);
  },
});

Deno.test("selftest rejects an unknown option with exit 2 and prints its usage", async () => {
  const o = await new Deno.Command(CHAPERONE, {
    args: ["selftest", "--bogus"],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(o.code, 2);
  assert.match(new TextDecoder().decode(o.stderr), /Usage: chaperone selftest/);
});
