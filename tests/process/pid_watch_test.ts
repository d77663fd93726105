import assert from "node:assert/strict";
import { type ReapNotifier, watchPid } from "../../src/process/pid_watch.ts";
import type { ExitStatus } from "../../src/process/exit_status.ts";

/** A reaper stand-in whose reaps the test triggers by hand. */
class FakeReaper implements ReapNotifier {
  listeners = new Map<number, (status: ExitStatus) => void>();
  subscribe(pid: number, listener: (status: ExitStatus) => void): () => void {
    this.listeners.set(pid, listener);
    return () => this.listeners.delete(pid);
  }
  reap(pid: number, status: ExitStatus): void {
    this.listeners.get(pid)?.(status);
  }
}

/** Starts `sleep` as an orphan of a short-lived shell, so it is not our child. */
async function startForeignSleep(seconds: number): Promise<number> {
  const out = await new Deno.Command("sh", {
    args: ["-c", `sleep ${seconds} >/dev/null 2>&1 & echo $!`],
    stdout: "piped",
  }).output();
  return Number(new TextDecoder().decode(out.stdout).trim());
}

Deno.test("watchPid() resolves with null when a foreign process ends", async () => {
  const pid = await startForeignSleep(0.3);
  const started = Date.now();
  assert.equal(await watchPid(pid), null);
  assert.ok(Date.now() - started >= 200, "resolved before the process ended");
});

Deno.test("watchPid() resolves at once for a pid that does not exist", async () => {
  assert.equal(await watchPid(2 ** 22 + 3), null);
});

Deno.test("watchPid() resolves with the reaper's status when the reaper collects the pid", async () => {
  const pid = await startForeignSleep(30);
  try {
    const reaper = new FakeReaper();
    const watched = watchPid(pid, { reaper });
    reaper.reap(pid, { code: 4, signal: null });
    assert.deepEqual(await watched, { code: 4, signal: null });
    assert.equal(reaper.listeners.size, 0);
  } finally {
    Deno.kill(pid, "SIGKILL");
  }
});

Deno.test("watchPid() rejects with the abort reason and stops polling when aborted", async () => {
  const pid = await startForeignSleep(30);
  try {
    const controller = new AbortController();
    const reaper = new FakeReaper();
    const watched = watchPid(pid, { signal: controller.signal, reaper });
    controller.abort(new Error("stop watching"));
    await assert.rejects(watched, { message: "stop watching" });
    assert.equal(reaper.listeners.size, 0);
  } finally {
    Deno.kill(pid, "SIGKILL");
  }
});
