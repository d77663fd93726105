/** `ready_probe:` and `health_probe:` (docs/configuration.md, "Probes"; Decision 22 in docs/migration.md). */
import assert from "node:assert/strict";
import { parseTcpTarget } from "../../src/config/resolve_probe.ts";
import type { ProbeSpec, ServiceSpec } from "../../src/config/schema.ts";
import { configOf, FILE, problemsOf } from "./_pipeline.ts";

function serviceOf(text: string, env: Record<string, string> = {}): ServiceSpec {
  const [s] = configOf(text, env).services;
  assert.ok(s);
  return s;
}

function readyOf(probe: string, env: Record<string, string> = {}): ProbeSpec {
  const s = serviceOf(`a.service: { command: x, ready_probe: ${probe} }`, env);
  assert.ok(s.readyProbe);
  return s.readyProbe;
}

/**
 * For each `[written, message]` of `cases`, a service with the probe `probeOf(written)` has
 * exactly one problem: `label` followed by `message`.
 */
function assertEachProblem(
  probeOf: (written: string) => string,
  label: string,
  cases: ReadonlyArray<[string, string]>,
): void {
  for (const [written, message] of cases) {
    assert.deepEqual(
      problemsOf(`a.service: { command: x, ${probeOf(written)} }`),
      [`${FILE}:1: a.service: ${label}${message}`],
      written,
    );
  }
}

Deno.test("probes: every source form is accepted and described", () => {
  const cases: Array<[string, ProbeSpec["source"], string]> = [
    ["{ tcp: 8080 }", { kind: "tcp", host: "127.0.0.1", port: 8080 }, "tcp 127.0.0.1:8080"],
    ['{ tcp: "8080" }', { kind: "tcp", host: "127.0.0.1", port: 8080 }, "tcp 127.0.0.1:8080"],
    ['{ tcp: "10.1.2.3:80" }', { kind: "tcp", host: "10.1.2.3", port: 80 }, "tcp 10.1.2.3:80"],
    ['{ tcp: "[::1]:8080" }', { kind: "tcp", host: "::1", port: 8080 }, "tcp [::1]:8080"],
    [
      '{ tcp: "localhost:65535" }',
      { kind: "tcp", host: "localhost", port: 65535 },
      "tcp localhost:65535",
    ],
    [
      '{ http: "http://127.0.0.1:8080/ready" }',
      { kind: "http", url: "http://127.0.0.1:8080/ready" },
      "http http://127.0.0.1:8080/ready",
    ],
    [
      `{ exec: "pg_isready -q -h 'a b'" }`,
      { kind: "exec", argv: ["pg_isready", "-q", "-h", "a b"], command: "pg_isready -q -h 'a b'" },
      "exec pg_isready -q -h 'a b'",
    ],
    ['{ file: "/run/app.ready" }', { kind: "file", path: "/run/app.ready" }, "file /run/app.ready"],
    [
      '{ log: "listening on .*:8080" }',
      { kind: "log", pattern: "listening on .*:8080" },
      "log listening on .*:8080",
    ],
    [
      '{ log: "(?P<port>\\\\d+) ready\\\\Z" }',
      { kind: "log", pattern: "(?P<port>\\d+) ready\\Z" },
      "log (?P<port>\\d+) ready\\Z",
    ],
  ];
  for (const [written, source, description] of cases) {
    const probe = readyOf(written);
    assert.deepEqual(probe.source, source, written);
    assert.equal(probe.description, description, written);
  }
});

Deno.test("probes: values are expanded with the service's environment", () => {
  const s = serviceOf(
    [
      "a.service: { command: x, env_set: { PORT: 9000, DIR: /run },",
      '  ready_probe: { tcp: "$(PORT:-8080)", interval: "$(FAST:-0.25)" },',
      '  health_probe: { file: "$(DIR)/$(_CHAP_SERVICE).ok", failures: "$(TRIES:-4)" } }',
    ].join("\n"),
    { FAST: "0.1" },
  );
  assert.deepEqual(s.readyProbe?.source, { kind: "tcp", host: "127.0.0.1", port: 9000 });
  assert.equal(s.readyProbe?.intervalMs, 100);
  assert.deepEqual(s.healthProbe?.source, { kind: "file", path: "/run/a.service.ok" });
  assert.equal(s.healthProbe?.failures, 4);
  assert.equal(readyOf('{ tcp: "$(PORT:-8080)" }').description, "tcp 127.0.0.1:8080");
});

