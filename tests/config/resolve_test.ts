import assert from "node:assert/strict";
import { parseConfigText } from "../../src/config/load.ts";
import { mergeConfigFiles } from "../../src/config/merge.ts";
import {
  envSpecOf,
  parseEnabled,
  PROCESS_TIMEOUTS,
  resolveConfig,
  type ResolveOptions,
} from "../../src/config/resolve.ts";
import type { Credentials, UserDirectory } from "../../src/users/credentials.ts";

const FILE = "/c/app.conf";

const USERS: Record<string, Credentials> = {
  www: { uid: 33, gid: 33, name: "www", home: "/var/www" },
  app: { uid: 1000, gid: 1000, name: "app", home: "/home/app" },
};
const GROUPS: Record<string, number> = { staff: 50, www: 33 };

const directory: UserDirectory = {
  lookupUser: (key) => USERS[key] ?? Object.values(USERS).find((u) => String(u.uid) === key),
  lookupGroup: (key) => {
    if (GROUPS[key] !== undefined) return { gid: GROUPS[key]! };
    const gid = Object.values(GROUPS).find((g) => String(g) === key);
    return gid === undefined ? undefined : { gid };
  },
};

function resolve(text: string, opts: Partial<ResolveOptions> = {}) {
  const { parsed, errors } = parseConfigText(text, FILE);
  assert.deepEqual(errors, []);
  return resolveConfig(mergeConfigFiles([parsed]), {
    env: { PATH: "/bin", HOME: "/root" },
    users: directory,
    ...opts,
  });
}

function resolveOk(text: string, opts: Partial<ResolveOptions> = {}) {
  const result = resolve(text, opts);
  assert.deepEqual(result.errors.map((e) => e.message), []);
  return result.config;
}

Deno.test("resolveConfig() applies settings defaults once", () => {
  const { settings } = resolveOk("");
  assert.deepEqual(settings, {
    env: { inherit: ["*"], set: {}, unset: [] },
    idleDelay: 1,
    ignoreFailures: false,
    startupPause: 0.5,
    shutdownTimeout: 8,
    enableSyslog: true,
    detectExit: true,
    debug: false,
    statusInterval: 30,
    controlSocketMode: 0o600,
    logBufferLines: 1000,
  });
});

Deno.test("resolveConfig() turns shutdown_timeout 0 into half a second", () => {
  assert.equal(resolveOk("settings: { shutdown_timeout: 0 }").settings.shutdownTimeout, 0.5);
  assert.equal(resolveOk("settings: { shutdown_timeout: 3 }").settings.shutdownTimeout, 3);
});

Deno.test("resolveConfig() applies per-type process_timeout defaults", () => {
  const types = Object.keys(PROCESS_TIMEOUTS);
  const text = types.map((t) =>
    `${t}.service: { type: ${t}, command: x, interval: '@daily', port: 1 }`
  ).join("\n");
  const { services } = resolveOk(text);
  assert.deepEqual(
    Object.fromEntries(services.map((s) => [s.type, s.processTimeout])),
    { simple: 30, forking: 30, oneshot: 60, notify: 300, cron: 60, inetd: 60 },
  );
});

Deno.test("resolveConfig() lets settings.process_timeout replace every per-type default", () => {
  const { services } = resolveOk(
    "settings: { process_timeout: 7, startup_pause: 2, ignore_failures: true, debug: true }\n" +
      "a.service: { type: notify, command: x }\n" +
      "b.service: { type: oneshot, command: x, process_timeout: 9, startup_pause: 1, ignore_failures: false, debug: false }\n",
  );
  assert.deepEqual(
    services.map((s) => [s.processTimeout, s.startupPause, s.ignoreFailures, s.debug]),
    [[7, 2, true, true], [9, 1, false, false]],
  );
});

Deno.test("resolveConfig() applies service defaults", () => {
  const [s] = resolveOk("a.service: { command: 'run  --flag \"two words\"' }").services;
  assert.deepEqual({ ...s!, env: undefined, pos: undefined }, {
    name: "a.service",
    type: "simple",
    command: 'run  --flag "two words"',
    argv: ["run", "--flag", "two words"],
    enabled: true,
    optional: false,
    ignoreFailures: false,
    exitKills: false,
    restart: false,
    restartPolicy: "never",
    restartLimit: 5,
    restartDelay: 3,
    restartBackoff: 1,
    restartDelayMax: 60,
    killSignal: 15,
    processTimeout: 30,
    startupPause: 0.5,
    stdout: "log",
    stderr: "log",
    groups: ["default"],
    after: [],
    before: [],
    debug: false,
    env: undefined,
    pos: undefined,
  });
  assert.deepEqual(s!.pos, { file: FILE, line: 1 });
});

