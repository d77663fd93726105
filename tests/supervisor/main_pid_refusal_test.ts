import assert from "node:assert/strict";
import { type MainPidClaim, mainPidRefusal } from "../../src/supervisor/main_pid_refusal.ts";
import type { ProcessFacts } from "../../src/supervisor/ports.ts";

/**
 * A process table as PID 1 sees it: Chaperone is 1; `evil` (uid 65534) was spawned as 100, in
 * its own session 100; `victim` (root) was spawned as 200 and attached daemon 250.
 */
const TABLE: Record<number, ProcessFacts> = {
  100: { ppid: 1, pgid: 100, sid: 100, uid: 65534, running: true }, // evil's shell
  101: { ppid: 100, pgid: 100, sid: 100, uid: 65534, running: true }, // its `sleep &`
  102: { ppid: 101, pgid: 102, sid: 102, uid: 65534, running: true }, // setsid under it
  103: { ppid: 1, pgid: 103, sid: 103, uid: 65534, running: true }, // a daemon it orphaned
  104: { ppid: 100, pgid: 100, sid: 100, uid: 0, running: true }, // a setuid-root child (su)
  105: { ppid: 100, pgid: 100, sid: 100, uid: 65534, running: false }, // a zombie
  200: { ppid: 1, pgid: 200, sid: 200, uid: 0, running: true }, // victim's process
  201: { ppid: 200, pgid: 201, sid: 201, uid: 0, running: true }, // victim's setsid child
  250: { ppid: 1, pgid: 250, sid: 250, uid: 0, running: true }, // victim's attached daemon
  260: { ppid: 1, pgid: 260, sid: 260, uid: 65534, running: true }, // victim's daemon as nobody
  300: { ppid: 0, pgid: 300, sid: 300, uid: 65534, running: true }, // entered from outside
  301: { ppid: 300, pgid: 300, sid: 300, uid: 65534, running: true },
};

function claim(pid: number, over: Partial<MainPidClaim> = {}): string | undefined {
  return mainPidRefusal({
    pid,
    uid: 65534,
    service: { name: "evil.service", pids: [100], pgid: 100 },
    others: [{ name: "victim.service", pids: [200, 250, 260], pgid: 200 }],
    self: 1,
    inspect: (p) => TABLE[p],
    ...over,
  });
}

const CASES: Array<[string, number, Partial<MainPidClaim>, string | undefined]> = [
  ["its own spawned process", 100, {}, undefined],
  ["a child in its process group", 101, {}, undefined],
  ["a descendant that left its session", 102, {}, undefined],
  ["a daemon it orphaned (its launcher exited)", 103, {}, undefined],
  ["PID 1", 1, {}, "it is PID 1"],
  ["PID 1 even for a root service", 1, { uid: undefined }, "it is PID 1"],
  ["Chaperone itself when not PID 1", 7, { self: 7 }, "it is Chaperone itself"],
  ["a pid that does not exist", 999, {}, "there is no such process"],
  ["a zombie", 105, {}, "there is no such process"],
  [
    "its own process running as another user",
    104,
    {},
    "it runs as uid 0, not as the service's uid 65534",
  ],
  ["another service's process", 200, {}, "it runs as uid 0, not as the service's uid 65534"],
  [
    "another service's process, claimed by a root service",
    200,
    { uid: undefined },
    "it belongs to victim.service",
  ],
  [
    "another service's descendant (root claimant)",
    201,
    { uid: undefined },
    "it belongs to victim.service",
  ],
  [
    "another service's attached daemon (root claimant)",
    250,
    { uid: undefined },
    "it belongs to victim.service",
  ],
  ["another service's daemon of the same user", 260, {}, "it belongs to victim.service"],
  ["a process from outside the namespace", 301, {}, "it is not one of the service's processes"],
];

for (const [what, pid, over, want] of CASES) {
  Deno.test(`mainPidRefusal(): ${what} → ${want ?? "accepted"}`, () => {
    assert.equal(claim(pid, over), want);
  });
}

Deno.test("mainPidRefusal(): as a subreaper, the host's init is not an adopting parent", () => {
  const table: Record<number, ProcessFacts> = {
    50: { ppid: 1, pgid: 50, sid: 50, uid: 0, running: true }, // a host process under init
  };
  assert.equal(
    mainPidRefusal({
      pid: 50,
      uid: undefined,
      service: { name: "a.service", pids: [60], pgid: 60 },
      others: [],
      self: 40,
      inspect: (p) => table[p],
    }),
    "it is not one of the service's processes",
  );
});

Deno.test("mainPidRefusal(): a parent loop in a corrupt table ends in a refusal", () => {
  const table: Record<number, ProcessFacts> = {
    10: { ppid: 11, pgid: 10, sid: 10, uid: 0, running: true },
    11: { ppid: 10, pgid: 11, sid: 11, uid: 0, running: true },
  };
  assert.equal(
    mainPidRefusal({
      pid: 10,
      uid: undefined,
      service: { name: "a.service", pids: [60], pgid: 60 },
      others: [],
      self: 1,
      inspect: (p) => table[p],
    }),
    "it is not one of the service's processes",
  );
});
