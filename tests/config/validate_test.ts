import assert from "node:assert/strict";
import { parseConfigText } from "../../src/config/load.ts";
import { mergeConfigFiles } from "../../src/config/merge.ts";
import {
  checkType,
  isUpperCaseName,
  parseSocketMode,
  sectionKind,
  splitNameList,
  validateConfig,
} from "../../src/config/validate.ts";

const FILE = "/etc/chaperone.d/10-app.conf";

function validate(text: string, warnings: string[] = []): string[] {
  const { parsed, errors } = parseConfigText(text, FILE);
  assert.deepEqual(errors, []);
  return validateConfig(mergeConfigFiles([parsed]), { onWarning: (m) => warnings.push(m) })
    .map((e) => e.message);
}

Deno.test("validateConfig() accepts a typical configuration", () => {
  const text = `
settings: {
  env_set: { PATH: "/bin", N: 5, FLAG: yes, EMPTY: ~ },
  env_inherit: ["*"],
  process_timeout: 5, idle_delay: 0.5, shutdown_timeout: 0,
  control_socket_mode: "0660", control_socket_group: staff,
}
123.service: { command: "echo x", restart_delay: 0.5, kill_signal: term }
web.service: {
  type: notify, command: "web --serve", enabled: "$(WEB:-true)",
  after: " db.service , INIT", before: "IDLE", service_groups: "web, INIT",
  restart: true, restart_limit: 3, kill_signal: 9, uid: www, gid: 33, port: "80",
  stdout: "$(OUT:-log)", setpgrp: false,
}
tick.service: { type: cron, interval: "@daily", command: "date" }
net.service: { type: inetd, port: 8080, command: "cat" }
console.logging: { selector: "*.warn", stdout: true, enabled: "$(X:+true)" }
`;
  assert.deepEqual(validate(text), []);
});

Deno.test("validateConfig() rejects an unknown directive with file, line and directive", () => {
  assert.deepEqual(validate("web.service: {\n  command: x,\n  restartt: true\n}\n"), [
    `${FILE}:3: web.service: restartt: unknown directive (did you mean 'restart'?)`,
  ]);
});

Deno.test("validateConfig() suggests the closest directive for a typo", () => {
  assert.deepEqual(
    validate(
      [
        "web.service: { comand: x, restrat: true, servcie_groups: a, zzzz: 1 }",
        "a.logging: { selectr: '*.*', fiel: /x }",
        "settings: { shutdown_timout: 3 }",
      ].join("\n"),
    ),
    [
      `${FILE}:1: web.service: comand: unknown directive (did you mean 'command'?)`,
      `${FILE}:1: web.service: restrat: unknown directive (did you mean 'restart'?)`,
      `${FILE}:1: web.service: servcie_groups: unknown directive (did you mean 'service_groups'?)`,
      `${FILE}:1: web.service: zzzz: unknown directive`,
      `${FILE}:1: web.service: command: required directive is missing`,
      `${FILE}:2: a.logging: selectr: unknown directive (did you mean 'selector'?)`,
      `${FILE}:2: a.logging: fiel: unknown directive (did you mean 'file'?)`,
      `${FILE}:3: settings: shutdown_timout: unknown directive (did you mean 'shutdown_timeout'?)`,
    ],
  );
});

Deno.test("validateConfig() suggests the section a mistyped key probably meant", () => {
  assert.deepEqual(validate("setings: {}\nweb.servce: {}\nx.loging: {}\nother: {}\n"), [
    `${FILE}:1: setings: unknown section; expected settings, <name>.service or <name>.logging (did you mean 'settings'?)`,
    `${FILE}:2: web.servce: unknown section; expected settings, <name>.service or <name>.logging (did you mean 'web.service'?)`,
    `${FILE}:3: x.loging: unknown section; expected settings, <name>.service or <name>.logging (did you mean 'x.logging'?)`,
    `${FILE}:4: other: unknown section; expected settings, <name>.service or <name>.logging`,
  ]);
});