Deno.test("resolveConfig() honours command-line extra settings over the files", () => {
  const { settings, services } = resolveOk(
    "settings: { ignore_failures: false, enable_syslog: true }\na.service: { command: x }",
    { extraSettings: { ignore_failures: true, enable_syslog: false } },
  );
  assert.equal(settings.ignoreFailures, true);
  assert.equal(settings.enableSyslog, false);
  assert.equal(services[0]!.ignoreFailures, true);
});

Deno.test("resolveConfig() converts kill_signal, restart_delay and port", () => {
  const { services } = resolveOk(
    [
      "a.service: { command: x, kill_signal: SIGHUP, restart_delay: 0.5 }",
      "b.service: { command: x, kill_signal: term }",
      "c.service: { command: x, kill_signal: 9 }",
      "d.service: { command: x, kill_signal: '2', type: inetd, port: '$(P:-8080)' }",
    ].join("\n"),
  );
  assert.deepEqual(services.map((s) => s.killSignal), [1, 15, 9, 2]);
  assert.equal(services[0]!.restartDelay, 0.5);
  assert.equal(services[3]!.port, 8080);
});

Deno.test("parseEnabled() converts strings as the original does", () => {
  const cases: [unknown, boolean | undefined][] = [
    [true, true],
    [false, false],
    ["yes", true],
    [" TRUE ", true],
    ["On", true],
    ["y", true],
    ["n", false],
    ["off", false],
    ["", false],
    ["  ", false],
    ["maybe", undefined],
    [1, undefined],
  ];
  for (const [value, expected] of cases) assert.equal(parseEnabled(value), expected, String(value));
});

Deno.test("resolveConfig() expands enabled and reports a non-boolean result", () => {
  const text = "a.service: { command: x, enabled: '$(EN:+true)' }\n" +
    "b.service: {\n  command: x,\n  enabled: '$(EN:-bogus)'\n}\n";
  const off = resolve(text, { env: {} });
  assert.deepEqual(off.errors.map((e) => e.message), [
    `${FILE}:4: b.service: enabled: invalid boolean parameter: 'bogus'`,
  ]);
  const on = resolveOk(text, { env: { EN: "on" } });
  assert.deepEqual(on.services.map((s) => s.enabled), [true, true]);
});

Deno.test("resolveConfig() disables every service with disableServices", () => {
  const { services } = resolveOk("a.service: { command: x }\nb.service: { command: y }", {
    disableServices: true,
  });
  assert.deepEqual(services.map((s) => s.enabled), [false, false]);
});

Deno.test("resolveConfig() expands directives against the service environment", () => {
  const { services } = resolveOk(
    [
      "settings: { env_set: { APPS: /apps, LOG: '$(APPS)/log' } }",
      "a.service: {",
      "  command: '$(APPS)/bin/run --name $(_CHAP_SERVICE) $(UNDEFINED)',",
      "  env_set: { APPS: /opt },",
      "  directory: '$(APPS)', pidfile: '$(LOG)/a.pid', stdout: '$(OUT:-inherit)',",
      "}",
    ].join("\n"),
  );
  const a = services[0]!;
  assert.deepEqual(a.argv, ["/opt/bin/run", "--name", "a.service", "$(UNDEFINED)"]);
  assert.equal(a.directory, "/opt");
  assert.equal(a.pidfile, "/opt/log/a.pid");
  assert.equal(a.stdout, "inherit");
  assert.deepEqual(a.env, { inherit: ["*"], set: { APPS: "/opt" }, unset: [] });
});

Deno.test("resolveConfig() reports an expansion error on its directive", () => {
  const result = resolve(
    "a.service: {\n  command: x,\n  directory: '$(DATA:?DATA must be set)'\n}",
  );
  assert.equal(result.errors.length, 1);
  assert.match(
    result.errors[0]!.message,
    /^\/c\/app\.conf:3: a\.service: directory: .*DATA must be set/,
  );
});

Deno.test("resolveConfig() reports an unbalanced quote in command", () => {
  const result = resolve("a.service: { command: 'echo \"oops' }");
  assert.equal(result.errors.length, 1);
  assert.match(result.errors[0]!.message, /^\/c\/app\.conf:1: a\.service: command: /);
});

