/**
 * LogRouter.reconfigure() (`ctl reload`): the new sections take over between two records, a file
 * both configurations name stays open, the others are flushed and closed; no line is lost.
 */
import assert from "node:assert/strict";
import { LogRouter } from "../../src/syslog/router.ts";
import { loggingSpec, readLines, record } from "./helpers.ts";

Deno.test("LogRouter.reconfigure() switches sections between two records: no line lost or doubled", async () => {
  const dir = Deno.makeTempDirSync();
  try {
    const a = `${dir}/a.log`;
    const b = `${dir}/b.log`;
    const kept = `${dir}/kept.log`;
    const router = new LogRouter(
      [loggingSpec("a", { file: a }), loggingSpec("kept", { file: kept })],
      { hostname: "box" },
    );
    const reconfigured: Promise<{ opened: string[]; closed: string[] }>[] = [];
    for (let i = 0; i < 1000; i++) {
      if (i === 500) {
        reconfigured.push(router.reconfigure([
          loggingSpec("b", { file: b }),
          loggingSpec("kept", { file: kept }),
        ]));
      }
      router.write(record("app", `line ${i}`));
    }
    const { opened, closed } = await reconfigured[0]!;
    router.flush();
    await router.close();
    const inA = readLines(a);
    const inB = readLines(b);
    assert.equal(inA.length, 500);
    assert.equal(inB.length, 500);
    assert.match(inA.at(-1)!, /line 499$/);
    assert.match(inB[0]!, /line 500$/);
    assert.equal(readLines(kept).length, 1000, "the kept file saw every line, opened once");
    assert.equal(opened.length, 1);
    assert.match(opened[0]!, /b\.log/);
    assert.equal(closed.length, 1);
    assert.match(closed[0]!, /a\.log/);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("LogRouter.reconfigure() keeps counting what a closed output lost", async () => {
  const router = new LogRouter([loggingSpec("full", { file: "/dev/full" })], {
    hostname: "box",
    report: () => {},
  });
  for (let i = 0; i < 3; i++) {
    router.write(record("app", `line ${i}`));
    router.flush();
  }
  assert.equal(router.dropped, 3);
  // The failing file's section goes away: the lines it lost are still counted.
  await router.reconfigure([loggingSpec("none", {})]);
  assert.equal(router.dropped, 3);
  await router.close();
});
