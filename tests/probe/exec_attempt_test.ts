/**
 * exec probe attempts with the real spawner (the services' Spawner, adapted): exit statuses, the service's
 * environment, user and directory, and a command that hangs killed with its whole group.
 */
import assert from "node:assert/strict";
import { attemptProbe, type ProbeExecContext } from "../../src/probe/attempt_probe.ts";
import type {
  ProbeProcess,
  ProbeSpawner,
  ProbeSpawnRequest,
} from "../../src/probe/probe_spawner.ts";
import { probeSpawnerOf } from "../../src/cli/probe_adapter.ts";
import { Spawner } from "../../src/process/spawn.ts";
import { groupAlive, pidAlive } from "../../src/process/proc_table.ts";
import { contextOf, CountingClock } from "./_probe_helpers.ts";

const PATH = "/usr/local/bin:/usr/bin:/bin";

/** The real spawner, remembering the pid of each command it started. */
class RecordingSpawner implements ProbeSpawner {
  readonly spawner = new Spawner();
  readonly real = probeSpawnerOf(this.spawner);
  readonly pids: number[] = [];
  spawn(request: ProbeSpawnRequest): ProbeProcess {
    const child = this.real.spawn(request);
    this.pids.push(child.pid);
    return child;
  }
}

function execOf(spawner: ProbeSpawner, extra: Partial<ProbeExecContext> = {}): ProbeExecContext {
  return { spawner, env: { PATH }, ...extra };
}

async function run(argv: string[], timeoutMs = 5000, extra: Partial<ProbeExecContext> = {}) {
  const spawner = new RecordingSpawner();
  const clock = new CountingClock();
  const result = await attemptProbe(
    { kind: "exec", argv, command: argv.join(" ") },
    contextOf(clock, timeoutMs, { exec: execOf(spawner, extra) }),
  );
  assert.equal(clock.armed, 0, "no timer left");
  for (const pid of spawner.pids) {
    // SIGKILL is delivered asynchronously: the group empties within moments, not at once.
    await waitFor(() => !groupAlive(pid), `nothing left in the group of ${pid}`);
    assert.equal(spawner.spawner.owns(pid), false, `${pid} collected`);
  }
  return { result, spawner };
}

async function waitFor(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

Deno.test("exec: `true` is ok, `false` is `exit 1`, and argv[0] is found on the PATH given", async () => {
  assert.deepEqual((await run(["true"])).result, { ok: true });
  assert.deepEqual((await run(["false"])).result, { ok: false, error: "exit 1" });
});

Deno.test("exec: a failure quotes the first line of stderr; a signal death says which", async () => {
  const said = await run([
    "sh",
    "-c",
    "echo; echo '  pg: no response  ' >&2; echo more >&2; exit 2",
  ]);
  assert.deepEqual(said.result, { ok: false, error: "exit 2: pg: no response" });
  const long = await run(["sh", "-c", `printf '%0300d' 0 >&2; exit 3`]);
  assert.ok(!long.result.ok && long.result.error === `exit 3: ${"0".repeat(160)}…`);
  const killed = await run(["sh", "-c", "kill -TERM $$"]);
  assert.deepEqual(killed.result, { ok: false, error: "killed by signal 15" });
});

Deno.test("exec: a program that does not exist cannot run", async () => {
  const { result } = await run(["no-such-probe-program"]);
  assert.deepEqual(result, {
    ok: false,
    error: "cannot run 'no-such-probe-program': no such file",
  });
});

Deno.test("exec: the command gets the service's environment and directory only", async () => {
  const check = 'test "$PROBE_VAR" = yes && test -z "$HOME_LEAK" && test "$(pwd)" = /tmp';
  Deno.env.set("HOME_LEAK", "chaperone's own");
  try {
    const ok = await run(["sh", "-c", check], 5000, {
      env: { PATH, PROBE_VAR: "yes" },
      cwd: "/tmp",
    });
    assert.deepEqual(ok.result, { ok: true });
    const wrong = await run(["sh", "-c", check], 5000, { env: { PATH, PROBE_VAR: "no" } });
    assert.deepEqual(wrong.result, { ok: false, error: "exit 1" });
  } finally {
    Deno.env.delete("HOME_LEAK");
  }
});

Deno.test({
  name: "exec: the command runs as the service's user",
  ignore: Deno.uid() !== 0,
}, async () => {
  const { result } = await run(
    ["sh", "-c", 'test "$(id -u)" = 65534 && test "$(id -g)" = 65534'],
    5000,
    { uid: 65534, gid: 65534, cwd: "/" },
  );
  assert.deepEqual(result, { ok: true });
});

Deno.test("exec: a command that hangs is killed at the timeout with its grandchild", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const started = performance.now();
    const { result, spawner } = await run(
      ["sh", "-c", `sleep 100 & echo $! > ${dir}/grandchild; sleep 100`],
      400,
    );
    assert.deepEqual(result, { ok: false, error: "timed out after 0.4 s" });
    assert.ok(performance.now() - started < 5000);
    const grandchild = Number(await Deno.readTextFile(`${dir}/grandchild`));
    assert.ok(grandchild > 0);
    // Killed with the group; as its parent died first, init collects it.
    await waitFor(() => !pidAlive(grandchild), "the grandchild to be gone");
    assert.equal(groupAlive(spawner.pids[0]!), false);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("exec: what a successful command left running in its group is ended too", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const { result } = await run(["sh", "-c", `sleep 100 & echo $! > ${dir}/left; exit 0`]);
    assert.deepEqual(result, { ok: true });
    const left = Number(await Deno.readTextFile(`${dir}/left`));
    await waitFor(() => !pidAlive(left), "the background process to be gone");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("exec: a cancelled attempt kills the command at once", async () => {
  const spawner = new RecordingSpawner();
  const cancel = new AbortController();
  const clock = new CountingClock();
  const attempt = attemptProbe(
    { kind: "exec", argv: ["sleep", "100"], command: "sleep 100" },
    contextOf(clock, 60_000, { signal: cancel.signal, exec: execOf(spawner) }),
  );
  await waitFor(() => spawner.pids.length === 1, "the command to start");
  cancel.abort();
  assert.deepEqual(await attempt, { ok: false, error: "cancelled" });
  assert.equal(groupAlive(spawner.pids[0]!), false);
  assert.equal(clock.armed, 0);
});

Deno.test("exec: without a process context, or with a spawner that throws, the attempt fails", async () => {
  const clock = new CountingClock();
  const source = { kind: "exec", argv: ["true"], command: "true" } as const;
  assert.deepEqual(await attemptProbe(source, contextOf(clock)), {
    ok: false,
    error: "exec probe has no process context",
  });
  const broken: ProbeSpawner = {
    spawn() {
      throw new Deno.errors.PermissionDenied("Permission denied (os error 13)");
    },
  };
  assert.deepEqual(await attemptProbe(source, contextOf(clock, 1000, { exec: execOf(broken) })), {
    ok: false,
    error: "cannot run 'true': permission denied",
  });
  assert.equal(clock.armed, 0);
});
