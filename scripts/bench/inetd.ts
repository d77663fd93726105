/**
 * Issue 5's inetd benchmark: connections per second that an inetd service running `cat`
 * accepts and completes, against `socat TCP-LISTEN:<port>,fork,reuseaddr EXEC:cat` (Debian
 * package socat) in the same run. Each connection sends one line, half-closes, reads the echo
 * until end of file and checks it; C clients do this concurrently until N connections are
 * done. A second inetd service with `uid: nobody` measures the `__inetd-exec` helper road
 * (used when a user must be switched). Chaperone runs as PID 1 of its own PID and mount
 * namespace (as in the black-box tests), so the machine's /dev/log and control socket are
 * untouched. Clients use loopback only; the servers listen on free high ports for the length
 * of the run.
 *
 * usage: scripts/deno run -A --unstable-net scripts/bench/inetd.ts [--count N]
 *        [--concurrency C] [--runs R]
 */
import { parseArgs } from "node:util";
import { startPid1, tempTree, waitFor } from "../../tests/_helpers/pid1.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();
const say = (text: string) => Deno.stdout.writeSync(enc.encode(text + "\n"));

function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

/** One echo round trip: line out, half-close, read to end of file. */
async function echoOnce(port: number, i: number): Promise<void> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    const line = `connection ${i}\n`;
    await conn.write(enc.encode(line));
    await conn.closeWrite();
    let got = "";
    const buf = new Uint8Array(256);
    for (let n = await conn.read(buf); n !== null; n = await conn.read(buf)) {
      got += dec.decode(buf.subarray(0, n), { stream: true });
    }
    if (got !== line) throw new Error(`connection ${i}: expected ${line.trim()}, got "${got}"`);
  } finally {
    conn.close();
  }
}

/** Runs `count` round trips with `concurrency` clients; returns connections per second. */
async function flood(port: number, count: number, concurrency: number): Promise<number> {
  let next = 0;
  const started = performance.now();
  const client = async () => {
    while (next < count) await echoOnce(port, next++);
  };
  await Promise.all(Array.from({ length: concurrency }, client));
  return count / ((performance.now() - started) / 1000);
}

async function waitListening(port: number): Promise<void> {
  await waitFor(async () => {
    try {
      (await Deno.connect({ hostname: "127.0.0.1", port })).close();
      return true;
    } catch {
      return undefined;
    }
  }, { timeoutMs: 30_000, what: `a listener on port ${port}` });
}

const { values } = parseArgs({
  args: Deno.args,
  options: {
    count: { type: "string", default: "500" },
    concurrency: { type: "string", default: "8" },
    runs: { type: "string", default: "3" },
  },
});
const count = Number(values.count);
const concurrency = Number(values.concurrency);
const runs = Number(values.runs);

const chapPort = freePort();
const helperPort = freePort();
const socatPort = freePort();
const dir = await tempTree({
  // With a uid, each connection goes through the __inetd-exec helper (posix_spawn cannot
  // switch user), so that road is measured too.
  "chaperone.d/10.conf": `echo.service: { type: inetd, port: ${chapPort}, command: "cat" }
helper.service: { type: inetd, port: ${helperPort}, uid: nobody, command: "cat" }\n`,
});
const chaperone = startPid1(["--config", `${dir}/chaperone.d`]);
const socat = new Deno.Command("socat", {
  args: [`TCP-LISTEN:${socatPort},fork,reuseaddr,bind=127.0.0.1`, "EXEC:cat"],
  stdout: "null",
  stderr: "null",
}).spawn();
// Bounded: whatever happens, nothing runs longer than this.
const guard = setTimeout(() => {
  say("benchmark took too long; stopping");
  chaperone.forceKill();
  socat.kill("SIGKILL");
  Deno.exit(1);
}, 10 * 60_000);
try {
  await waitListening(chapPort);
  await waitListening(helperPort);
  await waitListening(socatPort);
  say(`${count} connections, ${concurrency} concurrent clients, best of ${runs} runs`);
  const best = { chaperone: 0, helper: 0, socat: 0 };
  for (let r = 0; r < runs; r++) {
    best.socat = Math.max(best.socat, await flood(socatPort, count, concurrency));
    best.chaperone = Math.max(best.chaperone, await flood(chapPort, count, concurrency));
    best.helper = Math.max(best.helper, await flood(helperPort, count, concurrency));
  }
  say(`| server | connections/s | ratio to socat |`);
  say(`|---|---:|---:|`);
  say(`| socat fork EXEC:cat | ${best.socat.toFixed(0)} | 1.00 |`);
  const row = (name: string, rate: number) =>
    say(`| ${name} | ${rate.toFixed(0)} | ${(rate / best.socat).toFixed(2)} |`);
  row("Chaperone inetd, cat", best.chaperone);
  row("Chaperone inetd, cat, uid nobody (helper)", best.helper);
} finally {
  clearTimeout(guard);
  socat.kill("SIGTERM");
  await socat.status;
  // SIGTERM to PID 1 itself: killing only the unshare launcher would leave the namespace up.
  await chaperone.kill("SIGTERM");
  await chaperone.waitExit(30_000).catch(() => {});
  await chaperone.dispose();
  await Deno.remove(dir, { recursive: true });
}
