/**
 * Issue 4's syslog benchmark: the same flood (N messages of about 100 bytes from a blocking C
 * sender, scripts/bench/syslog_sender.c compiled here with gcc) into (a) rsyslog with imuxsock
 * on a private socket writing one file, (b) Chaperone's listener and router with one `*.*`
 * file section, (c) the same with five sections and mixed selectors, (d) one `*.*` section
 * with `format: json`, which looks up each sender's service in /proc. For each: messages per
 * second (from the sender's start to the last line written), messages lost (lines in the
 * `*.*` file versus sent) and the receiver's peak RSS (VmHWM), with ratios to rsyslog.
 * rsyslog runs in the foreground with its own config, work directory and pid file, so the
 * machine's syslog is untouched. Needs gcc and rsyslog (Debian packages gcc, rsyslog).
 *
 * usage: scripts/deno run -A --unstable-net scripts/bench/syslog.ts [--count N] [--runs R]
 *        [--deno-flags="<extra deno run flags for the receiver>"]
 */
import { parseArgs } from "node:util";
import type { BenchMode } from "./syslog_receiver.ts";

const here = new URL(".", import.meta.url).pathname;
const enc = new TextEncoder();
const say = (text: string) => Deno.stdout.writeSync(enc.encode(text + "\n"));

interface Result {
  name: string;
  seconds: number;
  lines: number;
  peakRssKiB: number;
  cpuSeconds: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitForPath(path: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      Deno.statSync(path);
      return;
    } catch {
      if (Date.now() > deadline) throw new Error(`${path} did not appear`);
      await sleep(10);
    }
  }
}

