import assert from "node:assert/strict";
import {
  groupAlive,
  listProcesses,
  parseProcStat,
  pidAlive,
  type ProcessInfo,
  readProcess,
  realUid,
} from "../../src/process/proc_table.ts";

const STAT_TAIL = "0 -1 4194560 97 0 0 0 0 0 0 0 20 0 1 0 1234 1000 100 18446744073709551615";

const PARSE_CASES: { text: string; want: ProcessInfo | null }[] = [
  {
    text: `42 (sleep) S 1 42 42 ${STAT_TAIL}`,
    want: { pid: 42, ppid: 1, pgid: 42, sid: 42, state: "S", comm: "sleep" },
  },
  {
    text: `7 (my prog) Z 3 5 6 ${STAT_TAIL}\n`,
    want: { pid: 7, ppid: 3, pgid: 5, sid: 6, state: "Z", comm: "my prog" },
  },
  {
    text: `8 (a) b) (c) R 2 8 1 ${STAT_TAIL}`,
    want: { pid: 8, ppid: 2, pgid: 8, sid: 1, state: "R", comm: "a) b) (c" },
  },
  {
    text: `9 () I 2 0 0 ${STAT_TAIL}`,
    want: { pid: 9, ppid: 2, pgid: 0, sid: 0, state: "I", comm: "" },
  },
  { text: "", want: null },
  { text: "12 (x", want: null },
  { text: "12 (x) S 1", want: null },
  { text: "abc (x) S 1 2 3", want: null },
  { text: "12 (x) S one 2 3", want: null },
];

for (const { text, want } of PARSE_CASES) {
  Deno.test(`parseProcStat() parses ${JSON.stringify(text.slice(0, 24))}`, () => {
    assert.deepEqual(parseProcStat(text), want);
  });
}

Deno.test("readProcess() describes this process and returns null for a missing pid", () => {
  const self = readProcess(Deno.pid);
  assert.ok(self);
  assert.equal(self.pid, Deno.pid);
  assert.equal(self.ppid, Deno.ppid);
  assert.equal(readProcess(2 ** 22 + 1), null);
});

Deno.test("realUid() is the real uid of a process, undefined for a missing pid", async () => {
  assert.equal(realUid(Deno.pid), Deno.uid());
  assert.equal(realUid(2 ** 22 + 1), undefined);
  if (Deno.uid() !== 0) return;
  // A child started as nobody by root.
  const child = new Deno.Command("sleep", { args: ["30"], uid: 65534, gid: 65534 }).spawn();
  try {
    assert.equal(realUid(child.pid), 65534);
  } finally {
    child.kill("SIGKILL");
    await child.status;
  }
});

Deno.test("listProcesses() includes this process with its parent", () => {
  const all = listProcesses();
  const self = all.find((p) => p.pid === Deno.pid);
  assert.ok(self);
  assert.equal(self.ppid, Deno.ppid);
  assert.ok(all.length > 1);
});

Deno.test("pidAlive() and groupAlive() are true for a live detached child and false after it exits", async () => {
  const child = new Deno.Command("sleep", { args: ["30"], detached: true, stdout: "null" }).spawn();
  try {
    assert.equal(pidAlive(child.pid), true);
    assert.equal(groupAlive(child.pid), true);
  } finally {
    child.kill("SIGKILL");
    await child.status;
  }
  assert.equal(pidAlive(child.pid), false);
  assert.equal(groupAlive(child.pid), false);
});

Deno.test("pidAlive() counts a zombie as gone", async () => {
  // sh forks a child that exits at once while sh keeps sleeping without reaping it (exec).
  const child = new Deno.Command("sh", {
    args: ["-c", "sh -c 'exit 0' & exec sleep 30"],
    stdout: "null",
  }).spawn();
  try {
    let zombie: ProcessInfo | undefined;
    const deadline = Date.now() + 5000;
    while (!zombie && Date.now() < deadline) {
      zombie = listProcesses().find((p) => p.ppid === child.pid && p.state === "Z");
      if (!zombie) await new Promise((r) => setTimeout(r, 10));
    }
    assert.ok(zombie, "expected a zombie grandchild");
    assert.equal(readProcess(zombie.pid)?.state, "Z");
    assert.equal(pidAlive(zombie.pid), false);
  } finally {
    child.kill("SIGKILL");
    await child.status;
  }
});
