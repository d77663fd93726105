/**
 * Black-box: `chaperone ctl logs` against the real program as PID 1 (docs/ctl.md, `logs`): the
 * last lines of every service or of the named ones, prefixed and oldest first, whatever the
 * logging sections do; `-f` following until interrupted; a follower that does not read losing
 * lines with a marker while the services and the supervisor carry on; a follower that hangs up
 * cleaned up; `log_buffer_lines: 0`.
 */
import assert from "node:assert/strict";
import { canRunAsPid1, CHAPERONE, nsPath, type Pid1, waitFor } from "../_helpers/pid1.ts";
import { freePort } from "../_helpers/free_port.ts";
import { readLines } from "../../src/text/line_reader.ts";
import { waitRow, withChaperone } from "./ctl_helpers.ts";

const WEB = `web.service: { command: "sh -c 'for i in 1 2 3 4 5; do echo web $i; done; ` +
  `(echo via syslog; exec sleep 1000) | logger -i -t websys & exec sleep 1000'" }`;
const DB = `db.service: { command: "sh -c 'echo db ready >&2; exec sleep 1000'" }`;

/** Polls `ctl logs <args>` until its output contains `text`; returns the output. */
function logsShowing(p: Pid1, text: string, ...args: string[]): Promise<string> {
  return waitFor(async () => {
    const r = await p.ctl("logs", ...args);
    return r.code === 0 && r.stdout.includes(text) ? r.stdout : undefined;
  }, {
    timeoutMs: 20_000,
    what: `ctl logs ${args.join(" ")} to show ${text}`,
    detail: () => p.output,
  });
}

/** `GET /metrics` as a map of `name{labels}` → value. */
async function metrics(port: number): Promise<Map<string, number>> {
  const r = await fetch(`http://127.0.0.1:${port}/metrics`);
  const out = new Map<string, number>();
  for (const line of (await r.text()).split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const space = line.lastIndexOf(" ");
    out.set(line.slice(0, space), Number(line.slice(space + 1)));
  }
  return out;
}

function followers(port: number): Promise<number | undefined> {
  return metrics(port).then((m) => m.get("chaperone_log_followers"));
}

/** Open descriptors of the namespace's PID 1. */
async function openFds(p: Pid1): Promise<number> {
  return [...Deno.readDirSync(`/proc/${await p.hostPid()}/fd`)].length;
}

/** A raw client of the control socket, reading reply lines. */
async function rawLogs(p: Pid1, request: object) {
  const conn = await Deno.connect({
    transport: "unix",
    path: nsPath(await p.hostPid(), "/dev/chaperone.sock"),
  });
  await conn.write(new TextEncoder().encode(JSON.stringify(request) + "\n"));
  const lines = readLines(conn, { maxBytes: 1 << 20, tooLong: { kind: "split" } });
  return {
    conn,
    async next(): Promise<Record<string, unknown>> {
      const n = await lines.next();
      assert.equal(n.done, false, "the stream ended early");
      return JSON.parse(n.value as string);
    },
    close() {
      try {
        conn.close();
      } catch {
        // Closed by the server already.
      }
    },
  };
}

Deno.test({
  name: "ctl logs: the last lines of all services or the named ones, prefixed, oldest first",
  ignore: !canRunAsPid1,
  fn: () =>
    // --no-console-log: no logging section at all; the lines are kept all the same.
    withChaperone(`${WEB}\n${DB}\n`, async (p) => {
      await logsShowing(p, "websys", "web");
      const all = await p.ctl("logs");
      assert.equal(all.code, 0, all.stderr);
      const lines = all.stdout.trimEnd().split("\n");
      // Prefixes padded to the longest name; each service's lines in the order written.
      assert.deepEqual(lines.filter((l) => /^web \| web \d$/.test(l)), [
        "web | web 1",
        "web | web 2",
        "web | web 3",
        "web | web 4",
        "web | web 5",
      ]);
      assert.ok(lines.includes("db  | db ready"), all.stdout);
      // A /dev/log message of a process in web's session is web's, with its tag and pid.
      assert.ok(lines.some((l) => /^web \| websys\[\d+\]: via syslog$/.test(l)), all.stdout);
      assert.equal(lines.length, 7);

      const two = await p.ctl("logs", "-n", "2", "web.service");
      assert.equal(two.code, 0, two.stderr);
      // The last two of web's lines, in the order they arrived (stdout and /dev/log race).
      assert.deepEqual(
        two.stdout.trimEnd().split("\n"),
        lines.filter((l) => l.startsWith("web")).slice(-2),
      );
      assert.deepEqual((await p.ctl("logs", "--lines", "1", "db")).stdout, "db | db ready\n");
      assert.deepEqual(await p.ctl("logs", "-n", "0"), { code: 0, stdout: "", stderr: "" });
      assert.deepEqual(await p.ctl("logs", "web", "nope"), {
        code: 1,
        stdout: "",
        stderr: "Command error: no such service: nope\n",
      });
      const usage = await p.ctl("logs", "-n", "many");
      assert.equal(usage.code, 1);
      assert.match(usage.stderr, /-n needs a number of lines/);
      // The console saw none of it.
      assert.doesNotMatch(p.stdout, /web 1/);
    }, { args: ["--no-console-log"] }),
});