Deno.test("resolveConfig() resolves service users, gid overrides and HOME", () => {
  const { services } = resolveOk(
    [
      "a.service: { command: 'echo $(HOME) $(USER)', uid: www }",
      "b.service: { command: x, uid: 1000, gid: staff }",
      "c.service: { command: x, uid: app, gid: 77 }",
      "d.service: { command: x }",
    ].join("\n"),
  );
  assert.equal(services[0]!.command, "echo /var/www www");
  assert.deepEqual(services[0]!.user, USERS.www);
  assert.deepEqual(services[1]!.user, { ...USERS.app, gid: 50 });
  assert.deepEqual(services[2]!.user, { ...USERS.app, gid: 77 });
  assert.equal(services[3]!.user, undefined);
});

Deno.test("resolveConfig() uses settings uid, else --user, as the default user", () => {
  const viaSettings = resolveOk(
    "settings: { uid: www }\na.service: { command: 'echo $(HOME)' }",
    { user: "app" },
  );
  assert.equal(viaSettings.settings.uid, "www");
  assert.deepEqual(viaSettings.services[0]!.user, USERS.www);
  assert.equal(viaSettings.services[0]!.command, "echo /var/www");
  const viaCli = resolveOk("a.service: { command: 'echo $(HOME)' }\nx.logging: {}", {
    user: "app",
  });
  assert.equal(viaCli.settings.uid, "app");
  assert.deepEqual(viaCli.services[0]!.user, USERS.app);
  assert.equal(viaCli.services[0]!.command, "echo /home/app");
  assert.equal(viaCli.logging[0]!.uid, 1000);
  assert.equal(viaCli.logging[0]!.gid, 1000);
});

Deno.test("resolveConfig() reports unknown users and groups with their directive", () => {
  const result = resolve(
    [
      "settings: { uid: ghost }",
      "a.service: { command: x, uid: www, gid: nogroup }",
      "b.service: { command: x, uid: nobody, optional: true }",
      "c.service: { command: x, uid: 4242, optional: true }",
    ].join("\n"),
    { onWarning: () => {} },
  );
  assert.deepEqual(result.errors.map((e) => e.message), [
    `${FILE}:1: settings: uid: user 'ghost' does not exist`,
    `${FILE}:2: a.service: gid: group 'nogroup' does not exist`,
  ]);
  const [b, c] = result.config.services;
  assert.equal(b!.enabled, false);
  assert.deepEqual(c!.user, { uid: 4242, gid: 4242 });
  assert.equal(c!.enabled, true);
});

Deno.test("resolveConfig() reads control_socket_mode and checks control_socket_group", () => {
  const ok = resolveOk("settings: { control_socket_mode: '0660', control_socket_group: staff }");
  assert.equal(ok.settings.controlSocketMode, 0o660);
  assert.equal(ok.settings.controlSocketGroup, "staff");
  assert.equal(
    resolveOk("settings: { control_socket_mode: 0640 }").settings.controlSocketMode,
    0o640,
  );
  const bad = resolve("settings: { control_socket_group: wheel }");
  assert.deepEqual(bad.errors.map((e) => e.message), [
    `${FILE}:1: settings: control_socket_group: group 'wheel' does not exist`,
  ]);
});

Deno.test("resolveConfig() only checks the interval of cron services", () => {
  const result = resolve(
    "a.service: { type: oneshot, command: x, interval: nonsense }\n" +
      "b.service: { type: cron, command: x, interval: '$(WHEN:-nonsense)' }\n",
  );
  assert.deepEqual(result.errors.map((e) => e.message), [
    `${FILE}:2: b.service: interval: not a valid cron interval specification, 'nonsense'`,
  ]);
});

Deno.test("resolveConfig() trims after/before items and splits service_groups", () => {
  const [s] = resolveOk(
    "a.service: { command: x, after: ' b.service ,c ', before: 'IDLE', service_groups: 'web, INIT' }",
  ).services;
  assert.deepEqual(s!.after, ["b.service", "c"]);
  assert.deepEqual(s!.before, ["IDLE"]);
  assert.deepEqual(s!.groups, ["web", "INIT"]);
});

Deno.test("resolveConfig() resolves logging sections with defaults and settings inheritance", () => {
  const config = resolveOk(
    [
      "settings: { logrec_hostname: box }",
      "a.logging: { selector: '', stdout: true, enabled: '$(X:+1)' }",
      "b.logging: { selector: '*.info', file: '/var/log/%d.log', logrec_hostname: other, extended: true }",
    ].join("\n"),
  );
  const [a, b] = config.logging;
  assert.equal(a!.selector.text, "*.*");
  assert.equal(a!.stdout, true);
  assert.equal(a!.enabled, false, "$(X:+1) expands to nothing: false");
  assert.equal(a!.logrecHostname, "box");
  assert.equal(b!.selector.text, "*.info");
  assert.equal(b!.enabled, true);
  assert.equal(b!.logrecHostname, "other");
  assert.equal(b!.file, "/var/log/%d.log");
  assert.equal(b!.extended, true);
  assert.equal(b!.overwrite, false);
});

