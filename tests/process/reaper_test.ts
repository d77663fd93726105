import assert from "node:assert/strict";

// The reaper never runs inside the test process itself: parallel test modules spawn children
// through Deno.Command directly, and a reaper here would be right to treat those as orphans.
function fixture(name: string): string {
  return new URL(`./_fixtures/${name}`, import.meta.url).pathname;
}

async function runJson(command: string, args: string[]): Promise<Record<string, unknown>> {
  const out = await new Deno.Command(command, { args, stdout: "piped", stderr: "piped" }).output();
  const stdout = new TextDecoder().decode(out.stdout);
  const stderr = new TextDecoder().decode(out.stderr);
  assert.equal(out.code, 0, `fixture failed: ${stderr}`);
  return JSON.parse(stdout.trim().split("\n").at(-1)!);
}

const isRoot = Deno.uid() === 0;

Deno.test({
  name: "startReaper() as PID 1 reaps 1,000 orphans within 2 s without stealing service statuses",
  ignore: !isRoot,
  async fn() {
    const result = await runJson("unshare", [
      "--pid",
      "--fork",
      "--mount",
      "--mount-proc",
      "--",
      Deno.execPath(),
      "run",
      "-A",
      "--unstable-net",
      fixture("reaper_pid1.ts"),
    ]);
    assert.equal(result.isPid1, true);
    assert.deepEqual(result.makerStatus, { code: 7, signal: null });
    assert.deepEqual(
      result.statuses,
      Array.from({ length: 20 }, (_, i) => ({ code: i, signal: null })),
    );
    assert.deepEqual(result.killedStatus, { code: null, signal: 15 });
    assert.equal(result.orphansReaped, 1000);
    assert.equal(result.clean, true);
    assert.ok((result.reapMs as number) < 2000, `reaping took ${result.reapMs} ms`);
    assert.equal(result.reapNow, 0);
    assert.equal(result.ownedZombieSeen, true);
    assert.equal(result.reapedOwned, 0);
    assert.deepEqual(result.ownedStatus, { code: 42, signal: null });
    assert.equal(result.delivered, true);
    assert.deepEqual(result.victimStatuses, [
      { code: null, signal: 15 },
      { code: null, signal: 15 },
    ]);
    assert.equal(result.killAllClean, true);
    assert.equal(result.orphanReapedAfterKill, 1);
    assert.equal(result.nothingLeft, true);
    assert.equal(result.reapedCounted, true);
  },
});

Deno.test("becomeSubreaper() makes orphans of descendants ours to reap when not PID 1", async () => {
  const result = await runJson(Deno.execPath(), [
    "run",
    "-A",
    "--unstable-net",
    fixture("subreaper.ts"),
  ]);
  assert.equal(result.isPid1, false);
  assert.equal(result.adopted, true);
  assert.deepEqual(result.orphanStatus, { code: 5, signal: null });
  assert.equal(result.followedBefore, "running");
  assert.equal(result.followedAfter, "gone", "reaped by us: its pid is free again");
  assert.deepEqual(result.reapedStatus, { code: 5, signal: null });
  assert.deepEqual(result.parentStatus, { code: 0, signal: null });
  assert.equal(result.zombieLeft, false);
  assert.equal(result.killAllRefused, true);
});
