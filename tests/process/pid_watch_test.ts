import assert from "node:assert/strict";
import { followPid } from "../../src/process/pid_watch.ts";
import { waitFor } from "../_helpers/pid1.ts";

/** Starts `sleep` as an orphan of a short-lived shell, so it is not our child. */
async function startForeignSleep(seconds: number): Promise<number> {
  const out = await new Deno.Command("sh", {
    args: ["-c", `sleep ${seconds} >/dev/null 2>&1 & echo $!`],
    stdout: "piped",
  }).output();
  return Number(new TextDecoder().decode(out.stdout).trim());
}

Deno.test("followPid() sees a foreign process running, then gone once it ends", async () => {
  const pid = await startForeignSleep(30);
  const followed = followPid(pid);
  try {
    assert.equal(followed.state(), "running");
    Deno.kill(pid, "SIGKILL");
    // Its parent (init or a subreaper, not us) collects it: the status is not ours to know.
    await waitFor(() => followed.state() === "gone" || undefined, { what: "gone" });
  } finally {
    followed.close();
  }
  assert.equal(followed.state(), "gone", "still answers after close()");
});

Deno.test("followPid() of a pid that does not exist is gone at once", () => {
  const followed = followPid(2 ** 22 + 3);
  assert.equal(followed.state(), "gone");
  followed.close();
});

Deno.test("followPid() of our own child is gone once Deno has collected it", async () => {
  const child = new Deno.Command("sleep", { args: ["30"] }).spawn();
  const followed = followPid(child.pid);
  try {
    assert.equal(followed.state(), "running");
    child.kill("SIGKILL");
    await child.status;
    // Deno collected it: gone. (The reaper's orphans are `exited` until it reaps them.)
    assert.equal(followed.state(), "gone");
  } finally {
    followed.close();
  }
});
