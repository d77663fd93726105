/**
 * Hostile input: 10,000 random and mutated control requests to the live control socket — valid
 * framing with bad content, bad framing (no newline, binary junk, several lines at once), lines
 * far beyond the limit, and clients that write a request a few bytes at a time. Every reply
 * that comes back is a well-formed response line, no connection hangs, and afterwards the
 * supervisor still answers `ctl status`. CHAPERONE_FUZZ_SEED=<n> replays the round.
 */
import assert from "node:assert/strict";
import { canRunAsPid1, nsPath, type Pid1 } from "../_helpers/pid1.ts";
import { withScenario } from "../integration/_scenario.ts";
import { decodeRequest, decodeResponse, MAX_REQUEST_BYTES } from "../../src/control/protocol.ts";
import { assertServing, devPath, figure, fuzzSeed, mutateBytes, Rng } from "./_fuzz.ts";

const COUNT = 10_000;
const CONCURRENCY = 8;
const encoder = new TextEncoder();

const CORPUS: readonly unknown[] = [
  { cmd: "status" },
  { cmd: "status", json: true },
  { cmd: "health" },
  { cmd: "dependencies" },
  { cmd: "loglevel" },
  { cmd: "loglevel", level: "info" },
  { cmd: "stop", services: ["web"] },
  { cmd: "start", services: ["web"] },
  { cmd: "start", services: ["web", "nosuch"], force: true },
  { cmd: "restart", services: ["web"] },
  { cmd: "reset", services: ["web"], force: true },
  { cmd: "enable", services: ["web.service"] },
  { cmd: "disable", services: ["other"] },
  { cmd: "start", services: ["$(touch /tmp/pwned)", "`touch /tmp/pwned`"] },
];

/** Replaces values with ones of the wrong type, adds unknown keys, nests deeply. */
function mutateJson(rng: Rng, value: unknown, depth = 0): unknown {
  const odd = (): unknown =>
    rng.pick<unknown>([
      null,
      true,
      -1,
      1e308,
      "x".repeat(rng.int(2000)),
      [],
      {},
      [1, "a", null],
      { cmd: "status" },
      "status",
      Number.MAX_SAFE_INTEGER,
    ]);
  if (depth > 3 || rng.chance(0.15)) return odd();
  if (Array.isArray(value)) return value.map((v) => rng.chance(0.3) ? odd() : v);
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (rng.chance(0.1)) continue;
      out[rng.chance(0.05) ? `${k}x` : k] = rng.chance(0.3) ? mutateJson(rng, v, depth + 1) : v;
    }
    if (rng.chance(0.2)) out[rng.pick(["extra", "__proto__", "constructor", "cmd"])] = odd();
    if (rng.chance(0.05)) {
      let deep: unknown = 1;
      for (let i = 0; i < 5000; i++) deep = [deep];
      out.deep = deep;
    }
    return out;
  }
  return odd();
}

type Kind = "json" | "bytes" | "junk" | "multi" | "huge" | "slow";

/** One hostile request payload and how to send it. */
function payload(rng: Rng): { kind: Kind; bytes: Uint8Array } {
  const roll = rng.int(100);
  const base = () => rng.pick(CORPUS);
  if (roll < 45) {
    let text: string;
    try {
      text = JSON.stringify(mutateJson(rng, base()));
    } catch {
      text = "{}";
    }
    return { kind: "json", bytes: encoder.encode(text + "\n") };
  }
  if (roll < 75) {
    return {
      kind: "bytes",
      bytes: mutateBytes(rng, encoder.encode(JSON.stringify(base()) + "\n")),
    };
  }
  if (roll < 88) return { kind: "junk", bytes: rng.bytes(rng.int(300)) };
  if (roll < 97) {
    const lines = Array.from({ length: 2 + rng.int(6) }, () => JSON.stringify(base()));
    return { kind: "multi", bytes: encoder.encode(lines.join(rng.pick(["\n", "\r\n"])) + "\n") };
  }
  if (roll < 99) {
    const size = MAX_REQUEST_BYTES + 1 + rng.int(4 * MAX_REQUEST_BYTES);
    const big = new Uint8Array(size).fill(0x61);
    big.set(encoder.encode(`{"cmd":"status","x":"`));
    return { kind: "huge", bytes: big };
  }
  return { kind: "slow", bytes: encoder.encode(JSON.stringify(base()) + "\n") };
}

/** Whether a payload, were it read as one line, is a request that would end the run. */
function endsTheRun(bytes: Uint8Array): boolean {
  const text = new TextDecoder().decode(bytes);
  return text.split(/\n/).some((line) => {
    try {
      return decodeRequest(line).cmd === "shutdown";
    } catch {
      return false;
    }
  });
}

