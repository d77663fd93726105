// Throws from every kind of callback an event loop runs (a timer, a microtask, a signal
// handler, a rejected promise nobody awaits), then says "alive" and exits 0. With the crash
// guard installed each throw is reported and the process lives on; with "off" it dies.
import { installCrashGuard } from "../../../src/cli/crash_guard.ts";

if (Deno.args[0] !== "off") {
  // deno-lint-ignore no-console
  installCrashGuard((message) => console.log(`REPORT ${message.split("\n")[0]}`));
}
setTimeout(() => {
  throw new Error("timer bug");
}, 0);
Promise.reject(new Error("promise bug"));
queueMicrotask(() => {
  throw new TypeError("microtask bug");
});
Deno.addSignalListener("SIGUSR1", () => {
  throw new RangeError("signal bug");
});
setTimeout(() => Deno.kill(Deno.pid, "SIGUSR1"), 20);
setTimeout(() => {
  // deno-lint-ignore no-console
  console.log("alive");
  Deno.exit(0);
}, 300);