Deno.test("probes: defaults differ between readiness and health; options override them", () => {
  const s = serviceOf(
    "a.service: { type: notify, command: x, ready_probe: { tcp: 1 }, health_probe: { tcp: 1 } }",
  );
  assert.deepEqual(
    [s.readyProbe?.intervalMs, s.readyProbe?.timeoutMs, s.readyProbe?.failures],
    [500, 2000, 1],
  );
  assert.deepEqual(
    [s.healthProbe?.intervalMs, s.healthProbe?.timeoutMs, s.healthProbe?.failures],
    [10000, 2000, 3],
  );
  const o = serviceOf(
    'a.service: { type: forking, command: x, health_probe: { exec: "true", interval: 2.5, timeout: "0.5", failures: 1 } }',
  ).healthProbe;
  assert.deepEqual([o?.intervalMs, o?.timeoutMs, o?.failures], [2500, 500, 1]);
  assert.equal(serviceOf("a.service: { command: x }").readyProbe, undefined);
});

Deno.test("probes: block style works, and a problem names the line of its own key", () => {
  const text = [
    "web.service:",
    "  command: x",
    "  health_probe:",
    "    http: http://127.0.0.1:80/health",
    "    interval: 0",
    "    failures: 0",
    "",
  ].join("\n");
  assert.deepEqual(problemsOf(text), [
    `${FILE}:5: web.service: health_probe: interval: must be more than 0 seconds, got 0`,
    `${FILE}:6: web.service: health_probe: failures: expected a whole number of at least 1, got 0`,
  ]);
});

Deno.test("probes: a probe without a source, or with two, is an error", () => {
  assert.deepEqual(
    problemsOf(
      [
        "a.service: { command: x,",
        "  ready_probe: { interval: 1 } }",
        "b.service:",
        "  command: x",
        "  ready_probe:",
        "    tcp: 80",
        "    http: http://127.0.0.1/",
        "    file: /x",
        "c.service: { command: x, health_probe: {} }",
      ].join("\n"),
    ),
    [
      `${FILE}:2: a.service: ready_probe: needs a source: one of tcp, http, exec, file, log`,
      `${FILE}:7: b.service: ready_probe: http: a probe checks one thing, and this one has tcp already`,
      `${FILE}:8: b.service: ready_probe: file: a probe checks one thing, and this one has tcp already`,
      `${FILE}:9: c.service: health_probe: needs a source: one of tcp, http, exec, file, log`,
    ],
  );
});

Deno.test("probes: unknown keys get a suggestion; failures belongs to health probes only", () => {
  assert.deepEqual(
    problemsOf(
      [
        "a.service:",
        "  command: x",
        "  ready_probe: { tpc: 80, tcp: 80, intreval: 1, failures: 2, zzz: 1 }",
        "  health_probe: { tcp: 80, failrues: 2 }",
      ].join("\n"),
    ),
    [
      `${FILE}:3: a.service: ready_probe: tpc: unknown probe key; expected one source (tcp, http, exec, file, log) and interval, timeout (did you mean 'tcp'?)`,
      `${FILE}:3: a.service: ready_probe: intreval: unknown probe key; expected one source (tcp, http, exec, file, log) and interval, timeout (did you mean 'interval'?)`,
      `${FILE}:3: a.service: ready_probe: failures: applies to health_probe only`,
      `${FILE}:3: a.service: ready_probe: zzz: unknown probe key; expected one source (tcp, http, exec, file, log) and interval, timeout`,
      `${FILE}:4: a.service: health_probe: failrues: unknown probe key; expected one source (tcp, http, exec, file, log) and interval, timeout, failures (did you mean 'failures'?)`,
    ],
  );
  assert.deepEqual(problemsOf("a.service: { command: x, readyprobe: { tcp: 1 } }"), [
    `${FILE}:1: a.service: readyprobe: unknown directive (did you mean 'ready_probe'?)`,
  ]);
});

Deno.test("probes: tcp targets are checked: port range, numbers, IPv6 brackets", () => {
  const bad: Array<[string, string]> = [
    ["70000", "port 70000 is out of range (1-65535)"],
    ["0", "port 0 is out of range (1-65535)"],
    ['"127.0.0.1:0"', "port 0 is out of range (1-65535)"],
    ['"http"', 'expected a port or host:port, and "http" is not a port number'],
    ['"db:postgres"', 'expected a port or host:port, and "postgres" is not a port number'],
    ['"-1"', 'expected a port or host:port, and "-1" is not a port number'],
    [
      '"::1:8080"',
      'write an IPv6 address in brackets with its port, as "[::1]:8080", got "::1:8080"',
    ],
    ['":8080"', 'expected a host before the port, got ":8080"'],
    ['"[::1]"', 'write an IPv6 address in brackets with its port, as "[::1]:8080", got "[::1]"'],
  ];
  assertEachProblem((v) => `ready_probe: { tcp: ${v} }`, "ready_probe: tcp: ", bad);
  assert.deepEqual(parseTcpTarget("[fe80::1]:22"), { host: "fe80::1", port: 22 });
});

