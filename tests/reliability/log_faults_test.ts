/**
 * Reliability of logging: a flood into /dev/log while the control socket is used (every reply
 * within 200 ms, every line written), and log files that are deleted, moved, lose their
 * directory, cannot be created, or sit on a full disk (/dev/full): one warning each, recovery
 * when possible, no crash. A failure warning whose only section is the failing file reaches
 * stderr; a flood towards a remote host is warned about once; a wall clock stepped back (with
 * libfaketime in PID 1) does not suspend the rotation check.
 */
import assert from "node:assert/strict";
import { canRunAsPid1, CHAPERONE, waitFor } from "../_helpers/pid1.ts";
import { withScenario } from "../integration/_scenario.ts";
import { devPath, figure, timedRequest } from "./_fuzz.ts";
import { floodDevLog } from "../integration/ctl_helpers.ts";

const ignore = !canRunAsPid1;
const FLOOD = 300_000;

Deno.test({
  name:
    "a 300,000-line flood into /dev/log loses nothing while ctl status, stop and start answer in 200 ms (p99)",
  ignore,
  fn: () =>
    withScenario(
      `flood.logging: { selector: "local0.*", file: "$(T)/flood.log" }
web.service: { command: "sleep 1000" }
# Keeps the system up while web is stopped (the last process gone ends it: detect_exit).
keeper.service: { command: "sleep 1000" }
`,
      {},
      async ({ run, read }) => {
        await waitFor(async () => {
          try {
            return (await timedRequest(run, { cmd: "status" })).reply.ok ? true : undefined;
          } catch {
            return undefined;
          }
        }, { timeoutMs: 20_000, what: "the control socket", detail: () => run.output });
        const target = await devPath(run, "log");
        await waitFor(() => {
          try {
            return Deno.statSync(target).isSocket ? true : undefined;
          } catch {
            return undefined;
          }
        }, { what: "/dev/log" });
        // The flood comes from its own process inside the namespace (blocking sends, so the
        // kernel queues rather than drops), leaving this process free to time the replies.
        let flooding = true;
        const flood = floodDevLog(run, FLOOD).finally(() => {
          flooding = false;
        });
        const latencies: number[] = [];
        const commands = [
          { cmd: "status", json: true },
          { cmd: "stop", services: ["web"], wait: true },
          { cmd: "status" },
          { cmd: "start", services: ["web"] },
        ];
        const began = performance.now();
        for (let i = 0; flooding || i < commands.length; i++) {
          const { reply, ms } = await timedRequest(run, commands[i % commands.length]);
          assert.equal(reply.ok, true, JSON.stringify(reply));
          latencies.push(ms);
        }
        const sent = await flood;
        assert.equal(sent.code, 0, sent.stderr);
        const floodSeconds = (performance.now() - began) / 1000;
        const lines = await waitFor(() => {
          const got = read("flood.log").split("\n").filter((l) => l.includes("flood[7]: message "));
          return got.length >= FLOOD ? got : undefined;
        }, {
          timeoutMs: 20_000,
          what: `${FLOOD} lines in flood.log`,
          detail: () => `${read("flood.log").split("\n").length} lines`,
        });
        assert.equal(lines.length, FLOOD);
        const seen = new Set(lines.map((l) => Number(/message (\d+)$/.exec(l)![1])));
        assert.equal(seen.size, FLOOD);
        latencies.sort((a, b) => a - b);
        const max = latencies[latencies.length - 1]!;
        const p50 = latencies[Math.floor(latencies.length / 2)]!;
        figure(
          "log flood",
          `${FLOOD} datagrams in ${floodSeconds.toFixed(1)} s, ${lines.length} lines written; ` +
            `${latencies.length} control requests during it: median ${p50.toFixed(1)} ms, p99 ${
              latencies[Math.floor(latencies.length * 0.99)]!.toFixed(1)
            } ms, max ${max.toFixed(1)} ms`,
        );
        // On an idle 2-core machine the slowest reply takes ~35 ms. With the whole suite running
        // on 2 cores, single replies reach ~200 ms from CPU starvation alone (4 busy loops beside
        // this test alone do the same), so 99% must be under 200 ms and none may take a second,
        // which a listener that drained the flood before serving control would.
        const p99 = latencies[Math.floor(latencies.length * 0.99)]!;
        assert.ok(p99 < 200, `99th percentile of control replies ${p99} ms`);
        assert.ok(max < 1000, `slowest control reply ${max} ms`);
        await run.kill("SIGTERM");
        assert.equal(await run.waitExit(), 0, run.output);
      },
    ),
});

