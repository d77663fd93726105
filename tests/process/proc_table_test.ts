import assert from "node:assert/strict";
import {
  childPids,
  groupAlive,
  listProcesses,
  liveChildren,
  parseProcStat,
  pidAlive,
  type ProcessInfo,
  readProcess,
  realUid,
} from "../../src/process/proc_table.ts";
import { spawnWithSocket } from "../../src/inetd/spawn_with_socket.ts";
import { AT_FDCWD, O } from "../../src/sys/constants.ts";
import { FileDescriptor } from "../../src/sys/file_descriptor.ts";
import { libc } from "../../src/sys/libc.ts";
import { withTempDir } from "../_helpers/with_temp_dir.ts";

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

Deno.test("groupAlive() finds a group that outlived its leader, until its last member ends", async () => {
  const leader = new Deno.Command("sh", {
    args: ["-c", "sleep 30 >/dev/null & echo $!"],
    detached: true,
    stdout: "piped",
  }).spawn();
  const member = Number(new TextDecoder().decode((await leader.output()).stdout).trim());
  try {
    assert.equal(pidAlive(leader.pid), false, "the leader is gone");
    assert.equal(readProcess(member)?.pgid, leader.pid);
    assert.equal(groupAlive(leader.pid), true, "its member still runs");
  } finally {
    Deno.kill(-leader.pid, "SIGKILL");
  }
  await waitFor(() => groupAlive(leader.pid) ? undefined : true, "the group to end");
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

/** Polls `check` every 10 ms until it returns a value, or throws naming `what` after 5 s. */
async function waitFor<T>(check: () => T | undefined, what: string): Promise<T> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const value = check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

Deno.test("childPids() lists our children, not their children; liveChildren() leaves zombies out", async () => {
  // A child of ours that has a child of its own, and a zombie child that Deno does not collect
  // (posix_spawn through FFI: only waitpid below reaps it).
  const parent = new Deno.Command("sh", { args: ["-c", "sleep 30 & wait"], stdout: "null" })
    .spawn();
  const devNull = FileDescriptor.openAt(AT_FDCWD, "/dev/null", O.RDWR | O.CLOEXEC);
  let zombie: number | undefined;
  try {
    zombie = spawnWithSocket(devNull.fd, { argv: ["/bin/true"], env: {} });
    const grandchild = await waitFor(() => {
      const text = Deno.readTextFileSync(`/proc/${parent.pid}/task/${parent.pid}/children`);
      return text.trim() === "" ? undefined : Number(text.trim().split(/\s+/)[0]);
    }, "the grandchild");
    const z = zombie;
    await waitFor(() => readProcess(z)?.state === "Z" || undefined, "the zombie");

    const children = childPids();
    assert.ok(children.includes(parent.pid), "a running child");
    assert.ok(children.includes(zombie), "a zombie child");
    assert.ok(!children.includes(grandchild), "not a grandchild");
    assert.ok(!children.includes(Deno.pid), "not ourselves");
    const live = liveChildren();
    assert.ok(live.includes(parent.pid));
    assert.ok(!live.includes(zombie), "a zombie is not a live child");
  } finally {
    devNull.close();
    if (zombie !== undefined) libc().waitpid(zombie, new Int32Array(1), 0);
    parent.kill("SIGKILL");
    await parent.status;
  }
  assert.ok(!childPids().includes(parent.pid), "a collected child is no child any more");
});

/** Writes `files` (path → text) below `root`. */
function tree(root: string, files: Record<string, string>): void {
  for (const [path, text] of Object.entries(files)) {
    Deno.mkdirSync(`${root}/${path.slice(0, path.lastIndexOf("/"))}`, { recursive: true });
    Deno.writeTextFileSync(`${root}/${path}`, text);
  }
}

const stat = (pid: number, state: string, ppid: number) =>
  `${pid} (p${pid}) ${state} ${ppid} ${pid} ${pid} ${STAT_TAIL}`;

Deno.test("childPids() joins the children lists of every thread", () =>
  withTempDir((root) => {
    tree(root, {
      "42/task/42/children": "100 101 ",
      "42/task/43/children": "102 ",
      "42/task/44/children": "",
      "100/stat": stat(100, "S", 42),
      "101/stat": stat(101, "Z", 42),
      "102/stat": stat(102, "R", 42),
      // Not in any list, so not asked about: the lists are the source, not a walk of /proc.
      "103/stat": stat(103, "S", 42),
    });
    // A thread that ended while the lists were read has no directory left to read.
    Deno.mkdirSync(`${root}/42/task/45`);
    assert.deepEqual(childPids({ root, self: 42 }).sort(), [100, 101, 102]);
    assert.deepEqual(liveChildren({ root, self: 42 }).sort(), [100, 102]);
  }));

Deno.test("childPids() walks /proc for our children when the kernel has no children lists", () =>
  withTempDir((root) => {
    tree(root, {
      "42/task/42/stat": stat(42, "S", 1),
      "42/stat": stat(42, "S", 1),
      "100/stat": stat(100, "S", 42),
      "101/stat": stat(101, "Z", 42),
      "102/stat": stat(102, "S", 100),
    });
    assert.deepEqual(childPids({ root, self: 42 }).sort(), [100, 101]);
    assert.deepEqual(liveChildren({ root, self: 42 }), [100]);
  }));
