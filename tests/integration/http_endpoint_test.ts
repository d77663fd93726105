/**
 * Black-box: the HTTP endpoint of `settings: http_listen` with the real program as PID 1
 * (docs/docker.md, "HTTP probes" and "Prometheus"). The namespace shares the host's network, so
 * the test is the orchestrator: it asks /healthz, /readyz and /metrics over TCP.
 */
import assert from "node:assert/strict";
import { canRunAsPid1, type Pid1, startPid1, tempTree, waitFor } from "../_helpers/pid1.ts";
import { freePort } from "../_helpers/free_port.ts";
import { waitRow, withChaperone } from "./ctl_helpers.ts";

/** One sample of /metrics. */
interface Sample {
  name: string;
  service: string | undefined;
  value: number;
}

const SAMPLE_REGEXP = /^([a-z_]+)(?:\{service="([^"\\]+)"\})? (-?\d+(?:\.\d+)?(?:e[+-]\d+)?)$/;

/** Parses /metrics line by line: every family announced by HELP and TYPE before its samples. */
function parseMetrics(text: string): Sample[] {
  assert.ok(text.endsWith("\n"), "the document ends with a newline");
  const samples: Sample[] = [];
  const typed = new Map<string, string>();
  let helped: string | undefined;
  for (const line of text.slice(0, -1).split("\n")) {
    const help = /^# HELP ([a-z_]+) \S.*$/.exec(line);
    if (help) {
      helped = help[1];
      continue;
    }
    const type = /^# TYPE ([a-z_]+) (counter|gauge)$/.exec(line);
    if (type) {
      assert.equal(type[1], helped, `TYPE after its HELP: ${line}`);
      typed.set(type[1]!, type[2]!);
      continue;
    }
    const m = SAMPLE_REGEXP.exec(line);
    assert.ok(m, `not a sample line: ${JSON.stringify(line)}`);
    assert.ok(typed.has(m[1]!), `sample before its TYPE: ${line}`);
    if (typed.get(m[1]!) === "counter") assert.match(m[1]!, /_total$/);
    samples.push({ name: m[1]!, service: m[2], value: Number(m[3]) });
  }
  return samples;
}

async function get(port: number, path: string, method = "GET") {
  const r = await fetch(`http://127.0.0.1:${port}${path}`, { method });
  return { status: r.status, body: await r.text(), type: r.headers.get("content-type") };
}

async function scrape(port: number): Promise<Sample[]> {
  const r = await get(port, "/metrics");
  assert.equal(r.status, 200);
  assert.equal(r.type, "text/plain; version=0.0.4; charset=utf-8");
  return parseMetrics(r.body);
}

function value(samples: Sample[], name: string, service?: string): number | undefined {
  return samples.find((s) => s.name === name && s.service === service)?.value;
}

const PER_SERVICE = [
  "chaperone_service_up",
  "chaperone_service_ready",
  "chaperone_service_restarts_total",
  "chaperone_service_last_exit_code",
  "chaperone_service_start_time_seconds",
];
const GLOBAL = [
  "chaperone_syslog_messages_total",
  "chaperone_syslog_dropped_total",
  "chaperone_zombies_reaped_total",
  "chaperone_up_seconds",
];

