/** Black-box: `chaperone check` and configuration errors of a run, through scripts/chaperone. */
import assert from "node:assert/strict";
import { CHAPERONE, REPO, tempTree } from "../_helpers/pid1.ts";

async function run(
  args: string[],
  cwd = REPO,
): Promise<{ code: number; out: string; err: string }> {
  const o = await new Deno.Command(CHAPERONE, {
    args,
    cwd,
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
    stdin: "null",
  }).output();
  const dec = new TextDecoder();
  return { code: o.code, out: dec.decode(o.stdout), err: dec.decode(o.stderr) };
}

const SAMPLES = ["cron", "docsample", "forking", "inetd", "lamp", "notify", "simple"];

Deno.test("chaperone check accepts every sample configuration", async () => {
  for (const s of SAMPLES) {
    const r = await run(["check", "--config", `tests/fixtures/configs/${s}`]);
    assert.equal(r.code, 0, `${s}: ${r.err}`);
    assert.match(r.out, /: ok \(\d+ files?, \d+ services?/, s);
  }
});

/** Each broken fixture: the file, the line and the directive its message must name. */
const BROKEN: Array<[string, RegExp]> = [
  ["bad-cron", /chaperone\.conf:4: tick\.service: interval: not a valid cron interval/],
  ["bad-name", /chaperone\.conf:3: WEB\.service: all-uppercase names/],
  ["bad-signal", /chaperone\.conf:3: web\.service: kill_signal: Invalid signal specifier: SIGNOPE/],
  ["missing-command", /chaperone\.conf:3: db\.service: command: required directive is missing/],
  ["unknown-directive", /chaperone\.conf:4: web\.service: restart_dealy: unknown directive/],
  ["unknown-user", /chaperone\.conf:3: web\.service: uid: user 'nosuchuser' does not exist/],
  ["wrong-type", /chaperone\.conf:5: web\.service: restart_limit: expected a non-negative integer/],
  ["yaml-syntax", /chaperone\.conf:9: YAML syntax error/],
];

Deno.test("chaperone check rejects broken configurations naming file, line and directive", async () => {
  for (const [name, pattern] of BROKEN) {
    const r = await run(["check", "--config", `tests/fixtures/configs/errors/${name}`]);
    assert.equal(r.code, 1, name);
    assert.match(r.err, pattern, name);
  }
});

Deno.test("chaperone check prints every problem, not just the first", async () => {
  const r = await run(["check", "--config", "tests/fixtures/configs/errors/many"]);
  assert.equal(r.code, 1);
  assert.equal(r.err.match(/^error: /gm)?.length, 4, r.err);
  assert.match(r.err, /4 problems found/);
  assert.match(r.err, /10-first\.conf:1: a\.service: restart_limit/);
  assert.match(r.err, /20-second\.conf:2: d\.service: stdout/);
});

Deno.test("chaperone check reports a dependency cycle naming the services in it", async () => {
  const dir = await tempTree({
    "c.d/a.conf": `a.service: { command: "true", after: b.service }
b.service: { command: "true", after: a.service }
`,
  });
  try {
    const r = await run(["check", "--config", `${dir}/c.d`]);
    assert.equal(r.code, 1);
    assert.match(r.err, /circular dependency in service declaration: .*a\.service.*b\.service/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("chaperone check warns about a duplicate key and keeps the last value", async () => {
  const r = await run(["check", "--config", "tests/fixtures/configs/errors/duplicate-key"]);
  assert.equal(r.code, 0);
  assert.match(r.err, /chaperone\.conf:3: web\.service: duplicate key 'command'/);
});

Deno.test("chaperone check fails on a path that does not exist", async () => {
  const r = await run(["check", "--config", "no/such/dir"]);
  assert.equal(r.code, 1);
  assert.match(r.err, /no\/such\/dir: no such file or directory/);
});

Deno.test("a run with a configuration error exits 1 before anything starts", async () => {
  const dir = await tempTree({
    "c.d/10-ok.conf": `first.service: { type: oneshot, command: "touch ${"$"}(MARK)" }\n`,
    "c.d/20-bad.conf": `second.service: { command: "true", restart_limit: lots }\n`,
  });
  try {
    const o = await new Deno.Command(CHAPERONE, {
      args: ["--force", "--config", `${dir}/c.d`],
      env: { NO_COLOR: "1", MARK: `${dir}/started` },
      stdout: "piped",
      stderr: "piped",
      stdin: "null",
    }).output();
    const err = new TextDecoder().decode(o.stderr);
    assert.equal(o.code, 1);
    assert.match(err, /Configuration Error: .*20-bad\.conf:1: second\.service: restart_limit/);
    await assert.rejects(Deno.stat(`${dir}/started`), "nothing may start");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a failing expansion in the command's arguments exits 1 before anything starts", async () => {
  const dir = await tempTree({ "c.d/a.conf": `a.service: { type: oneshot, command: "true" }\n` });
  try {
    const r = await run([
      "--force",
      "--config",
      `${dir}/c.d`,
      "/bin/echo",
      "$(NOPE:?NOPE is required)",
    ]);
    assert.equal(r.code, 1);
    assert.match(r.err, /Configuration Error: command line: NOPE is required/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
