/**
 * Hostile services (docs/reliability.md): services running as `nobody` attack PID 1 through
 * what Chaperone reads from them (MAINPID=, a pidfile in a directory they own), and
 * configurations that fail only on a later run. Whatever they do, PID 1 keeps answering, acts
 * only on what the service owns, and shuts down cleanly.
 */
import assert from "node:assert/strict";
import { canRunAsPid1, CHAPERONE, type Pid1, waitFor } from "../_helpers/pid1.ts";
import { DEBUG_LOG, withScenario } from "../integration/_scenario.ts";
import { aliveInside, statusRows, waitRow } from "../integration/ctl_helpers.ts";
import { assertServing, figure, pid1RssKb } from "./_fuzz.ts";

const ignore = !canRunAsPid1;

/** The victim: a root service whose pid the attackers know. */
const VICTIM = `victim.service: { command: "bash -c 'echo $$ >$T/victim.pid; exec sleep 1000'" }\n`;

/** Lines of the run's output that contain `text`. */
const linesWith = (p: Pid1, text: string) => p.stdout.split("\n").filter((l) => l.includes(text));

/** SIGTERM, as `docker stop` sends it: the shutdown must complete, with exit 0, in bounded time. */
async function stopsCleanly(p: Pid1): Promise<void> {
  const began = Date.now();
  await p.kill("SIGTERM");
  assert.equal(await p.waitExit(20_000), 0, p.output.slice(-4000));
  assert.ok(Date.now() - began < 15_000, `shutdown took ${Date.now() - began} ms`);
}

Deno.test({
  name:
    "nobody's MAINPID=1 and MAINPID=<a root service's pid> are refused once each; ctl stop spares PID 1 and the victim",
  ignore,
  fn: () =>
    withScenario(
      `${VICTIM}evil1.service: {
  type: notify, uid: nobody,
  command: "bash -c 'systemd-notify --pid=1; systemd-notify --pid=1 --ready; exec sleep 1000'",
}
evil2.service: {
  type: notify, uid: nobody, after: victim.service,
  command: "bash -c 'read v <$T/victim.pid; systemd-notify --pid=$v --ready; exec sleep 1000'",
}
${DEBUG_LOG}`,
      {},
      async ({ run, waitForFile }) => {
        const victim = Number((await waitForFile("victim.pid", /^\d+\n$/)).trim());
        await assertServing(run, 3);
        for (const evil of ["evil1.service", "evil2.service"]) {
          await waitRow(run, evil, (r) => r.status === "running", `${evil} ready`);
        }
        assert.deepEqual(
          linesWith(run, "attempted to attach").map((l) => l.replace(/^.*\]: /, "")),
          [
            "evil1.service attempted to attach the process with PID=1 but it is PID 1",
            `evil2.service attempted to attach the process with PID=${victim} but it runs as uid 0, not as the service's uid 65534`,
          ],
        );
        const rows = await statusRows(run);
        assert.notEqual(rows.get("evil1.service")!.pid, 1);
        assert.notEqual(rows.get("evil2.service")!.pid, victim);

        const stop = await run.ctl("stop", "--wait", "evil1.service", "evil2.service");
        assert.equal(stop.code, 0, stop.stderr);
        assert.equal(stop.stdout, "services stopped.\n");
        assert.doesNotMatch(run.stdout, /Request made to kill system/, "PID 1 got a SIGTERM");
        assert.equal(await aliveInside(run, victim), true, "the victim was killed");
        const after = await statusRows(run);
        assert.equal(after.get("victim.service")!.pid, victim);
        assert.equal(after.get("victim.service")!.status, "running");
        for (const evil of ["evil1.service", "evil2.service"]) {
          assert.equal(after.get(evil)!.state, "idle", `${evil} stuck: ${after.get(evil)!.state}`);
        }
        figure(
          "hostile MAINPID",
          "MAINPID=1 and MAINPID=<root pid> refused (1 warning each); stop spared both",
        );
        await stopsCleanly(run);
      },
    ),
});