Deno.test({
  name:
    "http: /healthz and /readyz follow ctl health, /metrics changes with a restart, 404 and 405",
  ignore: !canRunAsPid1,
  fn: async () => {
    const port = freePort();
    // `crash` exits 3 when told to (@DIR@/die), and is restarted after 3 s.
    const config = `settings: { http_listen: "127.0.0.1:${port}" }
web.service: { command: "sh -c 'logger -t web hello; exec sleep 1000'" }
crash.service: {
  command: "sh -c 'while [ ! -e @DIR@/die ]; do sleep 0.1; done; rm @DIR@/die; exit 3'",
  restart: true, restart_delay: 3,
}
`;
    await withChaperone(config, async (p, dir) => {
      await waitRow(p, "crash.service", (r) => r.status === "running");
      for (const [path, level] of [["/healthz", "alive"], ["/readyz", "ready"]]) {
        const r = await get(port, path!);
        assert.equal(r.status, 200, path);
        assert.equal(r.type, "text/plain; charset=utf-8");
        assert.equal(r.body, (await p.ctl("health", "--level", level!)).stdout);
        assert.equal(r.body, `healthy (${level}): every enabled service is ${level}\n`);
      }

      let samples = await scrape(port);
      for (const name of PER_SERVICE.filter((n) => n !== "chaperone_service_last_exit_code")) {
        for (const service of ["crash.service", "web.service"]) {
          assert.notEqual(value(samples, name, service), undefined, `${name}{${service}}`);
        }
      }
      for (const name of GLOBAL) assert.notEqual(value(samples, name), undefined, name);
      assert.equal(value(samples, "chaperone_service_up", "crash.service"), 1);
      assert.equal(value(samples, "chaperone_service_ready", "crash.service"), 1);
      assert.equal(value(samples, "chaperone_service_restarts_total", "crash.service"), 0);
      assert.equal(value(samples, "chaperone_service_last_exit_code", "crash.service"), undefined);
      const firstStart = value(samples, "chaperone_service_start_time_seconds", "crash.service")!;
      assert.ok(Math.abs(firstStart - Date.now() / 1000) < 60, `start time ${firstStart}`);
      await waitFor(async () => {
        const s = await scrape(port);
        return value(s, "chaperone_syslog_messages_total")! >= 1 || undefined;
      }, { what: "web's syslog message to be counted" });

      // The crash: not ready while it waits to be restarted, but alive.
      await Deno.writeTextFile(`${dir}/die`, "");
      await waitRow(p, "crash.service", (r) => r.state === "backoff");
      assert.equal((await get(port, "/readyz")).status, 503);
      const ready = await get(port, "/readyz");
      assert.equal(ready.body, (await p.ctl("health")).stdout);
      assert.match(ready.body, /^unhealthy \(ready\):\n {2}crash\.service: backoff, exit\(3\)/);
      assert.equal((await get(port, "/healthz")).status, 200);
      samples = await scrape(port);
      assert.equal(value(samples, "chaperone_service_up", "crash.service"), 0);
      assert.equal(value(samples, "chaperone_service_ready", "crash.service"), 0);
      assert.equal(value(samples, "chaperone_service_last_exit_code", "crash.service"), 3);

      // Restarted: counted, and a new start time.
      await waitRow(p, "crash.service", (r) => r.status === "running");
      samples = await scrape(port);
      assert.equal(value(samples, "chaperone_service_restarts_total", "crash.service"), 1);
      assert.equal(value(samples, "chaperone_service_up", "crash.service"), 1);
      assert.equal(value(samples, "chaperone_service_last_exit_code", "crash.service"), 3);
      const secondStart = value(samples, "chaperone_service_start_time_seconds", "crash.service")!;
      assert.ok(secondStart >= firstStart + 3, `${secondStart} after ${firstStart}`);
      assert.equal((await get(port, "/readyz")).status, 200);

      // Stopped by an operator: neither alive nor ready.
      assert.equal((await p.ctl("stop", "--wait", "web")).code, 0);
      const alive = await get(port, "/healthz");
      assert.equal(alive.status, 503);
      assert.equal(alive.body, (await p.ctl("health", "--level", "alive")).stdout);
      assert.match(alive.body, /web\.service: idle, stopped/);
      assert.equal((await get(port, "/readyz")).status, 503);
      samples = await scrape(port);
      assert.equal(value(samples, "chaperone_service_up", "web.service"), 0);
      assert.equal(value(samples, "chaperone_service_last_exit_code", "web.service"), 143);

      // Everything else.
      for (const path of ["/", "/nope", "/metrics/", "/healthz.txt"]) {
        const r = await get(port, path);
        assert.equal(r.status, 404, path);
        assert.equal(r.body, "not found\n");
      }
      for (const method of ["POST", "PUT", "DELETE", "HEAD"]) {
        const r = await fetch(`http://127.0.0.1:${port}/metrics`, { method });
        assert.equal(r.status, 405, method);
        assert.equal(r.headers.get("allow"), "GET");
        await r.body?.cancel();
      }
    });
  },
});

