/** file probe attempts, a log source given to attemptProbe, and LogWatch (docs/configuration.md, "Probes"). */
import assert from "node:assert/strict";
import { attemptProbe } from "../../src/probe/attempt_probe.ts";
import { LogWatch } from "../../src/probe/log_watch.ts";
import { withTempDir } from "../_helpers/with_temp_dir.ts";
import { contextOf, CountingClock } from "./_probe_helpers.ts";

Deno.test("file: present (a file, a directory, a symlink to one) is ok; absent fails", async () => {
  await withTempDir(async (dir) => {
    const clock = new CountingClock();
    const probe = (path: string) => attemptProbe({ kind: "file", path }, contextOf(clock));
    assert.deepEqual(await probe(`${dir}/app.ready`), { ok: false, error: "no such file" });
    await Deno.writeTextFile(`${dir}/app.ready`, "");
    assert.deepEqual(await probe(`${dir}/app.ready`), { ok: true });
    assert.deepEqual(await probe(dir), { ok: true });
    await Deno.symlink(`${dir}/app.ready`, `${dir}/link`);
    assert.deepEqual(await probe(`${dir}/link`), { ok: true });
    await Deno.remove(`${dir}/app.ready`);
    // A symlink whose target is gone says nothing is ready.
    assert.deepEqual(await probe(`${dir}/link`), { ok: false, error: "no such file" });
    assert.equal(clock.armed, 0);
  });
});

Deno.test("file: a path under a directory that cannot be searched fails with permission denied", {
  ignore: Deno.uid() === 0,
}, async () => {
  await withTempDir(async (dir) => {
    await Deno.mkdir(`${dir}/closed`);
    await Deno.writeTextFile(`${dir}/closed/x`, "");
    await Deno.chmod(`${dir}/closed`, 0o000);
    try {
      const result = await attemptProbe(
        { kind: "file", path: `${dir}/closed/x` },
        contextOf(new CountingClock()),
      );
      assert.deepEqual(result, { ok: false, error: "permission denied" });
    } finally {
      await Deno.chmod(`${dir}/closed`, 0o700);
    }
  });
});

Deno.test("log: attemptProbe does not attempt a log source", async () => {
  const result = await attemptProbe(
    { kind: "log", pattern: "ready" },
    contextOf(new CountingClock()),
  );
  assert.deepEqual(result, { ok: false, error: "a log probe is watched, not attempted" });
});

Deno.test("LogWatch: a line matching anywhere matches, in the Python dialect", () => {
  const watch = new LogWatch("listening on (?P<host>[\\d.]+):8080\\Z");
  assert.equal(watch.matched(), false);
  assert.equal(watch.feed("starting"), false);
  assert.equal(watch.feed("INFO listening on 0.0.0.0:8081"), false);
  assert.equal(watch.feed("INFO listening on 0.0.0.0:8080"), true);
  assert.equal(watch.matched(), true);
  // Once matched it stays so, whatever comes next.
  assert.equal(watch.feed("shutting down"), true);
});

Deno.test("LogWatch: reset forgets the match; the same line matches again", () => {
  const watch = new LogWatch("(?i)ready\\b");
  assert.equal(watch.feed("Server READY"), true);
  watch.reset();
  assert.equal(watch.matched(), false);
  assert.equal(watch.feed("not yet"), false);
  // The compiled pattern is global: a second search must not start where the first stopped.
  assert.equal(watch.feed("Server READY"), true);
  watch.reset();
  assert.equal(watch.feed("Server READY"), true);
  assert.equal(new LogWatch("\\d+ connections").feed("accepting 12 connections"), true);
  assert.equal(new LogWatch("^ready$").feed("ready\n"), true, "Python's $ before a final newline");
  assert.equal(new LogWatch("^ready").feed("not ready"), false);
});

Deno.test("LogWatch: a pattern that does not compile throws when constructed", () => {
  assert.throws(() => new LogWatch("listening (on"), SyntaxError);
  assert.throws(() => new LogWatch("(?P=nope)"), SyntaxError);
});
