/**
 * Black-box: cron services (docs/configuration.md; EL-11 of docs/migration.md) against the real
 * program as PID 1. The intervals use the sixth (seconds) field so that runs come every second or
 * two.
 */
import assert from "node:assert/strict";
import { canRunAsPid1, startPid1, tempTree, waitFor } from "../_helpers/pid1.ts";
import { DEBUG_LOGGING, statusRows, waitRow, withChaperone } from "./ctl_helpers.ts";

/** How many lines a run counter file has (0 when it does not exist yet). */
async function runs(path: string): Promise<number> {
  try {
    return (await Deno.readTextFile(path)).split("\n").filter((l) => l !== "").length;
  } catch {
    return 0;
  }
}

/** Waits until the counter file has at least `n` lines; returns the count. */
function waitRuns(path: string, n: number, timeoutMs = 15_000): Promise<number> {
  return waitFor(async () => {
    const c = await runs(path);
    return c >= n ? c : undefined;
  }, { timeoutMs, what: `${n} runs in ${path}` });
}

// clock.service ticks every second: tests wait on its runs instead of sleeping.
const CONFIG = `
tick.service: { type: cron, interval: "* * * * * *", command: "sh -c 'echo run >>@DIR@/tick.runs'" }
clock.service: { type: cron, interval: "* * * * * *", command: "sh -c 'echo run >>@DIR@/clock.runs'" }
slow.service: { type: cron, interval: "* * * * * *", command: "sh -c 'echo run >>@DIR@/slow.runs; exec sleep 2.5'" }
hang.service: { type: cron, interval: "* * * * * */2", process_timeout: 1,
  command: "sh -c 'echo run >>@DIR@/hang.runs; exec sleep 100'" }
cronlog.logging: { selector: "cron.*", file: "@DIR@/cron.log" }
${DEBUG_LOGGING}`;

Deno.test({
  name: "cron runs each tick, skips a tick while the last run goes on, kills an overstaying run",
  ignore: !canRunAsPid1,
  fn: () =>
    withChaperone(CONFIG, async (p, dir) => {
      await waitRuns(`${dir}/tick.runs`, 3);
      const row = (await statusRows(p)).get("tick.service")!;
      assert.equal(row.state, "scheduled");
      assert.ok(row.nextRun !== null, JSON.stringify(row));
      const until = Date.parse(row.nextRun) - Date.now();
      assert.ok(until > -1000 && until <= 1500, `next run in ${until} ms`);
      assert.match(row.note ?? "", /^\* \* \* \* \* \*; next \d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
      const table = await p.ctl("status");
      assert.match(table.stdout, /tick\.service .*\* \* \* \* \* \*; next \d{4}-/);

      // A run lasts 2.5 s: the ticks in between are skipped with a warning, not overlapped.
      await p.waitForOutput(
        "cron service slow.service is still running when next interval expired, will not run again",
      );
      const slowBefore = await runs(`${dir}/slow.runs`);
      const clockBefore = await runs(`${dir}/clock.runs`);
      await waitRuns(`${dir}/clock.runs`, clockBefore + 4);
      const slowAfter = await runs(`${dir}/slow.runs`);
      assert.ok(slowAfter - slowBefore <= 2, `slow ran ${slowAfter - slowBefore} times in 4 s`);

      // process_timeout ends a run that overstays, so the next tick runs again.
      await p.waitForOutput("cron service hang.service overstayed its process_timeout");
      await waitRuns(`${dir}/hang.runs`, 2);

      // Messages about cron services carry facility cron.
      const cronLog = await Deno.readTextFile(`${dir}/cron.log`);
      assert.match(
        cronLog,
        /cron service tick.service scheduled using interval spec '\* \* \* \* \* \*'/,
      );
      assert.match(cronLog, /cron service tick.service running CMD \( sh -c/);
      assert.doesNotMatch(cronLog, /listening on port/);
    }),
});

Deno.test({
  name: "cron ctl stop unschedules, ctl start reschedules, disable skips runs",
  ignore: !canRunAsPid1,
  fn: () =>
    withChaperone(CONFIG, async (p, dir) => {
      const tick = `${dir}/tick.runs`;
      const clock = `${dir}/clock.runs`;
      await waitRuns(tick, 1);
      assert.equal((await p.ctl("stop", "tick")).code, 0);
      const stopped = await waitRow(p, "tick.service", (r) => r.state === "idle");
      assert.equal(stopped.nextRun, null);
      // One clock tick for a run that may have started just before the stop.
      await waitRuns(clock, (await runs(clock)) + 1);
      const afterStop = await runs(tick);
      await waitRuns(clock, (await runs(clock)) + 3);
      assert.equal(await runs(tick), afterStop, "no runs while stopped");

      assert.equal((await p.ctl("start", "tick")).code, 0);
      await waitRow(p, "tick.service", (r) => r.state === "scheduled" && r.nextRun !== null);
      await waitRuns(tick, afterStop + 2);

      assert.equal((await p.ctl("disable", "tick")).code, 0);
      await waitRuns(clock, (await runs(clock)) + 1);
      const afterDisable = await runs(tick);
      await waitRuns(clock, (await runs(clock)) + 3);
      assert.equal(await runs(tick), afterDisable, "no runs while disabled");
      assert.equal((await statusRows(p)).get("tick.service")!.state, "scheduled");

      assert.equal((await p.ctl("enable", "tick")).code, 0);
      await waitRuns(tick, afterDisable + 2);
    }),
});

Deno.test({
  name: "cron EL-11: a finished job leaves the system up while scheduled, until SIGINT",
  ignore: !canRunAsPid1,
  fn: async () => {
    const dir = await tempTree({
      "chaperone.d/10.conf": `
cron1-echo.service: { type: cron, interval: "* * * * * */2", command: "echo from cron1", stdout: inherit }
${DEBUG_LOGGING}`,
    });
    const p = startPid1(["--config", `${dir}/chaperone.d`]);
    try {
      await p.waitForOutput("system will remain active since there are scheduled services");
      await p.waitForOutput("from cron1");
      await p.kill("SIGINT");
      await p.waitExit();
      assert.match(p.output, /Final termination phase/);
    } finally {
      await p.dispose();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