Deno.test({
  name: "http: a port in use fails the start-up with exit status 1, naming it",
  ignore: !canRunAsPid1,
  fn: async () => {
    const taken = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const port = (taken.addr as Deno.NetAddr).port;
    const dir = await tempTree({
      "chaperone.d/a.conf": `settings: { http_listen: "127.0.0.1:${port}" }
web.service: { command: "sleep 1000" }
`,
    });
    let p: Pid1 | undefined;
    try {
      p = startPid1(["--config", `${dir}/chaperone.d`]);
      const code = await p.waitExit(30_000);
      assert.equal(code, 1, p.output);
      assert.match(
        p.stderr,
        new RegExp(
          `system startup cancelled due to error: http_listen 127\\.0\\.0\\.1:${port}: .*in use`,
          "i",
        ),
      );
    } finally {
      taken.close();
      await p?.dispose();
      await Deno.remove(dir, { recursive: true });
    }
  },
});

/** Opens a connection to the endpoint. */
function connect(port: number): Promise<Deno.TcpConn> {
  return Deno.connect({ hostname: "127.0.0.1", port });
}

Deno.test({
  name: "http: slow-loris and garbage clients block nothing; ctl status stays fast",
  ignore: !canRunAsPid1,
  fn: async () => {
    const port = freePort();
    await withChaperone(
      `settings: { http_listen: "127.0.0.1:${port}" }\nweb.service: { command: "sleep 1000" }\n`,
      async (p) => {
        await waitRow(p, "web.service", (r) => r.status === "running");
        const conns: Deno.TcpConn[] = [];
        let stop = false;
        const enc = new TextEncoder();
        // Slow loris: a request that is never finished, one byte at a time.
        const slow = Array.from({ length: 30 }, async () => {
          const c = await connect(port);
          conns.push(c);
          await c.write(enc.encode("GET /metrics HTTP/1.1\r\nHost: x\r\nX-Slow: "));
          while (!stop) {
            await c.write(enc.encode("a")).catch(() => stop);
            await new Promise((r) => setTimeout(r, 200));
          }
        });
        // Garbage: random bytes, again and again, on connections the server may close.
        const garbage = Array.from({ length: 10 }, async () => {
          while (!stop) {
            const c = await connect(port);
            conns.push(c);
            const bytes = new Uint8Array(64 * 1024);
            crypto.getRandomValues(bytes);
            await c.write(bytes).catch(() => {});
            await c.read(new Uint8Array(4096)).catch(() => null);
            try {
              c.close();
            } catch {
              // Closed already.
            }
            await new Promise((r) => setTimeout(r, 50));
          }
        });
        try {
          for (let round = 0; round < 5; round++) {
            let started = performance.now();
            const status = await p.ctl("status");
            assert.equal(status.code, 0, status.stderr);
            assert.ok(performance.now() - started < 3000, `ctl status took too long`);
            started = performance.now();
            const health = await get(port, "/healthz");
            assert.equal(health.status, 200);
            assert.ok(performance.now() - started < 2000, `/healthz took too long`);
            await new Promise((r) => setTimeout(r, 300));
          }
        } finally {
          stop = true;
          await Promise.allSettled([...slow, ...garbage]);
          for (const c of conns) {
            try {
              c.close();
            } catch {
              // Closed already.
            }
          }
        }
        // Still whole afterwards.
        assert.equal((await get(port, "/readyz")).status, 200);
        assert.equal((await p.ctl("status")).code, 0);
        assert.doesNotMatch(p.output, /uncaught|crash/i);
      },
    );
  },
});
