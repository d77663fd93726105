import assert from "node:assert/strict";
import { cronNickname, schedule, toCronerPattern } from "../../src/cron/schedule.ts";

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

Deno.test("schedule() ticks on a seconds schedule until stopped", async () => {
  let ticks = 0;
  const job = schedule("* * * * * *", () => ticks++);
  try {
    const next = job.nextRun();
    assert.ok(next !== null && next.getTime() - Date.now() <= 1000);
    const deadline = Date.now() + 3000;
    while (ticks === 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    assert.ok(ticks >= 1);
  } finally {
    job.stop();
  }
  assert.equal(job.nextRun(), null);
});

Deno.test("schedule() follows local time as TZ sets it", async () => {
  const script = `
    import { schedule } from "${new URL("../../src/cron/schedule.ts", import.meta.url)}";
    const s = schedule("0 9 * * *", () => {});
    console.log(s.nextRun()!.getUTCHours());
    s.stop();`;
  const hourFor = async (tz: string) => {
    const out = await new Deno.Command(Deno.execPath(), {
      args: [
        "eval",
        "--quiet",
        "--config",
        new URL("../../deno.json", import.meta.url).pathname,
        script,
      ],
      env: { TZ: tz, NO_COLOR: "1" },
    }).output();
    assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
    return Number(new TextDecoder().decode(out.stdout).trim());
  };
  // 09:00 local is 00:00 UTC in Tokyo (UTC+9, no DST) and 09:00 UTC in UTC itself.
  assert.equal(await hourFor("Asia/Tokyo"), 0);
  assert.equal(await hourFor("UTC"), 9);
});