// utime + stime of a process, in seconds (USER_HZ is 100 on Linux).
function cpuSeconds(pid: number): number {
  const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

function peakRss(pid: number): number {
  const status = Deno.readTextFileSync(`/proc/${pid}/status`);
  const m = /^VmHWM:\s+(\d+) kB/m.exec(status);
  return m ? Number(m[1]) : Number.NaN;
}

// Counts newlines appended to `path` since the last call.
class LineCounter {
  #offset = 0;
  #buf = new Uint8Array(1 << 20);
  lines = 0;
  constructor(readonly path: string) {}
  poll(): boolean {
    let file: Deno.FsFile;
    try {
      file = Deno.openSync(this.path);
    } catch {
      return false;
    }
    let grew = false;
    try {
      file.seekSync(this.#offset, Deno.SeekMode.Start);
      for (;;) {
        const n = file.readSync(this.#buf);
        if (n === null || n === 0) break;
        grew = true;
        this.#offset += n;
        for (let i = 0; i < n; i++) if (this.#buf[i] === 0x0a) this.lines++;
      }
    } finally {
      file.close();
    }
    return grew;
  }
}

async function runCase(
  name: string,
  receiver: Deno.ChildProcess,
  socket: string,
  output: string,
  sender: string,
  count: number,
): Promise<Result> {
  await waitForPath(socket);
  const cpuBefore = cpuSeconds(receiver.pid);
  const counter = new LineCounter(output);
  const start = performance.now();
  const send = new Deno.Command(sender, { args: [socket, String(count)] }).spawn();
  let senderDone = false;
  const sent = send.status.then((s) => {
    senderDone = true;
    if (!s.success) throw new Error(`${name}: sender failed with ${s.code}`);
  });
  let last = start;
  for (;;) {
    if (counter.poll()) last = performance.now();
    if (counter.lines >= count) break;
    // Once the sender is done, 2 s without growth means the rest is lost.
    if (senderDone && performance.now() - last > 2000) break;
    await sleep(5);
  }
  await sent;
  const peakRssKiB = peakRss(receiver.pid);
  const cpu = cpuSeconds(receiver.pid) - cpuBefore;
  receiver.kill("SIGTERM");
  await receiver.status;
  return {
    name,
    seconds: (last - start) / 1000,
    lines: counter.lines,
    peakRssKiB,
    cpuSeconds: cpu,
  };
}

async function rsyslog(dir: string, sender: string, count: number): Promise<Result> {
  const socket = `${dir}/rsyslog.sock`;
  const output = `${dir}/rsyslog.log`;
  Deno.writeTextFileSync(
    `${dir}/rsyslog.conf`,
    [
      `global(workDirectory="${dir}")`,
      `module(load="imuxsock" SysSock.Use="off")`,
      `input(type="imuxsock" Socket="${socket}" RateLimit.Interval="0" CreatePath="on")`,
      `*.* action(type="omfile" file="${output}")`,
      "",
    ].join("\n"),
  );
  const child = new Deno.Command("rsyslogd", {
    args: ["-n", "-f", `${dir}/rsyslog.conf`, "-i", `${dir}/rsyslog.pid`],
    stdout: "null",
    stderr: "null",
  }).spawn();
  return await runCase("rsyslog (imuxsock → 1 file)", child, socket, output, sender, count);
}

async function chaperone(
  dir: string,
  sender: string,
  count: number,
  mode: BenchMode,
  extraFlags: string[],
): Promise<Result> {
  const socket = `${dir}/chaperone.sock`;
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "--unstable-net",
      ...extraFlags,
      `${here}syslog_receiver.ts`,
      socket,
      dir,
      mode,
    ],
    stdout: "null",
    stderr: "inherit",
  }).spawn();
  const label = {
    one: "Chaperone, 1 section `*.*`",
    five: "Chaperone, 5 sections",
    json: "Chaperone, 1 section `*.*`, `format: json`",
  }[mode];
  return await runCase(label, child, socket, `${dir}/all.log`, sender, count);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      count: { type: "string", default: "200000" },
      runs: { type: "string", default: "1" },
      // Extra `deno run` flags for Chaperone's receiver, e.g. "--v8-flags=--max-semi-space-size=1".
      "deno-flags": { type: "string", default: "" },
    },
  });
  const count = Number(values.count);
  const runs = Number(values.runs);
  const extraFlags = values["deno-flags"].split(" ").filter((f) => f !== "");
  const work = Deno.makeTempDirSync({ prefix: "syslog-bench-" });
  try {
    const sender = `${work}/syslog_sender`;
    const cc = new Deno.Command("gcc", {
      args: ["-O2", "-o", sender, `${here}syslog_sender.c`],
    }).outputSync();
    if (!cc.success) throw new Error(new TextDecoder().decode(cc.stderr));
    const cases: [string, (dir: string) => Promise<Result>][] = [
      ["rsyslog", (d) => rsyslog(d, sender, count)],
      ["one", (d) => chaperone(d, sender, count, "one", extraFlags)],
      ["five", (d) => chaperone(d, sender, count, "five", extraFlags)],
      ["json", (d) => chaperone(d, sender, count, "json", extraFlags)],
    ];
    const best = new Map<string, Result>();
    for (let r = 0; r < runs; r++) {
      for (const [key, run] of cases) {
        const dir = Deno.makeTempDirSync({ dir: work, prefix: `${key}-` });
        const result = await run(dir);
        Deno.removeSync(dir, { recursive: true });
        const prev = best.get(key);
        if (!prev || result.seconds < prev.seconds) best.set(key, result);
      }
    }
    const base = best.get("rsyslog")!;
    const rate = (x: Result) => x.lines / x.seconds;
    say(
      `messages sent per case: ${count}; best of ${runs} run(s); receiver flags: ${
        extraFlags.join(" ") || "none"
      }; ${Deno.build.arch}, ${navigator.hardwareConcurrency} CPUs`,
    );
    say("");
    say(
      "| receiver | msgs/s | vs rsyslog | lost | peak RSS | vs rsyslog | receiver CPU | vs rsyslog |",
    );
    say("|---|---:|---:|---:|---:|---:|---:|---:|");
    for (const x of best.values()) {
      say(
        [
          x.name,
          Math.round(rate(x)).toLocaleString("en-US"),
          (rate(x) / rate(base)).toFixed(2),
          String(count - x.lines),
          `${(x.peakRssKiB / 1024).toFixed(1)} MiB`,
          (x.peakRssKiB / base.peakRssKiB).toFixed(2),
          `${x.cpuSeconds.toFixed(2)} s`,
          (x.cpuSeconds / base.cpuSeconds).toFixed(2),
        ].join(" | ").replace(/^/, "| ").replace(/$/, " |"),
      );
    }
  } finally {
    Deno.removeSync(work, { recursive: true });
  }
}

if (import.meta.main) await main();