Deno.test({
  name:
    "log files deleted, moved, without their directory, uncreatable or on /dev/full: warned once, recovered",
  ignore,
  fn: () =>
    withScenario(
      `app.logging: { selector: "*.info", file: "$(T)/logs/app.log" }
full.logging: { selector: "*.info", file: "/dev/full" }
console.logging: { selector: "*.info", stdout: true }
ticker.service: { command: "bash -c 'i=0; while :; do i=$((i+1)); echo tick $i; sleep 0.02; done'" }
`,
      {},
      async ({ run, dir, read }) => {
        const log = `${dir}/logs/app.log`;
        const ticks = (name = "logs/app.log") =>
          read(name).split("\n").filter((l) => / tick \d+$/.test(l)).length;
        const grows = async (what: string) => {
          const base = ticks();
          await waitFor(() => ticks() > base + 5 ? true : undefined, {
            timeoutMs: 5000,
            what,
            detail: () => run.output.slice(-2000),
          });
        };
        await grows("ticks in app.log");
        const steps: string[] = [];
        // Deleted: a new file with the same name within a second or so.
        await Deno.remove(log);
        await waitFor(() => ticks() > 5 ? true : undefined, { what: "app.log after deletion" });
        steps.push("deleted");
        // Moved: the next lines go to a new file; the moved one stops growing.
        await Deno.rename(log, `${dir}/app.log.1`);
        await waitFor(() => ticks() > 5 ? true : undefined, { what: "app.log after a move" });
        const moved = ticks("app.log.1");
        await grows("app.log after the move");
        assert.ok(ticks("app.log.1") - moved <= 60, "the moved file kept growing");
        steps.push("moved");
        // Its directory removed: created again.
        await Deno.remove(`${dir}/logs`, { recursive: true });
        await waitFor(() => ticks() > 5 ? true : undefined, { what: "app.log in a new logs/" });
        steps.push("directory removed");
        // The directory cannot be created (a file is in its way): one warning, then recovery.
        await Deno.remove(`${dir}/logs`, { recursive: true });
        await Deno.writeTextFile(`${dir}/logs`, "in the way\n");
        await run.waitForOutput(/cannot open log file \S+\/logs\/app\.log/, 5000);
        // Let it keep failing for a while (three rotation checks' worth of lines) before counting.
        const consoleTicks = () =>
          run.stdout.split("\n").filter((l) => / tick \d+$/.test(l)).length;
        const failingSince = consoleTicks();
        await waitFor(() => consoleTicks() > failingSince + 150 ? true : undefined, {
          timeoutMs: 10_000,
          what: "150 lines while the file cannot be created",
        });
        const beforeRecovery = run.stdout;
        await Deno.remove(`${dir}/logs`);
        await run.waitForOutput(/log file \S+\/logs\/app\.log is writable again/, 5000);
        await grows("app.log after recovery");
        steps.push("uncreatable, then recovered");
        const warnings = (text: string, re: RegExp) => text.split("\n").filter((l) => re.test(l));
        assert.equal(
          warnings(beforeRecovery, /cannot open log file \S+\/logs\/app\.log/).length,
          1,
          beforeRecovery.slice(-3000),
        );
        // /dev/full took every one of those lines and failed each time: one warning only.
        const full = warnings(run.stdout, /cannot write log file \/dev\/full/);
        assert.equal(full.length, 1, run.stdout.slice(-3000));
        assert.match(full[0]!, /No space left on device|ENOSPC|os error 28/);
        const status = await run.ctl("status");
        assert.equal(status.code, 0, status.stderr);
        assert.match(status.stdout, /ticker\.service\s+true\s+running/);
        figure(
          "log file faults",
          `${steps.join(", ")}; ${ticks()} ticks in the current file; ` +
            `1 warning for the uncreatable file, 1 for /dev/full over ${
              run.stdout.split("\n").filter((l) => / tick \d+$/.test(l)).length
            } lines`,
        );
        await run.kill("SIGTERM");
        assert.equal(await run.waitExit(), 0, run.output.slice(-3000));
      },
    ),
});