Deno.test("validateConfig() rejects section names with '/', control characters or too many bytes", () => {
  const long = `${"a".repeat(193)}.service`; // 201 bytes
  const ok = `${"é".repeat(96)}.service`; // 200 bytes
  assert.deepEqual(
    validate(
      [
        `"../../../tmp/x.service": { command: x }`,
        `"a\\nb.service": { command: x }`,
        `"bell\\x07.logging": {}`,
        `"${long}": { command: x }`,
        `"${ok}": { command: x }`,
        `"a b.service": { command: x }`,
      ].join("\n"),
    ),
    [
      `${FILE}:1: ../../../tmp/x.service: a name may not contain '/'`,
      `${FILE}:2: a\\nb.service: a name may not contain control characters`,
      `${FILE}:3: bell\\x07.logging: a name may not contain control characters`,
      `${FILE}:4: ${long}: a name may be at most 200 bytes long (this one has 201)`,
    ],
  );
});

Deno.test("validateConfig() rejects invalid variable names and NUL in values", () => {
  assert.deepEqual(
    validate(
      [
        "settings: {",
        "  env_set: { 'A=B': value, '': x, OK: fine },",
        "  env_inherit: ['PATH', 'X=*'],",
        "}",
        'web.service: { command: "a\\0b", env_set: { V: "x\\0y", "C\\nD": 1 }, env_unset: [""] }',
      ].join("\n"),
    ),
    [
      `${FILE}:2: settings: env_set: 'A=B' is not a variable name: it contains '=' (to set A, write 'A: value')`,
      `${FILE}:2: settings: env_set: a variable name cannot be empty`,
      `${FILE}:3: settings: env_inherit: 'X=*' matches no variable: names cannot contain '=' or control characters`,
      `${FILE}:5: web.service: command: a value cannot contain a NUL character`,
      `${FILE}:5: web.service: env_set: V: a value cannot contain a NUL character`,
      `${FILE}:5: web.service: env_set: 'C\\nD' is not a variable name: it contains control characters`,
    ],
  );
});

Deno.test("validateConfig() hints at the documented names of old keys", () => {
  assert.deepEqual(
    validate(
      "a.service: { command: x, service_group: IDLE, idle_delay: 1 }\nb.logging: { filter: x }\n",
    ),
    [
      `${FILE}:1: a.service: service_group: unknown directive (did you mean 'service_groups'?)`,
      `${FILE}:1: a.service: idle_delay: unknown directive (idle_delay is a settings directive)`,
      `${FILE}:2: b.logging: filter: unknown directive (did you mean 'selector'?)`,
    ],
  );
});

Deno.test("validateConfig() rejects a wrong type naming the value", () => {
  assert.deepEqual(
    validate(
      [
        "settings: { env_inherit: PATH, idle_delay: soon }",
        "web.service: {",
        "  command: x,",
        '  restart_limit: "x",',
        "  restart: maybe,",
        "  env_set: { A: [1] },",
        "  after: [a.service],",
        "  type: daemon,",
        "}",
        "x.logging: { stdout: 1 }",
      ].join("\n"),
    ),
    [
      `${FILE}:1: settings: env_inherit: expected a list of strings, got "PATH"`,
      `${FILE}:1: settings: idle_delay: expected a non-negative number, got "soon"`,
      `${FILE}:4: web.service: restart_limit: expected a non-negative integer, got "x"`,
      `${FILE}:5: web.service: restart: expected true, false, on-failure, always or never, got "maybe"`,
      `${FILE}:6: web.service: env_set: A: expected a string, got a list`,
      `${FILE}:7: web.service: after: expected a string, got a list`,
      `${FILE}:8: web.service: type: expected one of simple, forking, oneshot, notify, cron, inetd, got "daemon"`,
      `${FILE}:10: x.logging: stdout: expected true or false, got 1`,
    ],
  );
});

Deno.test("validateConfig() rejects unknown sections and reserved upper-case names", () => {
  assert.deepEqual(validate("services: {}\nWEB.service: { command: x }\nSYS.logging: {}\n"), [
    `${FILE}:1: services: unknown section; expected settings, <name>.service or <name>.logging`,
    `${FILE}:2: WEB.service: all-uppercase names such as 'WEB.service' are reserved for the system`,
    `${FILE}:3: SYS.logging: all-uppercase names such as 'SYS.logging' are reserved for the system`,
  ]);
});

Deno.test("validateConfig() requires command, also for a section without a value", () => {
  assert.deepEqual(validate("a.service:\nb.service: { type: oneshot }\n"), [
    `${FILE}:1: a.service: command: required directive is missing`,
    `${FILE}:2: b.service: command: required directive is missing`,
  ]);
});

