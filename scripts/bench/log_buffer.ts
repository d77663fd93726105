/**
 * What `ctl logs` costs in memory (docs/benchmarks.md, "Log buffer"): Chaperone as PID 1 of its
 * own PID + mount namespace (tests/_helpers/pid1.ts) with N services that each print --lines
 * lines of --width characters once and then sleep, run once per `log_buffer_lines` value asked
 * for. After every line has reached the service's ring (`ctl logs -n 1` shows each service's
 * last line) and an idle pause, PID 1's VmRSS is read; the difference to the run with
 * `log_buffer_lines: 0` is what the rings hold. No logging section and `--no-console-log`, so
 * the lines go nowhere else. A flood of records leaves garbage that V8 collects when it likes,
 * so one run's RSS varies by tens of MB; with --pace S each service pauses S seconds after every
 * 10 lines, so that the records die young and what stays is what the buffers hold. The best
 * (lowest) of several runs is printed, and the median beside it.
 *
 * With --in-process it measures exactly what RSS only estimates: the same lines written into the
 * store (syslog/service_logs.ts) in this process, between two full garbage collections, and the
 * V8 heap kept by them (run it with --v8-flags=--expose-gc).
 *
 * Everything is bounded: every wait has a deadline and each namespace is killed when its run
 * ends. Needs root and unshare (Debian package util-linux), except --in-process.
 *
 * usage: scripts/deno run -A --unstable-net scripts/bench/log_buffer.ts [--services 100]
 *        [--lines 1000] [--width 100] [--buffers 0,1000] [--runs 1] [--idle-seconds 3]
 *        [--pace 0]
 *        scripts/deno run -A --v8-flags=--expose-gc scripts/bench/log_buffer.ts --in-process
 *        [--services 100] [--lines 1000] [--width 100] [--buffers 1000]
 */
import { parseArgs } from "node:util";
import { nsPath, type Pid1, startPid1, tempTree, waitFor } from "../../tests/_helpers/pid1.ts";
import { sendControl } from "../../src/control/client.ts";
import { ServiceLogs } from "../../src/syslog/service_logs.ts";
import { serviceOutputRecord } from "../../src/supervisor/service_process.ts";
import { Severity } from "../../src/log/record.ts";

const say = (text: string) => Deno.stdout.writeSync(new TextEncoder().encode(text + "\n"));

function rssKiB(pid: number): number {
  const m = /^VmRSS:\s+(\d+) kB/m.exec(Deno.readTextFileSync(`/proc/${pid}/status`));
  return m ? Number(m[1]) : NaN;
}

/** One run: PID 1's VmRSS in KiB once every line is in. */
async function run(
  services: number,
  lines: number,
  width: number,
  buffer: number,
  idleMs: number,
  pace: number,
): Promise<number> {
  const text = "x".repeat(Math.max(1, width - 12));
  const pause = pace > 0 ? `[ $((i % 10)) -eq 0 ] && sleep ${pace}; ` : "";
  const config = [`settings: { log_buffer_lines: ${buffer} }`];
  for (let i = 0; i < services; i++) {
    config.push(
      `s${i}.service: { command: "sh -c 'i=0; while [ $i -lt ${lines} ]; do i=$((i+1)); ` +
        `echo line $i ${text}; ${pause}done; echo last; exec sleep 100000'" }`,
    );
  }
  const dir = await tempTree({ "chaperone.d/bench.conf": config.join("\n") + "\n" });
  let p: Pid1 | undefined;
  try {
    p = startPid1(["--config", `${dir}/chaperone.d`, "--no-console-log"]);
    const pid1 = p;
    await waitFor(async () => (await pid1.ctl("status")).code === 0 || undefined, {
      timeoutMs: 120_000,
      what: "the control socket",
      detail: () => pid1.output,
    });
    if (buffer > 0) {
      // Every service's last line is in its ring (asked over the socket: one ctl per service
      // would take longer than the run).
      const socket = nsPath(await pid1.hostPid(), "/dev/chaperone.sock");
      const pending = new Set(Array.from({ length: services }, (_, i) => `s${i}`));
      await waitFor(async () => {
        for (const name of [...pending]) {
          let last = "";
          await sendControl(socket, { cmd: "logs", services: [name], lines: 1 }, {
            stream: { frame: (f) => last = f.kind === "line" ? f.text : last },
          });
          if (last === "last") pending.delete(name);
        }
        return pending.size === 0 || undefined;
      }, { timeoutMs: 300_000, what: "every service's last line" });
    } else {
      await waitFor(async () => {
        const r = await pid1.exec(["sh", "-c", "ps -eo comm | grep -c '^sleep$'"]);
        return Number(r.stdout.trim()) === services || undefined;
      }, { timeoutMs: 300_000, what: "every service to print its lines" });
    }
    await new Promise((r) => setTimeout(r, idleMs));
    return rssKiB(await pid1.hostPid());
  } finally {
    await p?.dispose();
    await Deno.remove(dir, { recursive: true });
  }
}