Deno.test({
  name:
    "a disk-full warning reaches stderr when the full file is its only section, and is not doubled when a console section takes it",
  ignore,
  fn: async () => {
    const ticker =
      `ticker.service: { command: "bash -c 'while :; do echo tick; sleep 0.05; done'" }\n`;
    const warning = /cannot write log file \/dev\/full: No space left on device/;
    const count = (text: string) => text.split("\n").filter((l) => warning.test(l)).length;
    // Alone: the warning's only section is the full file itself.
    await withScenario(
      `full.logging: { selector: "*.info", file: "/dev/full" }\n${ticker}`,
      {},
      async ({ run }) => {
        await run.waitForOutput(warning);
        const status = await run.ctl("status");
        assert.equal(status.code, 0, status.stderr);
        assert.equal(count(run.stderr), 1, run.output);
        assert.equal(count(run.stdout), 0, run.output);
        await run.kill("SIGTERM");
        assert.equal(await run.waitExit(), 0, run.output.slice(-3000));
      },
    );
    // With a console section for warnings: there, once, and not on stderr.
    await withScenario(
      `full.logging: { selector: "*.info", file: "/dev/full" }
console.logging: { selector: "*.warn", stdout: true }
${ticker}`,
      {},
      async ({ run }) => {
        await run.waitForOutput(warning);
        const status = await run.ctl("status");
        assert.equal(status.code, 0, status.stderr);
        assert.equal(count(run.stdout), 1, run.output);
        assert.equal(count(run.stderr), 0, run.output);
        await run.kill("SIGTERM");
        assert.equal(await run.waitExit(), 0, run.output.slice(-3000));
      },
    );
  },
});

Deno.test({
  name:
    "a flood towards a remote syslog host is warned about once, and the lines dropped are counted when it ends",
  ignore,
  fn: async () => {
    const receiver = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
    let received = 0;
    const counting = (async () => {
      try {
        for (;;) {
          await receiver.receive();
          received++;
        }
      } catch {
        // closed
      }
    })();
    const port = (receiver.addr as Deno.NetAddr).port;
    const flood = 100_000;
    try {
      await withScenario(
        `remote.logging: { selector: "local0.*", syslog_host: "127.0.0.1:${port}" }
console.logging: { selector: "local5.*", stdout: true }
web.service: { command: "sleep 1000" }
`,
        {},
        async ({ run }) => {
          await waitFor(async () => (await run.ctl("status")).code === 0 || undefined, {
            timeoutMs: 20_000,
            what: "ctl status",
            detail: () => run.output,
          });
          const sent = await floodDevLog(run, flood);
          assert.equal(sent.code, 0, sent.stderr);
          await run.waitForOutput(/more than 1024 datagrams waiting, dropping lines/);
          // A line after a quiet second ends the burst and says what was lost. A sender that a
          // loaded machine stalls for over a second makes two bursts of one flood: each is
          // warned about once and counted once, never six warnings for one burst.
          const ended = /syslog host 127\.0\.0\.1:\d+: sending again, (\d+) line\(s\) dropped/g;
          const lines = (re: RegExp) => run.stdout.split("\n").filter((l) => re.test(l)).length;
          const dropped = await waitFor(async () => {
            await run.exec(["logger", "-p", "local0.info", "-t", "after", "quiet"]);
            const counts = [...run.stdout.matchAll(ended)].map((m) => Number(m[1]));
            return counts.length > 0 && counts.length === lines(/dropping lines/)
              ? counts.reduce((a, b) => a + b, 0)
              : undefined;
          }, { timeoutMs: 15_000, what: "the end of the burst", detail: () => run.output });
          const bursts = lines(/dropping lines/);
          assert.ok(bursts >= 1 && bursts <= 3, `${bursts} warnings for one flood:\n${run.stdout}`);
          assert.ok(dropped > 0 && dropped < flood, `${dropped} dropped`);
          figure(
            "remote flood",
            `${flood} datagrams: ${
              lines(/dropping lines/)
            } warning(s), ${dropped} lines dropped, ${received} received by the host`,
          );
          await run.kill("SIGTERM");
          assert.equal(await run.waitExit(), 0, run.output.slice(-3000));
        },
      );
    } finally {
      receiver.close();
      await counting;
    }
  },
});