Deno.test({
  name:
    "nobody's pidfile as a FIFO, a symlink to /dev/zero, or naming PID 1 or a root service is refused at once; PID 1's memory stays bounded",
  ignore,
  fn: () =>
    withScenario(
      `${VICTIM}${
        [
          ["fifo", "mkfifo $T/fifo/x.pid"],
          ["zero", "ln -s /dev/zero $T/zero/x.pid"],
          ["one", "echo 1 >$T/one/x.pid"],
          ["theft", "cp $T/victim.pid $T/theft/x.pid"],
        ].map(([name, make]) =>
          `${name}.service: { type: forking, uid: nobody, enabled: false, pidfile: "$(T)/${name}/x.pid", ` +
          `command: "sh -c 'mkdir -p $T/${name} && ${make}'" }\n`
        ).join("")
      }${DEBUG_LOG}`,
      {},
      async ({ run, waitForFile }) => {
        const victim = Number((await waitForFile("victim.pid", /^\d+\n$/)).trim());
        await assertServing(run, 5);
        await waitRow(run, "victim.service", (r) => r.status === "running");
        const before = await pid1RssKb(run);
        const cases: Array<[string, RegExp]> = [
          ["fifo", /fifo\.service pid file refused: \S+\/fifo\/x\.pid is a FIFO/],
          ["zero", /zero\.service pid file refused: \S+\/zero\/x\.pid is a symbolic link/],
          ["one", /one\.service attempted to attach the process with PID=1 but it is PID 1/],
          [
            "theft",
            new RegExp(`PID=${victim} but it runs as uid 0, not as the service's uid 65534`),
          ],
        ];
        const times: string[] = [];
        for (const [name, why] of cases) {
          const began = Date.now();
          const r = await run.ctl("start", "--enable", "--wait", name);
          times.push(`${name} ${Date.now() - began} ms`);
          assert.equal(r.code, 1, `${name}: ${JSON.stringify(r)}`);
          assert.match(r.stderr, why);
          assert.ok(Date.now() - began < 10_000, `${name} took ${Date.now() - began} ms`);
        }
        const rss = await pid1RssKb(run);
        // Reading /dev/zero grew PID 1 by about 0.5 GB a second; a FIFO blocked it for good.
        assert.ok(rss - before < 64 * 1024, `PID 1 grew from ${before} to ${rss} KiB`);
        assert.equal((await run.ctl("status")).code, 0);
        assert.equal(await aliveInside(run, victim), true);
        assert.doesNotMatch(run.stdout, /Request made to kill system/);
        figure(
          "hostile pidfiles",
          `FIFO, /dev/zero symlink, PID 1, a root pid: all refused (${times.join(", ")}); ` +
            `RSS ${(before / 1024).toFixed(1)} → ${(rss / 1024).toFixed(1)} MB`,
        );
        await stopsCleanly(run);
      },
    ),
});

Deno.test({
  name:
    "a MAINPID that is not Chaperone's child is followed: when it is killed the service restarts, or fails and is unhealthy",
  ignore,
  fn: () =>
    withScenario(
      `again.service: {
  type: notify, uid: nobody, restart: true, restart_delay: 0.5,
  command: "sh -c 'sleep 1002 & systemd-notify --pid=$! --ready; wait'",
}
once.service: {
  type: notify, uid: nobody,
  command: "sh -c 'sleep 1003 & systemd-notify --pid=$! --ready; wait'",
}
${DEBUG_LOG}`,
      {},
      async ({ run }) => {
        await assertServing(run, 2);
        const again = await waitRow(run, "again.service", (r) => r.status === "running");
        const once = await waitRow(run, "once.service", (r) => r.status === "running");
        const ps = await run.exec(["ps", "-o", "args=", "-p", `${again.pid},${once.pid}`]);
        assert.equal(ps.stdout, "sleep 1002\nsleep 1003\n", "the attached pids are the sleeps");
        assert.equal((await run.ctl("health")).code, 0);
        const killed = await run.exec(["kill", String(again.pid), String(once.pid)]);
        assert.equal(killed.code, 0, killed.stderr);
        const restarted = await waitRow(
          run,
          "again.service",
          (r) => r.restarts === 1 && r.status === "running" && r.pid !== again.pid,
          "again.service restarted with a new main pid",
        );
        const ps2 = await run.exec(["ps", "-o", "args=", "-p", String(restarted.pid)]);
        assert.equal(ps2.stdout, "sleep 1002\n");
        const failed = await waitRow(
          run,
          "once.service",
          (r) => r.status !== "running" && r.pid === null,
          "once.service ended (its shell too)",
        );
        assert.equal(failed.status, "exit(?)");
        const health = await run.ctl("health");
        assert.equal(health.code, 1, health.stdout);
        assert.match(health.stdout, /once\.service: failed, exit\(\?\)/);
        assert.match(
          run.stdout,
          new RegExp(
            `once\\.service main process PID=${once.pid} ended; its exit status is unknown`,
          ),
        );
        await stopsCleanly(run);
      },
    ),
});

