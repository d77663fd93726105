// Prints this process's Groups: line, then that of a child started by the Spawner as nobody.
// Run under `setpriv --groups …` so that there are supplementary groups to drop.
import { Spawner } from "../../../src/process/spawn.ts";

function groupsOf(status: string): string {
  return status.split("\n").find((l) => l.startsWith("Groups:"))?.slice(7).trim() ?? "?";
}

const spawner = new Spawner();
const child = spawner.spawn({
  argv: ["/bin/cat", "/proc/self/status"],
  env: {},
  uid: 65534,
  gid: 65534,
  detached: true,
  stdin: "null",
  stdout: "piped",
  stderr: "inherit",
});
const text = await new Response(child.stdout).text();
await child.status;
const uid = text.split("\n").find((l) => l.startsWith("Uid:"))?.split("\t")[1];
// deno-lint-ignore no-console
console.log(JSON.stringify({
  parent: groupsOf(Deno.readTextFileSync("/proc/self/status")),
  child: groupsOf(text),
  childUid: uid,
}));
