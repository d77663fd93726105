import assert from "node:assert/strict";
import {
  denoSignal,
  MAX_SIGNAL,
  onSignals,
  parseSignal,
  signalName,
  signalNumber,
} from "../../src/process/signals.ts";

const VALID: [string | number, number][] = [
  ["SIGTERM", 15],
  ["TERM", 15],
  ["term", 15],
  ["SigTerm", 15],
  [" SIGINT ", 2],
  ["15", 15],
  ["9", 9],
  [1, 1],
  [31, 31],
  ["HUP", 1],
  ["SIGKILL", 9],
  ["usr1", 10],
  ["SIGUSR2", 12],
  ["SIGCHLD", 17],
  ["SIGCLD", 17],
  ["SIGIOT", 6],
  ["SIGPOLL", 29],
  ["SIGIO", 29],
  ["SIGSYS", 31],
  ["SIGWINCH", 28],
];

for (const [spec, want] of VALID) {
  Deno.test(`parseSignal() returns ${want} for ${JSON.stringify(spec)}`, () => {
    assert.equal(parseSignal(spec), want);
  });
}

const INVALID: (string | number)[] = [
  "",
  "SIG",
  "NOPE",
  "SIGNOPE",
  "0",
  "32",
  "-1",
  "1.5",
  0,
  32,
  2.5,
  "15x",
];

for (const spec of INVALID) {
  Deno.test(`parseSignal() throws for ${JSON.stringify(spec)}`, () => {
    assert.throws(() => parseSignal(spec), {
      name: "RangeError",
      message: `Invalid signal specifier: ${spec}`,
    });
  });
}

Deno.test("signalName() maps every number 1..31 to a name that parses back to it", () => {
  for (let n = 1; n <= MAX_SIGNAL; n++) {
    const name = signalName(n);
    assert.match(name, /^SIG[A-Z0-9]+$/);
    assert.equal(parseSignal(name), n);
    assert.equal(signalNumber(denoSignal(n)), n);
  }
  assert.equal(MAX_SIGNAL, 31);
  assert.equal(signalName(15), "SIGTERM");
  assert.equal(signalName(6), "SIGABRT");
  assert.equal(signalName(40), "SIG40");
});

Deno.test("denoSignal() throws for a number without a name", () => {
  assert.throws(() => denoSignal(0), RangeError);
  assert.throws(() => denoSignal(64), RangeError);
});

Deno.test("onSignals() calls the handler with the signal number until removed", async () => {
  const seen: number[] = [];
  const controller = new AbortController();
  onSignals([10, 12], (signo) => seen.push(signo), { signal: controller.signal });
  Deno.kill(Deno.pid, "SIGUSR1");
  Deno.kill(Deno.pid, "SIGUSR2");
  const deadline = Date.now() + 5000;
  while (seen.length < 2 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 10));
  }
  controller.abort();
  assert.deepEqual(seen.toSorted(), [10, 12]);
});