Deno.test({
  name: "ctl logs shows the lines that no logging section selects",
  ignore: !canRunAsPid1,
  fn: () =>
    withChaperone(
      `errors.logging: { selector: "*.err", file: "@DIR@/errors.log" }\n${WEB}\n`,
      async (p) => {
        const out = await logsShowing(p, "web 5", "web");
        assert.match(out, /^web \| web 1$/m);
        assert.doesNotMatch(p.stdout, /web 1/);
      },
    ),
});

Deno.test({
  name: "log_buffer_lines: 0 turns ctl logs off; the FIFO refuses logs",
  ignore: !canRunAsPid1,
  fn: () =>
    withChaperone(`settings: { log_buffer_lines: 0 }\n${WEB}\n`, async (p) => {
      await waitRow(p, "web.service", (r) => r.status === "running");
      assert.deepEqual(await p.ctl("logs", "web"), {
        code: 1,
        stdout: "",
        stderr: "Command error: ctl logs is off: settings has log_buffer_lines: 0\n",
      });
      // The lines still reach the logging sections (the default one prints them).
      await p.waitForOutput(/web\[\d+\]: web 5/);
      const fifo = await p.exec(["sh", "-c", "echo 'logs -f web' > /dev/chaperone"]);
      assert.equal(fifo.code, 0, fifo.stderr);
      await p.waitForOutput(/"logs" needs a reply; use "chaperone ctl logs"/);
    }),
});

Deno.test({
  name: "ctl logs -f prints new lines as they come until interrupted; the follower is then gone",
  ignore: !canRunAsPid1,
  fn: async () => {
    const port = freePort();
    const tick = `tick.service: { command: "sh -c 'i=0; while true; do i=$((i+1)); ` +
      `echo tick $i; sleep 0.2; done'" }`;
    await withChaperone(
      `settings: { http_listen: "127.0.0.1:${port}" }\n${tick}\n${DB}\n`,
      async (p) => {
        await logsShowing(p, "tick 3", "tick");
        // After a first GET: the test's HTTP client keeps its connection open.
        assert.equal(await followers(port), 0);
        const fdsBefore = await openFds(p);
        const child = new Deno.Command("nsenter", {
          args: [
            "--target",
            String(await p.hostPid()),
            "--mount",
            "--pid",
            "--",
            CHAPERONE,
            "ctl",
            "logs",
            "-f",
            "-n",
            "1",
            "tick",
          ],
          env: { NO_COLOR: "1" },
          stdout: "piped",
          stderr: "piped",
        }).spawn();
        let text = "";
        const pump = (async () => {
          for await (const chunk of child.stdout.pipeThrough(new TextDecoderStream())) {
            text += chunk;
          }
        })();
        try {
          // The tail's one line, then ticks that were printed after ctl started.
          const first = await waitFor(() => /tick \| tick (\d+)\n/.exec(text)?.[1], {
            timeoutMs: 20_000,
            what: "the first line",
          });
          await waitFor(
            () => text.includes(`tick | tick ${Number(first) + 5}\n`) || undefined,
            { timeoutMs: 20_000, what: "five new lines", detail: () => text },
          );
          assert.equal(await followers(port), 1);
          const numbers = [...text.matchAll(/tick \| tick (\d+)\n/g)].map((m) => Number(m[1]));
          // Nothing lost, nothing twice, nothing of db.
          for (let i = 1; i < numbers.length; i++) assert.equal(numbers[i], numbers[i - 1]! + 1);
          assert.doesNotMatch(text, /db/);
        } finally {
          // Ctrl-C reaches ctl itself (nsenter, its parent here, does not pass SIGINT on).
          const ctl = await waitFor(() => {
            const kids = Deno.readTextFileSync(`/proc/${child.pid}/task/${child.pid}/children`);
            return kids.trim() === "" ? undefined : Number(kids.trim().split(/\s+/)[0]);
          }, { what: "the ctl process" });
          Deno.kill(ctl, "SIGINT");
        }
        const status = await child.status;
        await pump;
        await child.stderr.cancel();
        assert.equal(status.code, 130);
        await waitFor(async () => (await followers(port)) === 0 || undefined, {
          what: "the follower to be cleaned up",
        });
        await waitFor(async () => (await openFds(p)) <= fdsBefore || undefined, {
          what: "PID 1's descriptors back to what they were",
        });
      },
    );
  },
});

