import assert from "node:assert/strict";
import { cronNickname, scheduleCron, toCronerPattern } from "../../src/config/cron_interval.ts";

Deno.test("toCronerPattern() keeps five fields and moves a sixth (seconds) field first", () => {
  const cases: [string, string][] = [
    ["* * * * *", "* * * * *"],
    ["*/5 1-3 * jan,feb mon-fri", "*/5 1-3 * jan,feb mon-fri"],
    ["* * * * * */10", "*/10 * * * * *"],
    ["  0 12 * * *  ", "0 12 * * *"],
    ["@daily", "0 0 * * *"],
    ["hourly", "0 * * * *"],
    ["@Yearly", "0 0 1 1 *"],
    ["annually", "0 0 1 1 *"],
    ["@monthly", "0 0 1 * *"],
    ["weekly", "0 0 * * 0"],
  ];
  for (const [input, expected] of cases) assert.equal(toCronerPattern(input), expected, input);
});

Deno.test("toCronerPattern() rejects specs croniter would reject", () => {
  for (
    const spec of ["", "@reboot", "* * * *", "* * * * * * *", "61 * * * *", "bogus", "* * 32 * *"]
  ) {
    assert.throws(
      () => toCronerPattern(spec),
      (err: unknown) =>
        err instanceof SyntaxError &&
        err.message === `not a valid cron interval specification, '${spec}'`,
      spec,
    );
  }
});

Deno.test("cronNickname() returns undefined for ordinary specs", () => {
  assert.equal(cronNickname("* * * * *"), undefined);
  assert.equal(cronNickname("@daily"), "0 0 * * *");
});

Deno.test("scheduleCron() ticks on a seconds schedule until stopped", async () => {
  let ticks = 0;
  const schedule = scheduleCron("* * * * * *", () => ticks++);
  try {
    const next = schedule.nextRun();
    assert.ok(next !== null && next.getTime() - Date.now() <= 1000);
    const deadline = Date.now() + 3000;
    while (ticks === 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    assert.ok(ticks >= 1);
  } finally {
    schedule.stop();
  }
  assert.equal(schedule.nextRun(), null);
});