Deno.test("resolveConfig() expands logging directives with the settings environment", () => {
  const config = resolveOk(
    [
      "settings: { env_set: { LOGS: /var/log/app, SEL: '*.warn', HOST: loghost } }",
      "a.logging: { selector: '$(SEL)', file: '$(LOGS)/%d.log', syslog_host: '$(HOST):5514',",
      "  logrec_hostname: '$(HOST)', enabled: '$(LOGS:+yes)' }",
    ].join("\n"),
  );
  const [a] = config.logging;
  assert.equal(a!.selector.text, "*.warn");
  assert.equal(a!.file, "/var/log/app/%d.log");
  assert.equal(a!.syslogHost, "loghost:5514");
  assert.equal(a!.logrecHostname, "loghost");
  assert.equal(a!.enabled, true);
});

Deno.test("resolveConfig() looks up a logging section's owner after expanding it (chaperone-lamp)", () => {
  const lamp = "apache2.logging: { file: /l/a.log, uid: '$(LOGU:-www)' }";
  assert.deepEqual(pick(resolveOk(lamp).logging[0]!), { uid: 33, gid: 33 });
  assert.deepEqual(
    pick(resolveOk(lamp, { env: { LOGU: "app" } }).logging[0]!),
    { uid: 1000, gid: 1000 },
  );
  assert.deepEqual(
    pick(resolveOk("a.logging: { file: /l/a.log, uid: www, gid: staff }").logging[0]!),
    { uid: 33, gid: 50 },
  );
  // A gid alone changes the group of the settings user.
  assert.deepEqual(
    pick(
      resolveOk("settings: { uid: app }\na.logging: { file: /l/a.log, gid: staff }").logging[0]!,
    ),
    { uid: 1000, gid: 50 },
  );
  assert.deepEqual(pick(resolveOk("a.logging: { file: /l/a.log }").logging[0]!), {});
});

function pick(spec: { uid?: number; gid?: number }) {
  return {
    ...(spec.uid !== undefined ? { uid: spec.uid } : {}),
    ...(spec.gid !== undefined ? { gid: spec.gid } : {}),
  };
}

Deno.test("resolveConfig() reports every problem of logging sections with file, line and directive", () => {
  const result = resolve(
    [
      "a.logging: { selector: '*.info;kern.bogus;foo.*', stdout: true }",
      "b.logging: { selector: 'local1.information', uid: '$(LOGU:-ghost)' }",
      "c.logging: { enabled: maybe, gid: nogroup }",
      "d.logging: { file: '$(NEED:?NEED must be set)' }",
      "e.logging: { enabled: false, selector: kern, uid: ghost }",
    ].join("\n"),
  );
  assert.deepEqual(result.errors.map((e) => e.message), [
    `${FILE}:1: a.logging: selector: Invalid logging priority, bogus: kern.bogus`,
    `${FILE}:1: a.logging: selector: Invalid logging facility code, foo: foo.*`,
    `${FILE}:2: b.logging: selector: Invalid logging priority, information: local1.information`,
    `${FILE}:2: b.logging: uid: user 'ghost' does not exist`,
    `${FILE}:3: c.logging: enabled: invalid boolean parameter: 'maybe'`,
    `${FILE}:3: c.logging: gid: group 'nogroup' does not exist`,
    `${FILE}:4: d.logging: file: NEED must be set`,
    // A disabled section's selector is still checked; its owner is not looked up.
    `${FILE}:5: e.logging: selector: Invalid log spec syntax: kern`,
  ]);
});

Deno.test("resolveConfig() rejects a directive that expands to a NUL character", () => {
  const result = resolve(
    "a.service: { command: 'echo $(X:/b/\\0/)', env_set: { X: abc } }\n" +
      "b.logging: { file: '/l/$(HOME:/r/\\0/)' }\n",
  );
  assert.deepEqual(result.errors.map((e) => e.message), [
    `${FILE}:1: a.service: command: expands to a value with a NUL character`,
    `${FILE}:2: b.logging: file: expands to a value with a NUL character`,
  ]);
});

