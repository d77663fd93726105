// Not PID 1: becomes a child subreaper, lets a child orphan a grandchild that exits 5, and
// reports whether the grandchild was adopted and reaped with its status (seen through
// followPid(), the reaper's subscribe() and onReap). Also checks that
// killAll() refuses to run outside PID 1.
import { Spawner } from "../../../src/process/spawn.ts";
import { becomeSubreaper, isPid1, killAll, startReaper } from "../../../src/process/reaper.ts";
import { followPid } from "../../../src/process/pid_watch.ts";
import { readProcess } from "../../../src/process/proc_table.ts";
import type { ExitStatus } from "../../../src/process/exit_status.ts";

becomeSubreaper();
const spawner = new Spawner();
const reaped = new Map<number, ExitStatus>();
using reaper = startReaper({
  isOwned: (pid) => spawner.owns(pid),
  onReap: (pid, status) => reaped.set(pid, status),
});

const parent = spawner.spawn({
  argv: ["/bin/sh", "-c", "(sleep 0.3; exit 5) >/dev/null & echo $!; exit 0"],
  env: { PATH: "/usr/bin:/bin" },
  detached: true,
  stdin: "null",
  stdout: "piped",
  stderr: "inherit",
});
const orphan = Number((await new Response(parent.stdout).text()).trim());
const parentStatus = await parent.status;
const adopted = readProcess(orphan)?.ppid === Deno.pid;
const followed = followPid(orphan);
const followedBefore = followed.state();
const orphanStatus = await new Promise<ExitStatus>((resolve) => reaper.subscribe(orphan, resolve));
const followedAfter = followed.state();
followed.close();
const reapedStatus = reaped.get(orphan);
let killAllRefused = false;
try {
  killAll(0);
} catch {
  killAllRefused = true;
}
// deno-lint-ignore no-console
console.log(JSON.stringify({
  isPid1: isPid1(),
  adopted,
  orphanStatus,
  followedBefore,
  followedAfter,
  reapedStatus,
  parentStatus,
  zombieLeft: readProcess(orphan) !== null,
  killAllRefused,
}));
