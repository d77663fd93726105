import assert from "node:assert/strict";
import { ConfigErrors } from "../../src/config/config_error.ts";
import { checkConfig, configPathFor, loadConfig } from "../../src/config/mod.ts";

const FIXTURES = new URL("../fixtures/configs/", import.meta.url).pathname;
const USERS_ROOT = new URL("../fixtures/users/", import.meta.url).pathname;
const ENV = { PATH: "/usr/bin:/bin", HOME: "/root", _CHAP_INTERACTIVE: "0" };

function options(warnings: string[] = [], env: Record<string, string> = ENV) {
  return { env, usersRoot: USERS_ROOT, onWarning: (m: string) => warnings.push(m) };
}

async function problems(scenario: string): Promise<string[]> {
  const result = await checkConfig(`${FIXTURES}errors/${scenario}`, options());
  assert.equal(result.config, undefined, scenario);
  return result.errors.map((e) => e.message);
}

for (const sample of ["lamp", "cron", "notify", "inetd", "forking", "simple", "docsample"]) {
  Deno.test(`loadConfig() loads the ${sample} sample cleanly`, async () => {
    const config = await loadConfig(`${FIXTURES}${sample}`, options());
    assert.ok(config.services.length + config.logging.length > 0);
    assert.equal(config.configDir, FIXTURES.replace(/\/$/, ""));
  });
}

Deno.test("loadConfig() reads a directory in order and merges it (lamp sample)", async () => {
  const warnings: string[] = [];
  const config = await loadConfig(`${FIXTURES}lamp/`, options(warnings));
  assert.equal(config.configDir, `${FIXTURES}lamp`);
  assert.deepEqual(config.services.map((s) => s.name), [
    "init.service",
    "mysql.service",
    "apache2.service",
  ]);
  assert.deepEqual(config.logging.map((l) => l.name), [
    "chaperone.logging",
    "syslog.logging",
    "console.logging",
    "mysql.logging",
    "apache2.logging",
  ]);
  const apacheLog = config.logging.find((l) => l.name === "apache2.logging")!;
  assert.equal(apacheLog.selector.text, "local1.err");
  assert.equal(apacheLog.file, `${FIXTURES}lamp/log/apache2/error-%d.log`);
  assert.equal(apacheLog.stderr, true);
  assert.deepEqual(warnings, [
    `${FIXTURES}lamp/120-apache2.conf:24: duplicate key 'apache2.logging' (the later one wins)`,
  ]);
  const mysql = config.services.find((s) => s.name === "mysql.service")!;
  assert.equal(mysql.type, "forking");
  assert.deepEqual(mysql.argv, [
    "/usr/bin/mysqld_safe",
    `--datadir=${FIXTURES}lamp/var/mysql`,
  ]);
  assert.deepEqual(mysql.user, { uid: 101, gid: 102, name: "mysql", home: "/nonexistent" });
  assert.equal(mysql.processTimeout, 45);
  const init = config.services.find((s) => s.name === "init.service")!;
  assert.deepEqual(init.before, ["default", "database", "application"]);
  assert.deepEqual(init.groups, ["INIT"]);
});

Deno.test("loadConfig() expands tab-indented files and _CHAP_SERVICE (docsample)", async () => {
  const config = await loadConfig(`${FIXTURES}docsample/chaperone.conf`, options());
  const hello = config.services[0]!;
  assert.equal(hello.command, "/bin/echo hello from hello.service");
  assert.equal(hello.stdout, "inherit");
  assert.equal(config.settings.idleDelay, 2);
  assert.equal(config.configDir, `${FIXTURES}docsample`);
});

Deno.test("loadConfig() enables services from environment expansions (cron sample)", async () => {
  const off = await loadConfig(`${FIXTURES}cron`, options());
  assert.equal(off.services.find((s) => s.name === "cron1-echo.service")!.enabled, false);
  const on = await loadConfig(
    `${FIXTURES}cron`,
    options([], { ...ENV, ENABLE_CRON1: "yes", NIGHTLY_AT: "@daily" }),
  );
  const cron1 = on.services.find((s) => s.name === "cron1-echo.service")!;
  assert.equal(cron1.enabled, true);
  assert.equal(cron1.interval, "* * * * * */10");
  assert.equal(cron1.processTimeout, 60);
  assert.equal(on.services.find((s) => s.name === "nightly.service")!.interval, "@daily");
});

Deno.test("loadConfig() returns an empty configuration for a missing path", async () => {
  const config = await loadConfig("/nonexistent/chaperone.d", options());
  assert.deepEqual(config.services, []);
  // Decision 19: no logging section means the default console section.
  assert.deepEqual(config.logging.map((l) => [l.name, l.builtin]), [["default.logging", true]]);
  assert.equal(config.configDir, undefined);
  assert.equal(config.path, "/nonexistent/chaperone.d");
  assert.equal(config.settings.shutdownTimeout, 8);
});