Deno.test("validateConfig() rejects a bad kill_signal", () => {
  assert.deepEqual(
    validate(
      "a.service: {\n  command: x,\n  kill_signal: SIGBOGUS\n}\nb.service: { command: x, kill_signal: 99 }\n",
    ),
    [
      `${FILE}:3: a.service: kill_signal: Invalid signal specifier: SIGBOGUS`,
      `${FILE}:5: b.service: kill_signal: Invalid signal specifier: 99`,
    ],
  );
});

Deno.test("validateConfig() rejects gid without uid on the same service", () => {
  assert.deepEqual(
    validate("settings: { uid: www }\na.service: {\n  command: x,\n  gid: staff\n}\n"),
    [`${FILE}:4: a.service: gid: cannot specify 'gid' without 'uid'`],
  );
});

Deno.test("validateConfig() requires interval for cron and port for inetd, even when disabled", () => {
  assert.deepEqual(
    validate(
      "c.service: { type: cron, command: x, enabled: false }\ni.service: { type: inetd, command: x }\n",
    ),
    [
      `${FILE}:1: c.service: interval: required for cron services (even when disabled)`,
      `${FILE}:2: i.service: port: required for inetd services (even when disabled)`,
    ],
  );
});

Deno.test("validateConfig() applies the system-name rules to after, before and service_groups", () => {
  assert.deepEqual(
    validate(
      [
        "a.service: { command: x, after: 'b.service, BOGUS' }",
        "b.service: { command: x, after: IDLE }",
        "c.service: { command: x, before: INIT }",
        "d.service: { command: x, service_groups: 'web, MAIN' }",
        "e.service: { command: x, after: 'CONSOLE, MAIN, INIT', before: 'IDLE', service_groups: 'IDLE' }",
      ].join("\n"),
    ),
    [
      `${FILE}:1: a.service: after: 'BOGUS' is not a recognized system name`,
      `${FILE}:2: b.service: after: cannot specify services which start *after* service_group IDLE`,
      `${FILE}:3: c.service: before: cannot specify services which start *before* service_group INIT`,
      `${FILE}:4: d.service: service_groups: 'MAIN' is an unrecognized system group name`,
    ],
  );
});

Deno.test("validateConfig() accepts but warns about a key such as x.loggingfoo", () => {
  const warnings: string[] = [];
  assert.deepEqual(validate("x.loggingfoo: { anything: 1 }\n", warnings), []);
  assert.deepEqual(warnings, [`${FILE}:1: x.loggingfoo: ignored (not a .logging section)`]);
});

Deno.test("sectionKind() classifies top-level keys", () => {
  const cases: [string, string | undefined][] = [
    ["settings", "settings"],
    ["a.service", "service"],
    ["a.b.service", "service"],
    [".service", undefined],
    ["a.logging", "logging"],
    ["a.loggingfoo", "ignored"],
    ["settings2", undefined],
    ["a.services", undefined],
  ];
  for (const [name, kind] of cases) assert.equal(sectionKind(name), kind, name);
});

Deno.test("isUpperCaseName() needs cased letters (Decision 7: 123 is ordinary)", () => {
  assert.equal(isUpperCaseName("IDLE"), true);
  assert.equal(isUpperCaseName("WEB_1"), true);
  assert.equal(isUpperCaseName("123"), false);
  assert.equal(isUpperCaseName("Web"), false);
});

Deno.test("splitNameList() trims items and drops empty ones", () => {
  assert.deepEqual(splitNameList(" a.service ,b,, c "), ["a.service", "b", "c"]);
  assert.deepEqual(splitNameList(""), []);
});

Deno.test("parseSocketMode() accepts octal strings and YAML 1.1 octal ints", () => {
  const cases: [unknown, number | undefined][] = [
    ["0660", 0o660],
    ["600", 0o600],
    [0o660, 0o660],
    [0, 0],
    ["0999", undefined],
    ["rw-rw----", undefined],
    [0o1000, undefined],
    [true, undefined],
  ];
  for (const [value, expected] of cases) {
    assert.equal(parseSocketMode(value), expected, String(value));
  }
});

Deno.test("checkType() accepts the leniencies of Decision 7", () => {
  assert.equal(checkType("number", 0.5), undefined);
  assert.equal(checkType("signal", "TERM"), undefined);
  assert.equal(checkType("signal", "sigterm"), undefined);
  assert.equal(checkType("signal", 15), undefined);
  assert.equal(checkType("name-or-number", 1000), undefined);
  assert.equal(checkType("integer", 1.5), "expected a non-negative integer, got 1.5");
  assert.equal(checkType("number", -1), "expected a non-negative number, got -1");
});