Deno.test({
  name: "a follower that does not read gets a dropped marker; the services never wait for it",
  ignore: !canRunAsPid1,
  fn: async () => {
    // The flood begins once the reader is there (@DIR@/go).
    const flood =
      `flood.service: { command: "sh -c 'while [ ! -e @DIR@/go ]; do sleep 0.1; done; ` +
      `yes flood line padded to be a little longer | head -n 200000; echo flood done; ` +
      `while true; do echo later; sleep 0.3; done'" }`;
    await withChaperone(
      `${flood}\nweb.service: { command: "sleep 1000" }\n`,
      async (p, dir) => {
        const reader = await rawLogs(p, {
          cmd: "logs",
          services: ["flood"],
          lines: 0,
          follow: true,
        });
        // A stream that never shows what is expected fails the test instead of hanging it.
        const deadline = setTimeout(() => reader.close(), 90_000);
        try {
          // The header: the follower is in place.
          assert.deepEqual(await reader.next(), {
            ok: true,
            stream: true,
            data: { services: ["flood.service"] },
          });
          await Deno.writeTextFile(`${dir}/go`, "");
          // Not read from now on. The flood still ends, and the supervisor answers quickly.
          let slowest = 0;
          await waitFor(async () => {
            const started = performance.now();
            const r = await p.ctl("logs", "-n", "3", "flood");
            slowest = Math.max(slowest, performance.now() - started);
            return r.stdout.includes("flood done") ? true : undefined;
          }, { timeoutMs: 60_000, what: "the flood to end", detail: () => p.output });
          const started = performance.now();
          const status = await p.ctl("status");
          assert.equal(status.code, 0, status.stderr);
          assert.ok(performance.now() - started < 3000, "ctl status was slow");
          assert.ok(slowest < 5000, `ctl logs took ${slowest} ms during the flood`);

          // Now read: lines, then the count of those that could not wait, then new ones.
          let lines = 0;
          let dropped = 0;
          for (;;) {
            const frame = await reader.next();
            if (typeof frame.dropped === "number") {
              dropped += frame.dropped;
              continue;
            }
            const text = (frame.line as { text: string }).text;
            if (dropped > 0 && text === "later") break;
            lines++;
          }
          assert.ok(dropped > 0, "no dropped marker");
          assert.ok(lines > 0 && lines < 200_000, `${lines} lines arrived`);
          // Everything is accounted for: what arrived before the first "later" plus what was
          // dropped is the flood (and possibly its "flood done" and a few "later" lines).
          assert.ok(lines + dropped >= 200_001, `${lines} + ${dropped}`);
          await waitRow(p, "flood.service", (r) => r.status === "running");
        } finally {
          clearTimeout(deadline);
          reader.close();
        }
      },
      { args: ["--no-console-log"] },
    );
  },
});

Deno.test({
  name: "followers that hang up are cleaned up and leak nothing; the service keeps running",
  ignore: !canRunAsPid1,
  fn: async () => {
    const port = freePort();
    await withChaperone(
      `settings: { http_listen: "127.0.0.1:${port}" }\n${DB}\n`,
      async (p) => {
        await logsShowing(p, "db ready", "db");
        // After a first GET: the test's HTTP client keeps its connection open.
        assert.equal(await followers(port), 0);
        const fdsBefore = await openFds(p);
        const readers = [];
        for (let i = 0; i < 20; i++) {
          const r = await rawLogs(p, { cmd: "logs", services: [], follow: true });
          assert.equal((await r.next()).stream, true);
          readers.push(r);
        }
        await waitFor(async () => (await followers(port)) === 20 || undefined, {
          what: "20 followers",
        });
        for (const r of readers) r.close();
        await waitFor(async () => (await followers(port)) === 0 || undefined, {
          what: "every follower to be cleaned up",
        });
        await waitFor(async () => (await openFds(p)) <= fdsBefore || undefined, {
          what: "PID 1's descriptors back to what they were",
        });
        await waitRow(p, "db.service", (r) => r.status === "running");
        assert.equal((await p.ctl("logs", "db")).stdout, "db | db ready\n");
      },
    );
  },
});