/** libfaketime (Debian package libfaketime, installed by scripts/setup-test-machine). */
function libfaketime(): string | undefined {
  for (const dir of ["/usr/lib", ...[...safeReadDir("/usr/lib")].map((d) => `/usr/lib/${d}`)]) {
    const path = `${dir}/faketime/libfaketime.so.1`;
    try {
      if (Deno.statSync(path).isFile) return path;
    } catch {
      // not here
    }
  }
  return undefined;
}

function* safeReadDir(dir: string): Generator<string> {
  try {
    for (const e of Deno.readDirSync(dir)) if (e.isDirectory) yield e.name;
  } catch {
    // no such directory
  }
}

Deno.test({
  name:
    "a wall clock stepped back an hour does not suspend rotation: a moved log file is replaced within seconds",
  ignore,
  fn: async () => {
    const preload = libfaketime();
    assert.ok(preload, "libfaketime is missing: run scripts/setup-test-machine");
    // libfaketime moves the wall clock of PID 1 (and only that clock) when this file changes.
    const clockFile = await Deno.makeTempFile({ prefix: "chaperone-faketime-" });
    await Deno.writeTextFile(clockFile, "+0\n");
    try {
      await withScenario(
        `app.logging: { selector: "*.info", file: "$(T)/app.log" }
ticker.service: { command: "bash -c 'i=0; while :; do i=$((i+1)); echo tick $i; sleep 0.05; done'" }
`,
        {
          // Preloaded into PID 1 only: libfaketime keeps shared memory in /dev/shm, which the
          // namespace's set-up replaces under any process started before it.
          program: "/usr/bin/env",
          prefix: [
            `LD_PRELOAD=${preload}`,
            `FAKETIME_TIMESTAMP_FILE=${clockFile}`,
            "FAKETIME_NO_CACHE=1",
            "FAKETIME_DONT_FAKE_MONOTONIC=1",
            CHAPERONE,
          ],
        },
        async ({ run, dir, read }) => {
          const ticks = (name: string) =>
            read(name).split("\n").filter((l) => / tick \d+$/.test(l));
          const hour = (line: string) => Number(/^\w{3} [ \d]\d (\d\d):/.exec(line)![1]);
          const before = await waitFor(() => ticks("app.log").at(-1), {
            timeoutMs: 20_000,
            what: "ticks in app.log",
            detail: () => run.output,
          });
          await Deno.writeTextFile(clockFile, "-1h\n");
          // The step took effect inside PID 1: new lines carry a time an hour earlier.
          await waitFor(() => {
            const last = ticks("app.log").at(-1);
            return last !== undefined && (hour(before) - hour(last) + 24) % 24 === 1 || undefined;
          }, { what: "lines an hour earlier", detail: () => read("app.log").slice(-500) });
          await Deno.rename(`${dir}/app.log`, `${dir}/app.log.1`);
          const began = performance.now();
          await waitFor(() => ticks("app.log").length > 3 || undefined, {
            timeoutMs: 10_000,
            what: "a new app.log after the move",
            detail: () => `app.log.1 has ${ticks("app.log.1").length} ticks\n${run.output}`,
          });
          const seconds = (performance.now() - began) / 1000;
          const moved = ticks("app.log.1").length;
          await waitFor(() => ticks("app.log").length > 20 || undefined, { what: "more ticks" });
          assert.equal(ticks("app.log.1").length, moved, "the moved file kept growing");
          figure(
            "wall clock stepped back 1 h",
            `moved file replaced after ${seconds.toFixed(1)} s`,
          );
          await run.kill("SIGTERM");
          assert.equal(await run.waitExit(), 0, run.output.slice(-3000));
        },
      );
    } finally {
      await Deno.remove(clockFile);
    }
  },
});
