/** Black-box: `chaperone check` and configuration errors of a run, through scripts/chaperone. */
import assert from "node:assert/strict";
import { CHAPERONE, REPO, tempTree } from "../_helpers/pid1.ts";
import { type ChaperoneResult, runChaperone } from "../_helpers/run_chaperone.ts";

/** The samples' helper programs (daemon, logecho) are found on PATH, as in their el-tests. */
const PATH = `${REPO}/tests/fixtures/bin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`;

function run(args: string[], cwd = REPO): Promise<ChaperoneResult> {
  return runChaperone(args, { cwd, env: { PATH } });
}

const SAMPLES = ["cron", "docsample", "forking", "inetd", "lamp", "notify", "simple"];

Deno.test("chaperone check accepts every sample configuration", async () => {
  for (const s of SAMPLES) {
    // The cron sample's nightly backup program is not on this machine (below).
    const r = await run(["check", "--config", `tests/fixtures/configs/${s}`]);
    assert.equal(r.code, s === "cron" ? 1 : 0, `${s}: ${r.err}`);
    if (s !== "cron") assert.match(r.out, /: ok \(\d+ files?, \d+ services?/, s);
    const skipped = await run([
      "check",
      "--skip-programs",
      "--config",
      `tests/fixtures/configs/${s}`,
    ]);
    assert.equal(skipped.code, 0, `${s}: ${skipped.err}`);
  }
});

Deno.test("chaperone check resolves every service's program as the run would", async () => {
  const r = await run(["check", "--config", "tests/fixtures/configs/cron"]);
  const conf = `${REPO}/tests/fixtures/configs/cron/chaperone.conf`;
  // (rotate-apache's `service` may exist here or not: it is disabled, a note either way.)
  assert.deepEqual(r.err.split("\n").filter((l) => l && !l.startsWith("note: ")), [
    `error: ${conf}:28: nightly.service: command: executable '/usr/local/bin/backup' not found`,
    `1 problem found in ${REPO}/tests/fixtures/configs/cron`,
  ]);
});

/** Each broken fixture: the file, the line and the directive its message must name. */
const BROKEN: Array<[string, RegExp]> = [
  ["bad-cron", /chaperone\.conf:4: tick\.service: interval: not a valid cron interval/],
  ["bad-name", /chaperone\.conf:3: WEB\.service: all-uppercase names/],
  ["bad-signal", /chaperone\.conf:3: web\.service: kill_signal: Invalid signal specifier: SIGNOPE/],
  ["missing-command", /chaperone\.conf:3: db\.service: command: required directive is missing/],
  [
    "unknown-directive",
    /chaperone\.conf:4: web\.service: restart_dealy: unknown directive \(did you mean 'restart_delay'\?\)/,
  ],
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

Deno.test("chaperone check lists every problem a run would reject, in one pass", async () => {
  const dir = await tempTree({
    "c.d/10-services.conf": [
      `web.service: { command: "/nonexistent/web --serve" }`,
      `plain.service: { command: "${"$"}(T)/plain.txt" }`,
      `opt.service: { command: "/nonexistent/opt", optional: true }`,
      `ign.service: { command: "/nonexistent/ign", ignore_failures: true }`,
      `who.service: { command: "true", uid: nosuchuser }`,
      `grp.service: { command: "true", uid: root, gid: nosuchgroup }`,
      `ok.service: { command: "true" }`,
      "",
    ].join("\n"),
    "c.d/20-logging.conf": [
      `console.logging: { selector: "*.info;kern.bogus", stdout: true }`,
      `local.logging: { selector: "local1.information;foo.*", file: /tmp/x.log }`,
      `owner.logging: { file: /tmp/y.log, uid: "${"$"}(LOGU:-nosuchlogger)" }`,
      "",
    ].join("\n"),
    "plain.txt": "not a program\n",
  });
  try {
    const r = await new Deno.Command(CHAPERONE, {
      args: ["check", "--config", `${dir}/c.d`],
      env: { NO_COLOR: "1", PATH, T: dir },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const err = new TextDecoder().decode(r.stderr);
    const s = `${dir}/c.d/10-services.conf`;
    const l = `${dir}/c.d/20-logging.conf`;
    assert.equal(r.code, 1, err);
    assert.deepEqual(err.split("\n").filter((x) => x), [
      `warning: ${s}:4: ign.service: (ignored) service ign.service executable '/nonexistent/ign' is not present`,
      `note: ${s}:3: opt.service: optional service opt.service disabled since '/nonexistent/opt' is not present`,
      `error: ${s}:5: who.service: uid: user 'nosuchuser' does not exist`,
      `error: ${s}:6: grp.service: gid: group 'nosuchgroup' does not exist`,
      `error: ${l}:1: console.logging: selector: Invalid logging priority, bogus: kern.bogus`,
      `error: ${l}:2: local.logging: selector: Invalid logging priority, information: local1.information`,
      `error: ${l}:2: local.logging: selector: Invalid logging facility code, foo: foo.*`,
      `error: ${l}:3: owner.logging: uid: user 'nosuchlogger' does not exist`,
      `error: ${s}:1: web.service: command: executable '/nonexistent/web' not found`,
      `error: ${s}:2: plain.service: command: executable '${dir}/plain.txt' is not executable (permission denied)`,
      `8 problems found in ${dir}/c.d`,
    ]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("chaperone check warns about after/before names that match nothing; --strict fails", async () => {
  const dir = await tempTree({
    "c.d/a.conf": [
      `db.service: { command: "true", service_groups: database }`,
      `web.service: { command: "true", after: "db, databse, cache.service" }`,
      "",
    ].join("\n"),
  });
  try {
    const file = `${dir}/c.d/a.conf`;
    const tail = "matches no service and no group, so it orders nothing";
    const warnings = [
      `warning: ${file}:2: web.service: after: 'db' ${tail} (did you mean 'db.service'?)`,
      `warning: ${file}:2: web.service: after: 'databse' ${tail} (did you mean 'database'?)`,
      `warning: ${file}:2: web.service: after: 'cache.service' ${tail}`,
    ];
    const lenient = await run(["check", "--config", `${dir}/c.d`]);
    assert.equal(lenient.code, 0, lenient.err);
    assert.deepEqual(lenient.err.split("\n").filter((x) => x), warnings);
    assert.match(
      lenient.out,
      /: ok \(1 file, 2 services, no logging section: \*\.info goes to stdout\)/,
    );
    const strict = await run(["check", "--strict", "--config", `${dir}/c.d`]);
    assert.equal(strict.code, 1);
    assert.deepEqual(strict.err.split("\n").filter((x) => x), [
      ...warnings,
      `3 warnings in ${dir}/c.d (--strict)`,
    ]);
    assert.equal(strict.out, "");
    // Abbreviated options, as everywhere (docopt's rule); an ambiguous one names the candidates.
    assert.deepEqual(await run(["check", "--stri", "--conf", `${dir}/c.d`]), strict);
    const ambiguous = await run(["check", "--s", "--config", `${dir}/c.d`]);
    assert.equal(ambiguous.code, 1);
    assert.match(ambiguous.err, /^--s is not a unique prefix: --strict, --skip-programs\?\nUsage:/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("chaperone check suggests the directive a typo meant", async () => {
  const dir = await tempTree({
    "c.d/a.conf": `web.service: { comand: "true", restrat: true }\nsetings: {}\n`,
  });
  try {
    const r = await run(["check", "--config", `${dir}/c.d`]);
    const file = `${dir}/c.d/a.conf`;
    assert.equal(r.code, 1);
    assert.match(
      r.err,
      new RegExp(
        `${file}:1: web\\.service: comand: unknown directive \\(did you mean 'command'\\?\\)`,
      ),
    );
    assert.match(r.err, /web\.service: restrat: unknown directive \(did you mean 'restart'\?\)/);
    assert.match(r.err, /a\.conf:2: setings: unknown section; .* \(did you mean 'settings'\?\)/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
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

Deno.test("chaperone check reports a logging section's bad format with file and line", async () => {
  const dir = await tempTree({
    "c.d/a.conf": `a.service: { command: "true" }
files.logging: {
  file: /tmp/x.log,
  format: yaml,
}
`,
  });
  try {
    const r = await run(["check", "--config", `${dir}/c.d`]);
    assert.equal(r.code, 1);
    assert.match(
      r.err,
      /error: .*c\.d\/a\.conf:4: files\.logging: format: expected text, json, logfmt, got "yaml"/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("chaperone check warns about a duplicate key and keeps the last value", async () => {
  const r = await run([
    "check",
    "--skip-programs",
    "--config",
    "tests/fixtures/configs/errors/duplicate-key",
  ]);
  assert.equal(r.code, 0);
  assert.match(r.err, /chaperone\.conf:3: web\.service: duplicate key 'command'/);
});

Deno.test("chaperone check fails on a path that does not exist", async () => {
  const r = await run(["check", "--config", "no/such/dir"]);
  assert.equal(r.code, 1);
  assert.match(r.err, /no\/such\/dir: no such file or directory/);
});

/**
 * Runs Chaperone on a configuration of a good oneshot (which would leave a mark) and `bad` as
 * `20-bad.conf`: the run must exit 1 with a message matching `pattern`, and start nothing.
 */
async function assertRunRefuses(bad: string, pattern: RegExp): Promise<void> {
  const dir = await tempTree({
    "c.d/10-ok.conf": `first.service: { type: oneshot, command: "touch ${"$"}(MARK)" }\n`,
    "c.d/20-bad.conf": bad,
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
    assert.equal(o.code, 1, err);
    assert.match(err, pattern);
    await assert.rejects(Deno.stat(`${dir}/started`), "nothing may start");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("a run with a configuration error exits 1 before anything starts", async () => {
  await assertRunRefuses(
    `second.service: { command: "true", restart_limit: lots }\n`,
    /Configuration Error: .*20-bad\.conf:1: second\.service: restart_limit/,
  );
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

Deno.test("chaperone check lists every bad probe and restart policy with file, line and key", async () => {
  const fixture = "tests/fixtures/configs/errors/bad-probes";
  const r = await run(["check", "--skip-programs", "--config", fixture]);
  const f = `${REPO}/${fixture}/10-probes.conf`;
  const types = "apply only to simple, notify and forking services";
  assert.equal(r.code, 1, r.err);
  assert.deepEqual(r.err.split("\n").filter((l) => l), [
    `error: ${f}:21: job.service: ready_probe: probes ${types}; this one is oneshot`,
    `error: ${f}:22: tick.service: restart: 'always' applies only to simple, notify and forking services; this one is cron`,
    `error: ${f}:25: typo.service: restart: expected true, false, on-failure, always or never, got "alwyas" (did you mean 'always'?)`,
    `error: ${f}:5: web.service: ready_probe: tcp: port 70000 is out of range (1-65535)`,
    `error: ${f}:10: api.service: ready_probe: http: only http: URLs can be probed, got "https://127.0.0.1:8443/ready" (use tcp or exec for others)`,
    `error: ${f}:11: api.service: ready_probe: interval: must be more than 0 seconds, got 0`,
    `error: ${f}:14: api.service: health_probe: tcp: a probe checks one thing, and this one has exec already`,
    `error: ${f}:18: db.service: health_probe: log: Invalid Python regex 'listening (on': Invalid regular expression: /listening (on/u: Unterminated group`,
    `error: ${f}:19: db.service: health_probe: timeout: expected a number, got "soon"`,
    `error: ${f}:20: db.service: health_probe: failures: expected a whole number of at least 1, got 0`,
    `error: ${f}:23: cache.service: ready_probe: tpc: unknown probe key; expected one source (tcp, http, exec, file, log) and interval, timeout (did you mean 'tcp'?)`,
    `error: ${f}:23: cache.service: ready_probe: failures: applies to health_probe only`,
    `error: ${f}:23: cache.service: ready_probe: needs a source: one of tcp, http, exec, file, log`,
    `error: ${f}:24: empty.service: ready_probe: needs a source: one of tcp, http, exec, file, log`,
    `14 problems found in ${REPO}/${fixture}`,
  ]);
});

Deno.test("a run with a bad probe exits 1 before anything starts", async () => {
  await assertRunRefuses(
    ["web.service:", '  command: "sleep 100"', "  health_probe:", '    tcp: "$(PORT:-99999)"', ""]
      .join("\n"),
    /Configuration Error: .*20-bad\.conf:4: web\.service: health_probe: tcp: port 99999 is out of range \(1-65535\)/,
  );
});
