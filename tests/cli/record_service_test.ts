import assert from "node:assert/strict";
import {
  type ServiceDirectory,
  serviceLeaders,
  serviceOfPid,
} from "../../src/cli/record_service.ts";

// pid → [pgid, sid] of a made-up process table.
const TABLE: Record<number, [number, number]> = {
  100: [100, 100], // web.service's own process
  101: [100, 100], // a child in its group (logger, a worker)
  102: [102, 100], // a job-control child with its own group, in the service's session
  200: [200, 200], // a forking daemon that made its own session: db.service's main pid
  201: [200, 200],
  300: [300, 300], // not a service's
  1: [1, 1],
};

function fakeProcess(pid: number) {
  const entry = TABLE[pid];
  return entry === undefined ? null : { pgid: entry[0], sid: entry[1] };
}

Deno.test("serviceOfPid() finds the service leading the pid, its group or its session", () => {
  const find = serviceOfPid({
    services: () => [
      { name: "web.service", pids: [100] },
      { name: "db.service", pids: [150, 200] },
    ],
    processOf: fakeProcess,
    self: 1,
  });
  assert.equal(find(100), "web.service");
  assert.equal(find(101), "web.service");
  assert.equal(find(102), "web.service", "by session");
  assert.equal(find(201), "db.service", "by the main pid's session");
  assert.equal(find(300), undefined);
  assert.equal(find(1), undefined, "Chaperone itself");
  assert.equal(find(150), "db.service", "a pid that is gone still matches itself");
  assert.equal(find(999), undefined, "a pid that is gone");
});

Deno.test("serviceOfPid() keeps an answer for one turn only, so a restart is seen", async () => {
  let reads = 0;
  let leader = 100;
  const find = serviceOfPid({
    services: () => [{ name: "web.service", pids: [leader] }],
    processOf: (pid) => {
      reads++;
      return fakeProcess(pid);
    },
    self: 1,
  });
  for (let i = 0; i < 50; i++) assert.equal(find(101), "web.service");
  assert.equal(reads, 1, "one /proc read for a burst from one sender");
  await Promise.resolve();
  // The service restarted meanwhile: pid 101 no longer belongs to it.
  leader = 400;
  assert.equal(find(101), undefined);
  assert.equal(reads, 2);
});

const SNAPS: Record<string, { pid?: number; mainPid?: number }> = {
  "web.service": { pid: 100 },
  "db.service": { pid: 150, mainPid: 200 },
  "idle.service": {},
};

const directory: ServiceDirectory = {
  names: () => Object.keys(SNAPS),
  find: (name) => SNAPS[name] ? name : SNAPS[`${name}.service`] ? `${name}.service` : undefined,
  view: (name) => (SNAPS[name] ? { snap: SNAPS[name]! } : undefined),
};

Deno.test("serviceLeaders() lists each running service with its pid and main pid", () => {
  assert.deepEqual([...serviceLeaders(directory)], [
    { name: "web.service", pids: [100] },
    { name: "db.service", pids: [150, 200] },
  ]);
  assert.deepEqual([...serviceLeaders(undefined)], [], "before the supervisor exists");
});