/** Sends one payload, half-closes, and reads every reply line until the server hangs up. */
async function exchange(
  path: string,
  kind: Kind,
  bytes: Uint8Array,
): Promise<{ replies: string[]; ms: number }> {
  const began = performance.now();
  const conn = await Deno.connect({ transport: "unix", path });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    conn.close();
  }, 15_000);
  const chunks: Uint8Array[] = [];
  try {
    const writing = (async () => {
      try {
        if (kind === "slow") {
          // A few bytes at a time, with pauses, as a slow or malicious client would.
          for (let off = 0; off < bytes.length; off += 7) {
            await conn.write(bytes.subarray(off, off + 7));
            await new Promise((r) => setTimeout(r, 5));
          }
        } else {
          let off = 0;
          while (off < bytes.length) off += await conn.write(bytes.subarray(off));
        }
        await conn.closeWrite();
      } catch {
        // The server may hang up first (a line over the limit): replies are still read.
      }
    })();
    const buf = new Uint8Array(64 * 1024);
    while (true) {
      let n: number | null;
      try {
        n = await conn.read(buf);
      } catch {
        break;
      }
      if (n === null) break;
      chunks.push(buf.slice(0, n));
    }
    await writing;
  } finally {
    clearTimeout(timer);
    try {
      conn.close();
    } catch {
      // Closed by the timer.
    }
  }
  if (timedOut) throw new Error(`no end of reply within 15 s for a ${kind} request`);
  const text = new TextDecoder().decode(
    chunks.reduce((a, c) => {
      const out = new Uint8Array(a.length + c.length);
      out.set(a);
      out.set(c, a.length);
      return out;
    }, new Uint8Array(0)),
  );
  const replies = text.split("\n");
  assert.equal(replies.pop(), "", `a reply without its newline: ${JSON.stringify(text)}`);
  return { replies, ms: performance.now() - began };
}

async function round(p: Pid1, seed: number) {
  const rng = new Rng(seed);
  const path = await devPath(p, "chaperone.sock");
  const byKind = new Map<Kind, number>();
  let ok = 0;
  let errors = 0;
  let skipped = 0;
  let slowest = 0;
  let next = 0;
  const jobs: { kind: Kind; bytes: Uint8Array }[] = [];
  while (jobs.length < COUNT) {
    const job = payload(rng);
    if (endsTheRun(job.bytes)) {
      skipped++;
      continue;
    }
    jobs.push(job);
  }
  const worker = async () => {
    while (next < jobs.length) {
      const job = jobs[next++]!;
      byKind.set(job.kind, (byKind.get(job.kind) ?? 0) + 1);
      const { replies, ms } = await exchange(path, job.kind, job.bytes);
      if (job.kind !== "slow") slowest = Math.max(slowest, ms);
      for (const line of replies) {
        const reply = decodeResponse(line);
        if (reply.ok) ok++;
        else errors++;
      }
      if (job.kind === "huge") {
        assert.deepEqual(replies.map((l) => JSON.parse(l)), [{
          ok: false,
          error: `Line longer than ${MAX_REQUEST_BYTES} bytes`,
        }]);
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return { byKind, ok, errors, skipped, slowest };
}

Deno.test({
  name: "10,000 hostile control requests get well-formed replies or a hang-up, never a hang",
  ignore: !canRunAsPid1,
  fn: () =>
    withScenario(
      `web.service: { command: "sleep 1000" }
other.service: { command: "sleep 1000" }
`,
      {},
      async ({ run }) => {
        await assertServing(run, 2);
        const seed = fuzzSeed("control requests");
        const began = performance.now();
        const r = await round(run, seed);
        const took = (performance.now() - began) / 1000;
        await assertServing(run, 2);
        let pwned = false;
        try {
          Deno.statSync(nsPath(await run.hostPid(), `/tmp/pwned`));
          pwned = true;
        } catch {
          // Expected: nothing ran the words as a shell command.
        }
        assert.equal(pwned, false, "a service name was passed to a shell");
        figure(
          "control requests",
          `${COUNT} connections (${
            [...r.byKind].map(([k, n]) => `${k} ${n}`).join(", ")
          }; ${r.skipped} generated shutdowns left out) in ${took.toFixed(1)} s: ` +
            `${r.ok} ok replies, ${r.errors} error replies, slowest exchange ${
              r.slowest.toFixed(0)
            } ms; ctl status ok`,
        );
        await run.kill("SIGTERM");
        assert.equal(await run.waitExit(), 0, run.output.slice(-3000));
      },
    ),
});
