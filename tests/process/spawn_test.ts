import assert from "node:assert/strict";
import { join } from "node:path";
import {
  DEFAULT_PATH,
  resolveExecutable,
  Spawner,
  type SpawnRequest,
} from "../../src/process/spawn.ts";
import { pidAlive, readProcess } from "../../src/process/proc_table.ts";

function request(argv: string[], extra: Partial<SpawnRequest> = {}): SpawnRequest {
  return {
    argv,
    env: { PATH: "/usr/bin:/bin" },
    detached: true,
    stdin: "null",
    stdout: "null",
    stderr: "null",
    ...extra,
  };
}

async function waitFor(check: () => boolean, what: string, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

Deno.test("Spawner.spawn() gives a detached child its own session and process group", async () => {
  const spawner = new Spawner();
  const child = spawner.spawn(request(["/bin/sleep", "30"]));
  try {
    await waitFor(() => readProcess(child.pid)?.comm === "sleep", "sleep to exec");
    const info = readProcess(child.pid);
    assert.ok(info);
    assert.equal(info.pgid, child.pid);
    assert.equal(info.sid, child.pid);
  } finally {
    child.kill(9);
    await child.status;
  }
});

Deno.test("Spawner.spawn() keeps an attached child in chaperone's group and session", async () => {
  const spawner = new Spawner();
  const child = spawner.spawn(request(["/bin/sleep", "30"], { detached: false }));
  const self = readProcess(Deno.pid)!;
  try {
    const info = readProcess(child.pid);
    assert.ok(info);
    assert.equal(info.pgid, self.pgid);
    assert.equal(info.sid, self.sid);
  } finally {
    child.kill(9);
    await child.status;
  }
});

Deno.test("Spawner.owns() is true until the child's status resolves", async () => {
  const spawner = new Spawner();
  const child = spawner.spawn(request(["/bin/sh", "-c", "exit 3"]));
  assert.equal(spawner.owns(child.pid), true);
  assert.deepEqual(await child.status, { code: 3, signal: null });
  assert.equal(spawner.owns(child.pid), false);
});

Deno.test("Spawner.spawn() passes exactly the given environment, cwd and piped output", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const spawner = new Spawner();
    const child = spawner.spawn(
      request(["/bin/sh", "-c", 'echo "$FOO|${HOME-unset}|$(pwd)"; echo err >&2'], {
        env: { FOO: "bar baz" },
        cwd: dir,
        stdout: "piped",
        stderr: "piped",
      }),
    );
    const [out, err] = await Promise.all([
      new Response(child.stdout).text(),
      new Response(child.stderr).text(),
    ]);
    assert.equal(out, `bar baz|unset|${await Deno.realPath(dir)}\n`);
    assert.equal(err, "err\n");
    assert.deepEqual(await child.status, { code: 0, signal: null });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("ChildHandle.kill() with group reaches the child's own children", async () => {
  const spawner = new Spawner();
  const child = spawner.spawn(
    request(["/bin/sh", "-c", "sleep 30 & echo $!; wait"], { stdout: "piped" }),
  );
  const reader = child.stdout!.getReader();
  const { value } = await reader.read();
  reader.releaseLock();
  await child.stdout!.cancel();
  const grandchild = Number(new TextDecoder().decode(value).trim());
  assert.ok(grandchild > 0);
  assert.equal(readProcess(grandchild)?.pgid, child.pid);
  assert.equal(child.kill(15, { group: true }), true);
  assert.deepEqual(await child.status, { code: null, signal: 15 });
  await waitFor(() => !pidAlive(grandchild), "the grandchild to die");
});

Deno.test("ChildHandle.kill() returns false once the child has ended", async () => {
  const spawner = new Spawner();
  const child = spawner.spawn(request(["/bin/true"]));
  await child.status;
  assert.equal(child.kill(15), false);
  assert.equal(child.kill(15, { group: true }), false);
});

Deno.test("Spawner.spawn() throws NotFound for a missing program", () => {
  const spawner = new Spawner();
  assert.throws(
    () => spawner.spawn(request(["/nonexistent/program"])),
    Deno.errors.NotFound,
  );
});

Deno.test({
  name: "Spawner.spawn() with uid/gid switches user and drops supplementary groups",
  // Switching user and setting groups with setpriv both need root.
  ignore: Deno.uid() !== 0,
}, async () => {
  const fixture = new URL("./_fixtures/spawn_groups.ts", import.meta.url).pathname;
  const out = await new Deno.Command("setpriv", {
    args: ["--groups", "4,27", "--", Deno.execPath(), "run", "-A", fixture],
    stdout: "piped",
    stderr: "inherit",
  }).output();
  assert.equal(out.code, 0);
  const result = JSON.parse(new TextDecoder().decode(out.stdout));
  // The parent really had groups to lose, so an empty child list proves they were dropped.
  assert.deepEqual(result, { parent: "4 27", child: "", childUid: "65534" });
});

Deno.test("resolveExecutable() follows spec §5.1", async (t) => {
  const dir = await Deno.makeTempDir();
  try {
    const a = join(dir, "a");
    const b = join(dir, "b");
    await Deno.mkdir(a);
    await Deno.mkdir(b);
    await Deno.writeTextFile(join(a, "tool"), "#!/bin/sh\n", { mode: 0o644 });
    await Deno.writeTextFile(join(b, "tool"), "#!/bin/sh\n", { mode: 0o755 });
    await Deno.writeTextFile(join(a, "plain"), "", { mode: 0o644 });
    await Deno.mkdir(join(b, "adir"));
    await Deno.writeTextFile(join(dir, "local"), "#!/bin/sh\n", { mode: 0o755 });
    const cases: {
      argv0: string;
      path?: string;
      want: string | "NotFound" | "PermissionDenied";
    }[] = [
      { argv0: "tool", path: `${a}:${b}`, want: join(b, "tool") },
      { argv0: "tool", path: `${b}:${a}`, want: join(b, "tool") },
      { argv0: "plain", path: `${a}:${b}`, want: "PermissionDenied" },
      { argv0: "adir", path: `${a}:${b}`, want: "NotFound" },
      { argv0: "missing", path: `${a}:${b}`, want: "NotFound" },
      { argv0: "local", path: `${a}:`, want: join(dir, "local") },
      { argv0: "local", path: "b:.", want: join(dir, "local") },
      { argv0: "./local", path: a, want: join(dir, "local") },
      { argv0: "b/tool", path: "", want: join(b, "tool") },
      { argv0: `${a}/tool`, path: "", want: "PermissionDenied" },
      { argv0: `${b}/adir`, path: "", want: "NotFound" },
      { argv0: "~/tool", path: "", want: join(b, "tool") },
      { argv0: "", path: b, want: "NotFound" },
    ];
    for (const c of cases) {
      await t.step(`${JSON.stringify(c.argv0)} in PATH ${JSON.stringify(c.path)}`, () => {
        const run = () => resolveExecutable(c.argv0, c.path, { cwd: dir, home: b });
        if (c.want === "NotFound") {
          assert.throws(run, (e: unknown) =>
            e instanceof Deno.errors.NotFound &&
            e.message === `executable '${c.argv0}' not found`);
        } else if (c.want === "PermissionDenied") {
          assert.throws(run, Deno.errors.PermissionDenied);
        } else {
          assert.equal(run(), c.want);
        }
      });
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("resolveExecutable() uses the default PATH when none is given", () => {
  assert.ok(DEFAULT_PATH.split(":").includes("/bin"));
  assert.match(resolveExecutable("sh", undefined), /\/sh$/);
});
