/**
 * Shared tools of the reliability suite: a seeded generator (so every randomized round can be
 * replayed with CHAPERONE_FUZZ_SEED), byte mutators, figures printed for docs/reliability.md,
 * and direct probes of a PID 1 run (its resident memory, a timed control round trip).
 */
import { nsPath, type Pid1, waitFor } from "../_helpers/pid1.ts";

/** A small deterministic generator (mulberry32): same seed, same sequence. */
export class Rng {
  #state: number;

  constructor(seed: number) {
    this.#state = seed >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  /** One element of a non-empty list. */
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }

  /** n random bytes. */
  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = this.int(256);
    return out;
  }
}

/**
 * The seed of one randomized test: CHAPERONE_FUZZ_SEED when set, else a fresh one. Printed
 * either way, so a failure in CI can be replayed exactly.
 */
export function fuzzSeed(test: string): number {
  const given = Deno.env.get("CHAPERONE_FUZZ_SEED");
  const seed = given !== undefined && given !== "" ? Number(given) >>> 0 : Date.now() >>> 0;
  figure(test, `seed ${seed} (replay: CHAPERONE_FUZZ_SEED=${seed})`);
  return seed;
}

/** Prints one measured figure of the suite (collected into docs/reliability.md by hand). */
export function figure(test: string, text: string): void {
  // deno-lint-ignore no-console
  console.log(`[reliability] ${test}: ${text}`);
}

const encoder = new TextEncoder();

/** Applies 1-4 random edits (bit flips, inserts, deletions, duplications, cuts) to a copy. */
export function mutateBytes(rng: Rng, input: Uint8Array): Uint8Array {
  let bytes = Array.from(input);
  const edits = 1 + rng.int(4);
  for (let e = 0; e < edits; e++) {
    const at = bytes.length === 0 ? 0 : rng.int(bytes.length);
    switch (rng.int(6)) {
      case 0:
        if (bytes.length > 0) bytes[at] = bytes[at]! ^ (1 << rng.int(8));
        break;
      case 1:
        bytes.splice(at, 0, ...rng.bytes(1 + rng.int(8)));
        break;
      case 2:
        bytes.splice(at, 1 + rng.int(8));
        break;
      case 3:
        bytes.splice(at, 0, ...bytes.slice(at, at + 1 + rng.int(64)));
        break;
      case 4:
        bytes = bytes.slice(0, at);
        break;
      default:
        bytes.splice(at, 0, ...encoder.encode(rng.pick(SPECIAL_TOKENS)));
    }
  }
  return new Uint8Array(bytes);
}

/** Tokens that tend to reach corner cases of parsers (framing, escapes, numbers, shells). */
export const SPECIAL_TOKENS: readonly string[] = [
  "\n",
  "\r\n",
  "\0",
  "<",
  ">",
  "<999999999999>",
  "<-1>",
  "=",
  "\\",
  '"',
  "{",
  "}",
  "[",
  "]",
  ":",
  "%s%n%x",
  "$(touch /tmp/pwned)",
  "`touch /tmp/pwned`",
  "; touch /tmp/pwned",
  "\u{1F600}",
  "\xff\xfe",
  "9".repeat(40),
  "-0",
  "NaN",
  "1e309",
];

/** The resident memory (VmRSS, KiB) of the run's PID 1, read from its /proc status. */
export async function pid1RssKb(p: Pid1): Promise<number> {
  const status = await p.exec(["cat", "/proc/1/status"]);
  const m = /^VmRSS:\s+(\d+) kB/m.exec(status.stdout);
  if (!m) throw new Error(`no VmRSS in /proc/1/status:\n${status.stdout}${status.stderr}`);
  return Number(m[1]);
}

/** The path of a socket inside the run's private /dev, reachable from the host. */
export async function devPath(p: Pid1, name: string): Promise<string> {
  return nsPath(await p.hostPid(), `/dev/${name}`);
}

/**
 * Sends one control request over a fresh connection to the run's socket and returns the reply
 * and how long it took (ms), failing after `timeoutMs`.
 */
export async function timedRequest(
  p: Pid1,
  request: unknown,
  timeoutMs = 5000,
): Promise<{ reply: { ok: boolean; [k: string]: unknown }; ms: number }> {
  const began = performance.now();
  const conn = await Deno.connect({ transport: "unix", path: await devPath(p, "chaperone.sock") });
  const timer = setTimeout(() => conn.close(), timeoutMs);
  try {
    const bytes = encoder.encode(JSON.stringify(request) + "\n");
    let off = 0;
    while (off < bytes.length) off += await conn.write(bytes.subarray(off));
    const buf = new Uint8Array(64 * 1024);
    const chunks: Uint8Array[] = [];
    let text = "";
    while (!text.includes("\n")) {
      const n = await conn.read(buf);
      if (n === null) break;
      chunks.push(buf.slice(0, n));
      text = new TextDecoder().decode(concat(chunks));
    }
    const ms = performance.now() - began;
    return { reply: JSON.parse(text.slice(0, text.indexOf("\n"))), ms };
  } finally {
    clearTimeout(timer);
    try {
      conn.close();
    } catch {
      // Closed by the timer.
    }
  }
}

function concat(chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let off = 0;
  for (const c of chunks) {
    out.set(c, off);
    off += c.length;
  }
  return out;
}

/** Asserts the run is alive and answers `ctl status` (through the real client) with `rows` rows. */
export async function assertServing(p: Pid1, rows: number): Promise<void> {
  const r = await waitFor(async () => {
    const s = await p.ctl("status", "--json");
    return s.code === 0 ? s : undefined;
  }, { timeoutMs: 10_000, what: "ctl status", detail: () => p.output });
  const parsed = JSON.parse(r.stdout) as unknown[];
  if (parsed.length !== rows) {
    throw new Error(`ctl status listed ${parsed.length} services, expected ${rows}\n${r.stdout}`);
  }
}

/** The processes of the namespace as `ps` sees them (pid, state, args), PID 1 included. */
export async function processes(p: Pid1): Promise<{ pid: number; stat: string; args: string }[]> {
  const ps = await p.exec(["ps", "-eo", "pid=,stat=,args="]);
  return ps.stdout.split("\n").filter((l) => l.trim() !== "").map((l) => {
    const m = /^\s*(\d+)\s+(\S+)\s+(.*)$/.exec(l)!;
    return { pid: Number(m[1]), stat: m[2]!, args: m[3]! };
  });
}
