import assert from "node:assert/strict";
import { watchAttached, watchGroup, watchPidfile } from "../../src/supervisor/watchers.ts";
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

Deno.test("watchPidfile() reports the pid once the file names a live process", async () => {
  await withTempDir(async (dir) => {
    const { clock, processes, pid } = setup();
    const file = `${dir}/daemon.pid`;
    const seen: string[] = [];
    watchPidfile({
      clock,
      processes,
      file,
      active: () => true,
      onPid: (p) => seen.push(`pid ${p}`),
      onDead: (p) => seen.push(`dead ${p}`),
      onGarbage: () => seen.push("garbage"),
    });
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

Deno.test("watchPidfile() reports a pid that does not exist", async () => {
  await withTempDir(async (dir) => {
    const { clock, processes } = setup();
    const file = `${dir}/daemon.pid`;
    Deno.writeTextFileSync(file, "999999");
    const seen: number[] = [];
    watchPidfile({
      clock,
      processes,
      file,
      active: () => true,
      onPid: () => assert.fail("no such process"),
      onDead: (p) => seen.push(p),
    });
    await clock.advance(0);
    assert.deepEqual(seen, [999999]);
  });
});

Deno.test("watchPidfile() stops polling when the watch is no longer active", async () => {
  await withTempDir(async (dir) => {
    const { clock, processes, pid } = setup();
    const file = `${dir}/daemon.pid`;
    let active = true;
    const seen: number[] = [];
    watchPidfile({
      clock,
      processes,
      file,
      active: () => active,
      onPid: (p) => seen.push(p),
      onDead: (p) => seen.push(p),
    });
    await clock.advance(100);
    active = false;
    Deno.writeTextFileSync(file, String(pid));
    await clock.advance(5000);
    assert.deepEqual(seen, []);
  });
});

Deno.test("watchAttached() calls onGone after the pid is gone and a grace", async () => {
  const { clock, processes, pid } = setup();
  let gone = 0;
  watchAttached({ clock, processes, active: () => true }, pid, () => gone++);
  await clock.advance(3000);
  assert.equal(gone, 0);
  processes.of("daemon")!.exit();
  await clock.advance(1000);
  assert.equal(gone, 0, "the reaper gets a grace to deliver the real status first");
  await clock.advance(100);
  assert.equal(gone, 1);
  await clock.advance(5000);
  assert.equal(gone, 1);
});

Deno.test("watchAttached() stays quiet when the watch ends during the grace", async () => {
  const { clock, processes, pid } = setup();
  let active = true;
  let gone = 0;
  watchAttached({ clock, processes, active: () => active }, pid, () => gone++);
  processes.of("daemon")!.exit();
  await clock.advance(1050);
  active = false;
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
