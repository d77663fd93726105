import assert from "node:assert/strict";

const FIXTURE = new URL("./_fixtures/crash_guard.ts", import.meta.url).pathname;

async function run(...args: string[]) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", FIXTURE, ...args],
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

Deno.test("installCrashGuard() reports errors escaping a timer, a microtask, a signal handler and a promise, and the process lives", async () => {
  const r = await run();
  assert.equal(r.code, 0, r.stderr);
  const reports = r.stdout.split("\n").filter((l) => l.startsWith("REPORT ")).sort();
  assert.deepEqual(reports, [
    "REPORT uncaught exception (Chaperone carries on): Error: timer bug",
    "REPORT uncaught exception (Chaperone carries on): TypeError: microtask bug",
    "REPORT unhandled promise rejection (Chaperone carries on): Error: promise bug",
    "REPORT unhandled promise rejection (Chaperone carries on): RangeError: signal bug",
  ]);
  assert.match(r.stdout, /^alive$/m);
});

Deno.test("without the crash guard the same script dies at the first of them", async () => {
  const r = await run("off");
  assert.notEqual(r.code, 0);
  assert.doesNotMatch(r.stdout, /alive/);
});