Deno.test("probes: http URLs must parse and be http:", () => {
  const bad: Array<[string, string]> = [
    ['"not a url"', 'not a valid URL: "not a url"'],
    [
      '"ftp://127.0.0.1/ready"',
      'only http: URLs can be probed, got "ftp://127.0.0.1/ready" (use tcp or exec for others)',
    ],
    [
      '"https://127.0.0.1/"',
      'only http: URLs can be probed, got "https://127.0.0.1/" (use tcp or exec for others)',
    ],
    ['"http://"', 'not a valid URL: "http://"'],
  ];
  assertEachProblem((v) => `ready_probe: { http: ${v} }`, "ready_probe: http: ", bad);
});

Deno.test("probes: exec, file and log values are checked", () => {
  const text = [
    `a.service: { command: x, ready_probe: { exec: "check 'open" } }`,
    `b.service: { command: x, ready_probe: { exec: "$(NOTHING:-)" } }`,
    `c.service: { command: x, ready_probe: { file: run/app.ready } }`,
    `d.service: { command: x, ready_probe: { log: "listening (on" } }`,
    `e.service: { command: x, ready_probe: { log: "(?P=nope)" } }`,
    `f.service: { command: x, ready_probe: { file: { path: /x } } }`,
    `g.service: { command: x, ready_probe: { tcp: "$(PORT:?is not set)" } }`,
    `h.service: { command: x, stdout: inherit, stderr: inherit, health_probe: { log: ready } }`,
  ].join("\n");
  const problems = problemsOf(text);
  assert.equal(problems.length, 8, problems.join("\n"));
  assert.equal(problems[0], `${FILE}:1: a.service: ready_probe: exec: No closing quotation`);
  assert.equal(problems[1], `${FILE}:2: b.service: ready_probe: exec: expands to an empty command`);
  assert.equal(
    problems[2],
    `${FILE}:3: c.service: ready_probe: file: expected an absolute path, got "run/app.ready"`,
  );
  assert.match(problems[3]!, /^[^:]+:4: d\.service: ready_probe: log: Invalid Python regex/);
  assert.match(problems[4]!, /^[^:]+:5: e\.service: ready_probe: log: .*nope/);
  assert.equal(
    problems[5],
    `${FILE}:6: f.service: ready_probe: file: expected a string, got a mapping`,
  );
  assert.match(problems[6]!, /^[^:]+:7: g\.service: ready_probe: tcp: .*is not set/);
  assert.equal(
    problems[7],
    `${FILE}:8: h.service: health_probe: a log probe reads the service's output, but stdout and stderr are inherit`,
  );
  // One of them captured is enough.
  assert.equal(
    serviceOf("a.service: { command: x, stdout: inherit, ready_probe: { log: up } }").readyProbe
      ?.description,
    "log up",
  );
});

Deno.test("probes: interval and timeout must be positive numbers; failures a whole number >= 1", () => {
  const bad: Array<[string, string]> = [
    ["interval: -1", "interval: must be more than 0 seconds, got -1"],
    ["interval: 0", "interval: must be more than 0 seconds, got 0"],
    ['interval: "-0.5"', "interval: must be more than 0 seconds, got -0.5"],
    ["interval: soon", 'interval: expected a number, got "soon"'],
    ["interval: [1]", "interval: expected a number, got a list"],
    ["interval: .inf", "interval: expected a number, got Infinity"],
    ["timeout: 0", "timeout: must be more than 0 seconds, got 0"],
    ["timeout: -3", "timeout: must be more than 0 seconds, got -3"],
    ['timeout: "2s"', 'timeout: expected a number, got "2s"'],
    ["timeout: true", "timeout: expected a number, got true"],
    ["failures: 0", "failures: expected a whole number of at least 1, got 0"],
    ["failures: 1.5", "failures: expected a whole number of at least 1, got 1.5"],
    ["failures: many", 'failures: expected a number, got "many"'],
  ];
  assertEachProblem((v) => `health_probe: { tcp: 1, ${v} }`, "health_probe: ", bad);
});

Deno.test("probes: a probe on a oneshot, cron or inetd service is an error naming the accepting types", () => {
  const text = [
    "a.service: { type: oneshot, command: x, ready_probe: { tcp: 1 } }",
    "b.service: { type: cron, interval: '@daily', command: x, health_probe: { tcp: 1 } }",
    "c.service: { type: inetd, port: 80, command: x, ready_probe: { tcp: 1 } }",
  ].join("\n");
  assert.deepEqual(problemsOf(text), [
    `${FILE}:1: a.service: ready_probe: probes apply only to simple, notify and forking services; this one is oneshot`,
    `${FILE}:2: b.service: health_probe: probes apply only to simple, notify and forking services; this one is cron`,
    `${FILE}:3: c.service: ready_probe: probes apply only to simple, notify and forking services; this one is inetd`,
  ]);
});

Deno.test("probes: the directive's value must be a mapping", () => {
  assert.deepEqual(
    problemsOf("a.service: { command: x, ready_probe: 8080, health_probe: [tcp] }"),
    [
      `${FILE}:1: a.service: ready_probe: expected a mapping, got 8080`,
      `${FILE}:1: a.service: health_probe: expected a mapping, got a list`,
    ],
  );
});