Deno.test("loadConfig() throws ConfigErrors holding every problem", async () => {
  await assert.rejects(
    loadConfig(`${FIXTURES}errors/many`, options()),
    (err: unknown) => err instanceof ConfigErrors && err.errors.length === 4,
  );
});

Deno.test("checkConfig() reports a YAML syntax error with file and line", async () => {
  assert.deepEqual(await problems("yaml-syntax"), [
    `${FIXTURES}errors/yaml-syntax/chaperone.conf:9: YAML syntax error: Missing closing 'quote`,
  ]);
});

Deno.test("checkConfig() reports an unknown directive with file, line and directive", async () => {
  assert.deepEqual(await problems("unknown-directive"), [
    `${FIXTURES}errors/unknown-directive/chaperone.conf:4: web.service: restart_dealy: unknown directive (did you mean 'restart_delay'?)`,
  ]);
});

Deno.test("checkConfig() reports a wrong type with file, line and directive", async () => {
  assert.deepEqual(await problems("wrong-type"), [
    `${FIXTURES}errors/wrong-type/chaperone.conf:5: web.service: restart_limit: expected a non-negative integer, got "x"`,
  ]);
});

Deno.test("checkConfig() reports a reserved name with file and line", async () => {
  assert.deepEqual(await problems("bad-name"), [
    `${FIXTURES}errors/bad-name/chaperone.conf:3: WEB.service: all-uppercase names such as 'WEB.service' are reserved for the system`,
  ]);
});

Deno.test("checkConfig() reports a missing command at the section's line", async () => {
  assert.deepEqual(await problems("missing-command"), [
    `${FIXTURES}errors/missing-command/chaperone.conf:3: db.service: command: required directive is missing`,
  ]);
});

Deno.test("checkConfig() reports a bad signal with file, line and directive", async () => {
  assert.deepEqual(await problems("bad-signal"), [
    `${FIXTURES}errors/bad-signal/chaperone.conf:3: web.service: kill_signal: Invalid signal specifier: SIGNOPE`,
  ]);
});

Deno.test("checkConfig() reports an unknown user unless the service is optional", async () => {
  const warnings: string[] = [];
  const result = await checkConfig(`${FIXTURES}errors/unknown-user`, options(warnings));
  assert.deepEqual(result.errors.map((e) => e.message), [
    `${FIXTURES}errors/unknown-user/chaperone.conf:3: web.service: uid: user 'nosuchuser' does not exist`,
  ]);
  assert.deepEqual(warnings, [
    "optional service extra.service disabled: user 'nosuchuser' does not exist",
  ]);
});

Deno.test("checkConfig() reports a bad cron interval with file, line and directive", async () => {
  assert.deepEqual(await problems("bad-cron"), [
    `${FIXTURES}errors/bad-cron/chaperone.conf:4: tick.service: interval: not a valid cron interval specification, '*/5 * * *'`,
  ]);
});

Deno.test("checkConfig() warns about a duplicate key and keeps the last value", async () => {
  const warnings: string[] = [];
  const result = await checkConfig(`${FIXTURES}errors/duplicate-key`, options(warnings));
  assert.deepEqual(result.errors, []);
  assert.equal(result.config?.services[0]?.command, "web --new");
  assert.deepEqual(warnings, [
    `${FIXTURES}errors/duplicate-key/chaperone.conf:3: web.service: duplicate key 'command' (the later one wins)`,
  ]);
});

Deno.test("checkConfig() collects problems across files and stages", async () => {
  const dir = `${FIXTURES}errors/many`;
  assert.deepEqual(await problems("many"), [
    `${dir}/10-first.conf:1: a.service: restart_limit: expected a non-negative integer, got -1`,
    `${dir}/10-first.conf:2: b.service: command: required directive is missing`,
    `${dir}/20-second.conf:1: c.service: enabled: invalid boolean parameter: 'sometimes'`,
    `${dir}/20-second.conf:2: d.service: stdout: expected log or inherit, got "file"`,
  ]);
});

Deno.test("checkConfig() reports an unknown --user", async () => {
  const result = await checkConfig(`${FIXTURES}docsample`, { ...options(), user: "ghost" });
  assert.deepEqual(result.errors.map((e) => e.message), [
    "specified user ('ghost') does not exist",
  ]);
});

Deno.test("configPathFor() resolves a relative path against the user's home or /", () => {
  assert.equal(configPathFor("/etc/chaperone.d", "/home/u"), "/etc/chaperone.d");
  assert.equal(configPathFor("chaperone.d", "/home/u"), "/home/u/chaperone.d");
  assert.equal(configPathFor("etc/chaperone.d", undefined), "/etc/chaperone.d");
});
