/**
 * A real mini-system end to end, as a user's container would run it: Debian's redis-server as a
 * `notify` service, nginx as a `forking` service with a pidfile that logs to /dev/log, a cron
 * job, and a oneshot that checks both daemons answer, with logging sections that route nginx's
 * messages and the services' output to separate files. Needs root and the packages that
 * scripts/setup-test-machine installs (redis-server, redis-tools, nginx-light, curl).
 */
import assert from "node:assert/strict";
import { canRunAsPid1, waitFor } from "../_helpers/pid1.ts";
import { type Scenario, withScenario } from "../integration/_scenario.ts";
import { freePort } from "../_helpers/free_port.ts";

const DAEMONS = ["redis-server", "redis-cli", "nginx", "curl"];

function hasCommand(name: string): boolean {
  for (const dir of ["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin"]) {
    try {
      if (Deno.statSync(`${dir}/${name}`).isFile) return true;
    } catch {
      // Not in this directory.
    }
  }
  return false;
}

/** A TCP port on 127.0.0.1 that nothing listens on right now. */
function nginxConf(port: number): string {
  // Paths are relative to the prefix (`nginx -p DIR/nginx`), so the file needs no temp path.
  return `daemon on;
worker_processes 1;
pid nginx.pid;
error_log syslog:server=unix:/dev/log notice;
events { worker_connections 64; }
http {
  access_log syslog:server=unix:/dev/log,severity=info;
  client_body_temp_path tmp/body;
  proxy_temp_path tmp/proxy;
  fastcgi_temp_path tmp/fastcgi;
  uwsgi_temp_path tmp/uwsgi;
  scgi_temp_path tmp/scgi;
  server {
    listen 127.0.0.1:${port};
    root html;
  }
}
`;
}

function chaperoneConf(redisPort: number, webPort: number): string {
  return `settings: { shutdown_timeout: 10 }

redis.service: {
  type: notify,
  command: "redis-server --port ${redisPort} --bind 127.0.0.1 --dir $(T)/redis --supervised systemd --daemonize no --save '' --appendonly no",
  restart: true,
  restart_delay: 0.5,
  restart_limit: 3,
}

web.service: {
  type: forking,
  command: "nginx -p $(T)/nginx -c nginx.conf -e stderr",
  pidfile: "$(T)/nginx/nginx.pid",
}

check.service: {
  type: oneshot,
  after: "redis.service, web.service",
  command: "sh -c 'redis-cli -p ${redisPort} ping | grep -qx PONG && curl -fsS http://127.0.0.1:${webPort}/ | grep -q mini-system && echo both answer >$(T)/check.ok'",
}

tick.service: {
  type: cron,
  interval: "* * * * * */2",
  command: "sh -c 'echo tick >>$(T)/cron.ticks'",
}

nginx.logging: { selector: "[nginx].*", file: "$(T)/log/nginx.log" }
output.logging: { selector: "daemon.*", file: "$(T)/log/services.log" }
console.logging: { selector: "*.info", stdout: true }
`;
}