Deno.test("resolveConfig() adds the default console section only when no logging section exists", () => {
  const [d] = resolveOk("a.service: { command: x }").logging;
  assert.equal(d!.name, "default.logging");
  assert.equal(d!.builtin, true);
  assert.equal(d!.selector.text, "*.info");
  assert.equal(d!.stdout, true);
  assert.equal(d!.stderr, false);
  assert.equal(d!.file, undefined);
  assert.equal(resolveOk("settings: { logrec_hostname: h }").logging[0]!.logrecHostname, "h");
  assert.deepEqual(resolveOk("", { noConsoleLog: true }).logging, []);
  assert.deepEqual(resolveOk("", { noDefaultLogging: true }).logging, []);
  const configured = resolveOk("off.logging: { enabled: false, stdout: true }").logging;
  assert.deepEqual(configured.map((l) => [l.name, l.builtin]), [["off.logging", undefined]]);
  // x.loggingfoo is not a logging section (docs/configuration.md, "Sections"), so the default still
  // applies.
  const ignored = resolveOk("x.loggingfoo: {}", { onWarning: () => {} }).logging;
  assert.deepEqual(ignored.map((l) => l.name), ["default.logging"]);
});

Deno.test("resolveConfig() warns about after/before names that match nothing, with a suggestion", () => {
  const warnings: string[] = [];
  resolveOk(
    [
      "db.service: { command: x, service_groups: database }",
      "web.service: { command: x, after: 'db, databse, db.servic, default, INIT' }",
      "api.service: { command: x, before: 'nothing.service, web.service' }",
    ].join("\n"),
    { onWarning: (m) => warnings.push(m) },
  );
  const tail = " matches no service and no group, so it orders nothing";
  assert.deepEqual(warnings, [
    `${FILE}:2: web.service: after: 'db'${tail} (did you mean 'db.service'?)`,
    `${FILE}:2: web.service: after: 'databse'${tail} (did you mean 'database'?)`,
    `${FILE}:2: web.service: after: 'db.servic'${tail} (did you mean 'db.service'?)`,
    `${FILE}:3: api.service: before: 'nothing.service'${tail}`,
  ]);
});

Deno.test("resolveConfig() drops console outputs of logging sections with noConsoleLog", () => {
  const config = resolveOk("a.logging: { stdout: true, stderr: true }", { noConsoleLog: true });
  assert.equal(config.logging[0]!.stdout, false);
  assert.equal(config.logging[0]!.stderr, false);
});

Deno.test("envSpecOf() converts env_set scalars and treats an empty env_inherit as everything", () => {
  assert.deepEqual(
    envSpecOf({ env_inherit: [], env_set: { N: 5, B: true, Z: null, S: "s" }, env_unset: ["X*"] }),
    { inherit: ["*"], set: { N: "5", B: "true", Z: "", S: "s" }, unset: ["X*"] },
  );
  assert.deepEqual(envSpecOf({ env_inherit: ["PATH", "LANG"] }).inherit, ["PATH", "LANG"]);
});

Deno.test("resolveConfig() exposes _CHAP_CONFIG_DIR as configDir", () => {
  const config = resolveOk("", { env: { _CHAP_CONFIG_DIR: "/apps" } });
  assert.equal(config.configDir, "/apps");
});

Deno.test("resolveConfig() resolves a logging section's format, text by default, expanded", () => {
  const config = resolveOk(
    [
      "settings: { env_set: { FMT: logfmt } }",
      "a.logging: { stdout: true }",
      "b.logging: { stdout: true, format: json }",
      "c.logging: { stdout: true, format: '$(FMT)' }",
      "d.logging: { stdout: true, format: '$(NONE:-text)' }",
    ].join("\n"),
  );
  assert.deepEqual(config.logging.map((l) => l.format), ["text", "json", "logfmt", "text"]);
});

Deno.test("resolveConfig() reports a bad format with file, line and directive", () => {
  const result = resolve(
    [
      "a.logging: { stdout: true, format: JSON }",
      "b.logging: { stdout: true,",
      "  format: xml }",
      "c.logging: { enabled: false, format: '$(F:-yaml)' }",
    ].join("\n"),
  );
  assert.deepEqual(result.errors.map((e) => e.message), [
    `${FILE}:1: a.logging: format: expected text, json, logfmt, got "JSON" (did you mean 'json'?)`,
    `${FILE}:3: b.logging: format: expected text, json, logfmt, got "xml"`,
    `${FILE}:4: c.logging: format: expected text, json, logfmt, got "yaml"`,
  ]);
});