/** Fails on every run but the first (serial 1): what a later run of the service expands. */
const SECOND_RUN_FAILS = `env_set: { X: "$(_CHAP_SERVICE_SERIAL:|[2-9]*|$(UNDEF:?boom)|ok)" }`;

Deno.test({
  name:
    "an expansion that fails on the second run of a restarting service is a failed run: the policy applies, PID 1 lives",
  ignore,
  fn: () =>
    withScenario(
      `crash.service: {
  restart: true, restart_limit: 2, restart_delay: 0.2, ${SECOND_RUN_FAILS},
  command: "sh -c 'echo $X >>$T/runs; sleep 1; exit 1'",
}
keeper.service: { command: "sleep 1000" }
${DEBUG_LOG}`,
      {},
      async ({ run, read }) => {
        await assertServing(run, 2);
        const row = await waitRow(run, "crash.service", (r) => r.state === "failed");
        assert.equal(read("runs"), "ok\n", "the first run ran, the later ones could not spawn");
        assert.equal(linesWith(run, "crash.service failed to start: boom").length, 2);
        assert.equal(linesWith(run, "pausing between restart retries").length, 2);
        assert.equal(row.status, "exit(1)");
        assert.doesNotMatch(run.output, /Uncaught|ExpansionError/);
        await stopsCleanly(run);
      },
    ),
});

Deno.test({
  name: "a cron job whose expansion fails on its second run logs the failure and stays scheduled",
  ignore,
  fn: () =>
    withScenario(
      `tick.service: {
  type: cron, interval: "* * * * * *", ${SECOND_RUN_FAILS},
  command: "sh -c 'echo $X >>$T/ticks'",
}
${DEBUG_LOG}`,
      {},
      async ({ run, read }) => {
        await assertServing(run, 1);
        await run.waitForOutput("cron service tick.service failed to start: boom");
        await run.waitForOutput(/failed to start: boom[^]*failed to start: boom/);
        assert.equal(read("ticks"), "ok\n");
        assert.equal((await statusRows(run)).get("tick.service")!.state, "scheduled");
        assert.doesNotMatch(run.output, /Uncaught|ExpansionError/);
        await stopsCleanly(run);
      },
    ),
});

Deno.test({
  name:
    "a notify service whose name is too long for a socket path gets a shortened socket and starts",
  ignore,
  fn: async () => {
    const name = `${"n".repeat(150)}.service`;
    await withScenario(
      `${name}: { type: notify, command: "bash -c 'echo $NOTIFY_SOCKET >$T/sock; systemd-notify --ready; exec sleep 1000'" }\n`,
      {},
      async ({ run, dir, read }) => {
        await assertServing(run, 1);
        await waitRow(run, name, (r) => r.status === "running");
        const sock = read("sock").trim();
        assert.match(sock, /^\/dev\/chaperone-notify\/n+~[0-9a-f]{16}\.sock$/);
        assert.ok(new TextEncoder().encode(sock).length <= 107, sock);
        const check = await run.exec([CHAPERONE, "check", "--config", `${dir}/chaperone.d`]);
        assert.equal(check.code, 0, check.stdout + check.stderr);
        await stopsCleanly(run);
      },
    );
  },
});

Deno.test({
  name: "many MAINPID=1 datagrams from nobody: one warning, PID 1 untouched and answering",
  ignore,
  fn: () =>
    withScenario(
      `flood.service: { type: notify, uid: nobody, command: "bash $(T)/flood.sh" }\n${DEBUG_LOG}`,
      {
        files: {
          "flood.sh": "for i in $(seq 200); do systemd-notify --pid=1; done\n" +
            "systemd-notify --ready\nexec sleep 1000\n",
        },
      },
      async ({ run }) => {
        await assertServing(run, 1);
        await waitRow(run, "flood.service", (r) => r.status === "running", "flood ready", 60_000);
        await waitFor(() => linesWith(run, "PID=1 but it is PID 1").length > 0 || undefined);
        assert.equal(linesWith(run, "PID=1 but it is PID 1").length, 1);
        await stopsCleanly(run);
      },
    ),
});