/** The V8 heap (bytes) that the lines keep in a store of `buffer` lines per service. */
function heldInProcess(services: number, lines: number, width: number, buffer: number): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error("--in-process needs --v8-flags=--expose-gc");
  const text = "x".repeat(Math.max(1, width - 12));
  const sink = { write() {} };
  const decoder = new TextDecoder();
  const encoder = new TextEncoder();
  gc();
  const before = Deno.memoryUsage().heapUsed;
  const logs = new ServiceLogs({ lines: buffer, services });
  for (let i = 1; i <= lines; i++) {
    for (let s = 0; s < services; s++) {
      // Decoded from bytes, as a pipe's lines are (a fresh string each).
      const line = decoder.decode(encoder.encode(`line ${i} ${text}`));
      logs.write(serviceOutputRecord(`s${s}.service`, 1000 + s, Severity.INFO, line, sink)!);
    }
  }
  gc();
  const held = Deno.memoryUsage().heapUsed - before;
  const kept = logs.read(undefined, Number.MAX_SAFE_INTEGER, false).tail.length;
  say(`| ${buffer} | ${kept} | ${(held / 1048576).toFixed(1)} | ${Math.round(held / kept)} |`);
  return held;
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      services: { type: "string", default: "100" },
      lines: { type: "string", default: "1000" },
      width: { type: "string", default: "100" },
      buffers: { type: "string", default: "0,1000" },
      runs: { type: "string", default: "1" },
      "idle-seconds": { type: "string", default: "3" },
      pace: { type: "string", default: "0" },
      "in-process": { type: "boolean", default: false },
    },
  });
  const services = Number(values.services);
  const lines = Number(values.lines);
  const width = Number(values.width);
  const runs = Number(values.runs);
  const idleMs = Number(values["idle-seconds"]) * 1000;
  const buffers = values.buffers.split(",").map(Number);
  if (values["in-process"]) {
    say(`${services} services × ${lines} lines of ${width} characters, in process`);
    say("| log_buffer_lines | lines kept | heap held MiB | bytes a line |");
    say("| ---------------- | ---------- | ------------- | ------------ |");
    for (const buffer of buffers.filter((b) => b > 0)) {
      heldInProcess(services, lines, width, buffer);
    }
    return 0;
  }
  say(
    `${services} services × ${lines} lines of ${width} characters, pace ${values.pace} s; ` +
      `${runs} run(s) each`,
  );
  say("| log_buffer_lines | VmRSS MiB, best | median | runs |");
  say("| ---------------- | --------------- | ------ | ---- |");
  for (const buffer of buffers) {
    const figures: number[] = [];
    for (let i = 0; i < runs; i++) {
      figures.push(await run(services, lines, width, buffer, idleMs, Number(values.pace)));
    }
    figures.sort((a, b) => a - b);
    const mib = (kib: number) => (kib / 1024).toFixed(1);
    const median = figures[Math.floor(figures.length / 2)]!;
    say(`| ${buffer} | ${mib(figures[0]!)} | ${mib(median)} | ${figures.map(mib).join(", ")} |`);
  }
  return 0;
}

if (import.meta.main) Deno.exit(await main());
