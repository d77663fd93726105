// Runs alone in its own process (see wakeable_wait_test.ts), so that no other test's threads
// count: starts a WakeableWait on a socket no one sends to, finds the thread blocked in its
// ppoll, stays idle for IDLE_MS, and reports as JSON how much CPU time the whole process and
// how many context switches the waiting thread used meanwhile. Then closes the wait and
// reports how long that took.
import { bindUnixDatagram, sockaddrUn } from "../../../src/sys/unix_socket.ts";
import { WakeableWait } from "../../../src/sys/wakeable_wait.ts";

const IDLE_MS = 500;
// ppoll's syscall number, as /proc/<pid>/task/<tid>/syscall shows a thread blocked in it.
const PPOLL = Deno.build.arch === "aarch64" ? 73 : 271;

const tasks = () => [...Deno.readDirSync("/proc/self/task")].map((e) => e.name);
const read = (path: string) => {
  try {
    return Deno.readTextFileSync(path);
  } catch {
    return "";
  }
};
// CPU time of every thread of this process, in nanoseconds (schedstat's first field).
const cpuNs = () =>
  tasks().reduce(
    (sum, t) => sum + Number(read(`/proc/self/task/${t}/schedstat`).split(" ")[0] || 0),
    0,
  );
const switches = (tid: string) =>
  Number(/^voluntary_ctxt_switches:\s+(\d+)/m.exec(read(`/proc/self/task/${tid}/status`))?.[1]);

const dir = Deno.makeTempDirSync();
const fd = bindUnixDatagram(sockaddrUn(`${dir}/idle.sock`), "idle socket");
const wait = new WakeableWait(fd);
const result = wait.readable();

let waiter: string | undefined;
const deadline = performance.now() + 5000;
while (waiter === undefined && performance.now() < deadline) {
  waiter = tasks().find((t) =>
    read(`/proc/self/task/${t}/syscall`).split(" ")[0] === String(PPOLL)
  );
  if (waiter === undefined) await new Promise((r) => setTimeout(r, 5));
}
if (waiter === undefined) throw new Error("no thread is blocked in ppoll");

const cpuBefore = cpuNs();
const switchesBefore = switches(waiter);
await new Promise((r) => setTimeout(r, IDLE_MS));
const cpuIdleNs = cpuNs() - cpuBefore;
const waiterSwitches = switches(waiter) - switchesBefore;
const stillBlocked = read(`/proc/self/task/${waiter}/syscall`).split(" ")[0] === String(PPOLL);

const closeStart = performance.now();
await wait.close();
const outcome = await result;
const closeMs = performance.now() - closeStart;
Deno.removeSync(dir, { recursive: true });

// deno-lint-ignore no-console
console.log(
  JSON.stringify({ idleMs: IDLE_MS, cpuIdleNs, waiterSwitches, stillBlocked, outcome, closeMs }),
);
