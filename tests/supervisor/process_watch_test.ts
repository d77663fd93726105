import assert from "node:assert/strict";
import { watchAttached, watchGroup, watchPidfile } from "../../src/supervisor/process_watch.ts";
import { FakeProcesses, ManualClock } from "../_helpers/fakes.ts";
import { withTempDir } from "../_helpers/with_temp_dir.ts";

function setup() {
  const clock = new ManualClock();
  const processes = new FakeProcesses();
  const proc = processes.spawn({
    argv: ["daemon"],
    env: {},
    detached: true,
    stdin: "null",
    stdout: "inherit",
    stderr: "inherit",
  });
  return { clock, processes, pid: proc.pid };
}

/**
 * Watches `<dir>/daemon.pid` (made by `make` first, when given); every report lands in `seen`
 * as `pid N`, `refused <why>` or `garbage`.
 */
function watchFile(
  dir: string,
  options: { active?: () => boolean; make?: (f: string) => void } = {},
) {
  const { clock, processes, pid } = setup();
  const file = `${dir}/daemon.pid`;
  options.make?.(file);
  const seen: string[] = [];
  watchPidfile({
    clock,
    processes,
    file,
    active: options.active ?? (() => true),
    onPid: (p) => seen.push(`pid ${p}`),
    onRefused: (why) => seen.push(`refused ${why}`),
    onGarbage: () => seen.push("garbage"),
  });
  return { clock, pid, file, seen };
}

Deno.test("watchPidfile() reports the pid once the file holds a number", async () => {
  await withTempDir(async (dir) => {
    const { clock, pid, file, seen } = watchFile(dir);
    await clock.advance(500);
    assert.deepEqual(seen, [], "no file yet");
    Deno.writeTextFileSync(file, "12ab\n");
    await clock.advance(1000);
    assert.deepEqual(seen, ["garbage"], "garbled content is reported once, and waited on");
    seen.length = 0;
    Deno.writeTextFileSync(file, `${pid}\n`);
    await clock.advance(1000);
    assert.deepEqual(seen, [`pid ${pid}`]);
    await clock.advance(5000);
    assert.deepEqual(seen, [`pid ${pid}`], "the watch ends after its answer");
  });
});

Deno.test("watchPidfile() reports any pid: whether it lives and whose it is is the caller's", async () => {
  await withTempDir(async (dir) => {
    const { clock, seen } = watchFile(dir, { make: (f) => Deno.writeTextFileSync(f, "999999") });
    await clock.advance(0);
    assert.deepEqual(seen, ["pid 999999"]);
  });
});

for (
  const [what, make, why] of [
    ["a FIFO", (f: string) => mkfifo(f), /is a FIFO/],
    ["a symlink to /dev/zero", (f: string) => Deno.symlinkSync("/dev/zero", f), /symbolic link/],
    ["a symlink to a real pidfile", (f: string) => {
      Deno.writeTextFileSync(`${f}.real`, "42\n");
      Deno.symlinkSync(`${f}.real`, f);
    }, /symbolic link/],
    ["longer than 64 bytes", (f: string) => Deno.writeTextFileSync(f, "4".repeat(65)), /64 bytes/],
  ] as const
) {
  Deno.test(`watchPidfile() refuses a pidfile that is ${what}, at once and once`, async () => {
    await withTempDir(async (dir) => {
      const { clock, file, seen } = watchFile(dir, { make });
      await clock.advance(5000);
      assert.equal(seen.length, 1, seen.join(" | "));
      assert.match(seen[0]!, why);
      assert.ok(seen[0]!.startsWith(`refused ${file}`), seen[0]);
    });
  });
}

function mkfifo(path: string): void {
  assert.ok(new Deno.Command("mkfifo", { args: [path] }).outputSync().success);
}

Deno.test("watchPidfile() stops polling when the watch is no longer active", async () => {
  await withTempDir(async (dir) => {
    let active = true;
    const { clock, pid, file, seen } = watchFile(dir, { active: () => active });
    await clock.advance(100);
    active = false;
    Deno.writeTextFileSync(file, String(pid));
    await clock.advance(5000);
    assert.deepEqual(seen, []);
  });
});

Deno.test("watchAttached() calls onGone once the followed pid is gone", async () => {
  const { clock, processes, pid } = setup();
  let gone = 0;
  watchAttached({ clock, processes, active: () => true }, pid, () => gone++);
  await clock.advance(3000);
  assert.equal(gone, 0);
  processes.of("daemon")!.exit();
  await clock.advance(250);
  assert.equal(gone, 1);
  await clock.advance(5000);
  assert.equal(gone, 1);
});

Deno.test("watchAttached() leaves a zombie of ours to the reaper, which brings its status", async () => {
  const { clock, processes, pid } = setup();
  let active = true;
  let gone = 0;
  watchAttached({ clock, processes, active: () => active }, pid, () => gone++);
  processes.zombies.add(pid);
  processes.of("daemon")!.exit();
  await clock.advance(5000);
  assert.equal(gone, 0, "waits while it is ours to reap");
  active = false; // the reaper reported it: the main pid is no longer attached
  processes.zombies.delete(pid);
  await clock.advance(1000);
  assert.equal(gone, 0);
});

Deno.test("watchGroup() calls onGone once the group is gone", async () => {
  const { clock, processes, pid } = setup();
  let gone = 0;
  watchGroup({ clock, processes, active: () => true }, pid, () => gone++);
  await clock.advance(1000);
  assert.equal(gone, 0);
  processes.of("daemon")!.exit();
  await clock.advance(100);
  assert.equal(gone, 1);
});

Deno.test("watchGroup() answers at once without a group, and not at all when inactive", async () => {
  const { clock, processes, pid } = setup();
  let gone = 0;
  watchGroup({ clock, processes, active: () => true }, undefined, () => gone++);
  assert.equal(gone, 1);
  processes.of("daemon")!.exit();
  watchGroup({ clock, processes, active: () => false }, pid, () => gone++);
  await clock.advance(1000);
  assert.equal(gone, 1);
});
