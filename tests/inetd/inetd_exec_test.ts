import assert from "node:assert/strict";
import { inetdExecCommand, inetdExecInvocation } from "../../src/inetd/inetd_exec.ts";

Deno.test("inetdExecCommand() exits 2 on a malformed command line", async () => {
  for (const args of [[], ["x", "--", "/bin/true"], ["3", "/bin/true"], ["3", "--"]]) {
    assert.equal(await inetdExecCommand(args), 2, JSON.stringify(args));
  }
});

Deno.test("inetdExecInvocation() runs this module directly when run from source", () => {
  const inv = inetdExecInvocation(7, ["/bin/cat", "-u"]);
  assert.equal(inv.program, Deno.execPath());
  assert.deepEqual(inv.args.slice(0, 5), [
    "run",
    "--quiet",
    "--allow-all",
    "--no-prompt",
    "--no-config",
  ]);
  assert.match(inv.args[5]!, /\/src\/inetd\/inetd_exec\.ts$/);
  assert.deepEqual(inv.args.slice(6), ["7", "--", "/bin/cat", "-u"]);
  assert.deepEqual(inv.env, {});
});

Deno.test("inetdExecInvocation() puts the inherited fd on 0-2 and execs the command", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const file = `${dir}/conn`;
    await Deno.writeTextFile(file, "");
    const inv = inetdExecInvocation(3, ["/bin/sh", "-c", 'echo "out $KEEP"; echo err >&2']);
    // bash opens fd 3 without close-on-exec, as the listener's withInheritedFd() does.
    const out = await new Deno.Command("/bin/bash", {
      args: ["-c", 'exec "$@" 3<>"$CONN"', "bash", inv.program, ...inv.args],
      env: { ...inv.env, CONN: file, KEEP: "kept" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
    assert.equal(new TextDecoder().decode(out.stdout), "");
    assert.equal(await Deno.readTextFile(file), "out kept\nerr\n");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