async function httpGet(port: number): Promise<string | undefined> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/`);
    return res.ok ? await res.text() : (await res.body?.cancel(), undefined);
  } catch {
    return undefined;
  }
}

/** redis's own pid (as seen in the namespace), from INFO; undefined when it does not answer. */
async function redisPid(s: Scenario, port: number): Promise<number | undefined> {
  const r = await s.run.exec(["redis-cli", "-p", String(port), "info", "server"]);
  const m = /process_id:(\d+)/.exec(r.stdout);
  return r.code === 0 && m ? Number(m[1]) : undefined;
}

Deno.test({
  name: "a redis, nginx, cron and oneshot mini-system starts, is controlled, restarts redis " +
    "after SIGKILL as configured, and shuts down with 0 on SIGTERM",
  ignore: !canRunAsPid1,
  sanitizeResources: true,
  async fn() {
    const missing = DAEMONS.filter((d) => !hasCommand(d));
    assert.deepEqual(missing, [], "missing programs: run scripts/setup-test-machine as root");
    const redisPort = freePort();
    let webPort = freePort();
    while (webPort === redisPort) webPort = freePort();
    const files = {
      "nginx/nginx.conf": nginxConf(webPort),
      "nginx/html/index.html": "<h1>mini-system</h1>\n",
      "nginx/tmp/.keep": "",
      "redis/.keep": "",
    };
    await withScenario(chaperoneConf(redisPort, webPort), { files }, async (s) => {
      const { run } = s;
      // The oneshot ran after both daemons were up, and found both answering.
      await s.waitForFile("check.ok", /both answer/, 30_000);

      const ping = await run.exec(["redis-cli", "-p", String(redisPort), "ping"]);
      assert.equal(ping.stdout.trim(), "PONG", ping.stderr);
      assert.match(await httpGet(webPort) ?? "", /mini-system/);

      // Cron: a run every two seconds.
      await s.waitForFile("cron.ticks", /tick\ntick\n/, 10_000);

      // nginx's syslog messages (its access log line for our GET) in their own file; the
      // services' output (redis's log on stdout) in another, without nginx's lines.
      await s.waitForFile("log/nginx.log", /nginx: 127\.0\.0\.1 .*"GET \/ HTTP/);
      await s.waitForFile("log/services.log", /redis\[\d+\]: .*Ready to accept connections/);
      assert.doesNotMatch(s.read("log/services.log"), / nginx(\[\d+\])?: /);
      assert.doesNotMatch(s.read("log/nginx.log"), / redis\[\d+\]: /);

      const health = await run.ctl("health");
      assert.equal(health.code, 0, health.stdout + health.stderr);

      // ctl stop / start of nginx: it goes away (pidfile removed, port closed) and comes back.
      const stop = await run.ctl("stop", "web.service");
      assert.equal(stop.code, 0, stop.stdout + stop.stderr);
      await waitFor(async () => (await httpGet(webPort)) === undefined ? true : undefined, {
        timeoutMs: 15_000,
        what: "nginx to stop answering",
      });
      await waitFor(() => s.read("nginx/nginx.pid") === "" ? true : undefined, {
        what: "nginx to remove its pidfile",
      });
      // nginx itself deleted its pidfile at exit: Chaperone did not pull it away beforehand.
      await s.waitForFile("log/nginx.log", /\[notice\] \d+#\d+: exit$/m);
      assert.doesNotMatch(s.read("log/nginx.log"), /unlink\(\)/);
      const start = await run.ctl("start", "web.service");
      assert.equal(start.code, 0, start.stdout + start.stderr);
      await waitFor(async () => (await httpGet(webPort))?.includes("mini-system") || undefined, {
        timeoutMs: 15_000,
        what: "nginx to answer again after ctl start",
        detail: () => run.output,
      });

      // SIGKILL behind Chaperone's back: `restart: true` brings redis back as a new process.
      const before = await redisPid(s, redisPort);
      assert.ok(before !== undefined, "redis answers INFO");
      const kill = await run.exec(["kill", "-KILL", String(before)]);
      assert.equal(kill.code, 0, kill.stderr);
      const after = await waitFor(async () => {
        const pid = await redisPid(s, redisPort);
        return pid !== undefined && pid !== before ? pid : undefined;
      }, { timeoutMs: 20_000, what: "redis to be restarted", detail: () => run.output });
      assert.notEqual(after, before);
      await waitFor(async () => (await run.ctl("health")).code === 0 ? true : undefined, {
        timeoutMs: 15_000,
        what: "ctl health to be 0 again after the restart",
        detail: () => run.output,
      });

      // SIGTERM: both daemons are stopped by Chaperone (not by the namespace dying with it).
      await run.kill("SIGTERM");
      assert.equal(await run.waitExit(30_000), 0, run.output);
      assert.equal(
        s.read("nginx/nginx.pid"),
        "",
        "nginx removes its pidfile when it exits cleanly",
      );
      assert.match(s.read("log/services.log"), /redis\[\d+\]: .*ready to exit, bye bye/);
      const sigterms = s.read("log/nginx.log").match(/signal 15 \(SIGTERM\) received/g) ?? [];
      assert.equal(sigterms.length, 2, "nginx got SIGTERM from ctl stop and from the shutdown");
      assert.doesNotMatch(s.read("log/nginx.log"), /unlink\(\)/);
      // The last words nginx sent to /dev/log before exiting were still written out.
      const exits = s.read("log/nginx.log").match(/\[notice\] \d+#\d+: exit$/gm) ?? [];
      assert.equal(exits.length, 2, s.read("log/nginx.log"));
      // nginx's start-up notices (sent with an empty host field) were parsed, not format errors.
      assert.match(s.read("log/nginx.log"), /nginx: .*\[notice\] \d+#\d+: using the "epoll"/);
      assert.doesNotMatch(run.stdout, /^\?\?/m);
    });
  },
});

Deno.test({
  name:
    "kill -9 of nginx's master: its workers are killed before the restart, which binds the port again",
  ignore: !canRunAsPid1,
  fn: async () => {
    if (!hasCommand("nginx")) {
      throw new Error("nginx is missing: run scripts/setup-test-machine as root");
    }
    const webPort = freePort();
    await withScenario(
      `web.service: {
  type: forking,
  command: "nginx -p $(T)/nginx -c nginx.conf -e stderr",
  pidfile: "$(T)/nginx/nginx.pid",
  restart: true,
  restart_delay: 0.5,
}
console.logging: { selector: "*.info", stdout: true }
`,
      {
        files: {
          "nginx/nginx.conf": nginxConf(webPort).replace(
            "worker_processes 1;",
            "worker_processes 2;",
          ),
          "nginx/html/index.html": "<h1>mini-system</h1>\n",
          "nginx/tmp/.keep": "",
        },
      },
      async (s) => {
        const { run } = s;
        await waitFor(async () => (await httpGet(webPort))?.includes("mini-system") || undefined, {
          timeoutMs: 20_000,
          what: "nginx to answer",
          detail: () => run.output,
        });
        // nginx answers before Chaperone has read its pidfile; a kill before that attach is a
        // failed start (system start-up cancelled), not the crash of a running service.
        await waitFor(async () => (await run.ctl("health")).code === 0 ? true : undefined, {
          timeoutMs: 15_000,
          what: "web.service to be attached and healthy",
          detail: () => run.output,
        });
        const master = Number(s.read("nginx/nginx.pid").trim());
        assert.ok(master > 1, "nginx wrote its pidfile");
        const workers = (await run.exec(["pgrep", "-P", String(master)])).stdout.trim().split("\n")
          .map(Number).filter((n) => n > 0);
        assert.equal(workers.length, 2, "two workers");
        const kill = await run.exec(["kill", "-KILL", String(master)]);
        assert.equal(kill.code, 0, kill.stderr);
        await run.waitForOutput(
          /web\.service killed 2 leftover process\(es\) of its previous run/,
          20_000,
        );
        const second = await waitFor(async () => {
          const pid = Number(s.read("nginx/nginx.pid").trim());
          const body = await httpGet(webPort);
          return pid > 1 && pid !== master && body?.includes("mini-system") ? pid : undefined;
        }, { timeoutMs: 20_000, what: "a new nginx master answering", detail: () => run.output });
        assert.notEqual(second, master);
        for (const w of workers) {
          const alive = await run.exec(["kill", "-0", String(w)]);
          assert.notEqual(alive.code, 0, `the old worker ${w} is gone`);
        }
        assert.doesNotMatch(run.output, /Address already in use/);
        await run.kill("SIGTERM");
        assert.equal(await run.waitExit(30_000), 0, run.output);
      },
    );
  },
});
