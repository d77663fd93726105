// Runs as PID 1 of a fresh PID namespace (see reaper_test.ts). Starts 20 services through
// the Spawner while another child leaves 1,000 orphans behind, then reports as JSON how many
// orphans were reaped, how long the last zombies lingered and what statuses the services got.
// Then checks killAll() against a few remaining processes.
import { Spawner } from "../../../src/process/spawn.ts";
import { isPid1, killAll, startReaper } from "../../../src/process/reaper.ts";
import { isGone, listProcesses, readProcess } from "../../../src/process/proc_table.ts";
import type { ExitStatus } from "../../../src/process/exit_status.ts";

const ORPHANS = 1000;
const spawner = new Spawner();
const reapedPids = new Set<number>();
using reaper = startReaper({
  isOwned: (pid) => spawner.owns(pid),
  onReap: (pid) => reapedPids.add(pid),
});

function spawnSh(script: string) {
  return spawner.spawn({
    argv: ["/bin/sh", "-c", script],
    env: { PATH: "/usr/bin:/bin" },
    detached: true,
    stdin: "null",
    stdout: "null",
    stderr: "inherit",
  });
}

async function until(check: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 5));
  }
  return true;
}

const others = () => listProcesses().filter((p) => p.pid !== Deno.pid);

const maker = spawnSh(
  `i=0; while [ $i -lt ${ORPHANS} ]; do (sleep 0.3 &) ; i=$((i+1)); done; exit 7`,
);
const services = Array.from({ length: 20 }, (_, i) => spawnSh(`sleep 0.${i % 10}; exit ${i}`));
const killed = spawnSh("kill -TERM $$");
const makerStatus = await maker.status;
const statuses: ExitStatus[] = await Promise.all(services.map((s) => s.status));
const killedStatus = await killed.status;

// From the moment the last orphan has ended, its zombie must be gone within 2 s.
await until(() => others().every((p) => isGone(p.state)), 20_000);
const allEnded = Date.now();
const clean = await until(() => others().length === 0, 2000);
const reapMs = Date.now() - allEnded;
const orphansReaped = reapedPids.size;

// An owned child that is already a zombie must be left to Deno: spin synchronously (so that
// Deno's runtime cannot collect it first) until it is a zombie, then scan.
const owned = spawnSh("exit 42");
const spinUntil = Date.now() + 5000;
while (readProcess(owned.pid)?.state !== "Z" && Date.now() < spinUntil) { /* spin */ }
const ownedZombieSeen = readProcess(owned.pid)?.state === "Z";
const reapedOwned = reaper.reapNow();
const ownedStatus = await Promise.race([
  owned.status,
  new Promise((r) => setTimeout(() => r("timeout"), 3000)),
]);

// killAll(): two services and one orphan, all gone after kill(-1, SIGTERM).
const victims = [spawnSh("exec sleep 30"), spawnSh("exec sleep 30")];
const orphanParent = spawnSh("sleep 30 & echo $! > /dev/null; exit 0");
await orphanParent.status;
await until(() => others().length === 3, 5000);
const before = reapedPids.size;
const delivered = killAll(15);
const victimStatuses = await Promise.all(victims.map((v) => v.status));
const killAllClean = await until(() => others().length === 0, 2000);

// deno-lint-ignore no-console
console.log(JSON.stringify({
  isPid1: isPid1(),
  makerStatus,
  statuses,
  killedStatus,
  orphansReaped,
  clean,
  reapMs,
  reapNow: reaper.reapNow(),
  ownedZombieSeen,
  reapedOwned,
  ownedStatus,
  delivered,
  victimStatuses,
  killAllClean,
  orphanReapedAfterKill: reapedPids.size - before,
  // The counter of /metrics counts every reap the callback saw (each pid once here).
  reapedCounted: reaper.reaped === reapedPids.size,
  nothingLeft: killAll(15) === false,
}));
