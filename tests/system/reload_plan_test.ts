import assert from "node:assert/strict";
import type { LoggingSpec, Settings } from "../../src/config/schema.ts";
import { changedFields, formatPlan, planReload, sameValue } from "../../src/system/reload_plan.ts";
import { spec } from "../_helpers/fakes.ts";
import { snap } from "../_helpers/snapshots.ts";

const SETTINGS = {
  env: { inherit: ["*"], set: {}, unset: [] },
  idleDelay: 1,
  ignoreFailures: false,
  startupPause: 0.5,
  shutdownTimeout: 8,
  enableSyslog: true,
  detectExit: true,
  debug: false,
  statusInterval: 0,
  controlSocketMode: 0o600,
} as unknown as Settings;

const side = (
  services = [spec("a.service")],
  more: Partial<{ settings: Settings; logging: LoggingSpec[] }> = {},
) => ({
  settings: SETTINGS,
  services,
  logging: [],
  ...more,
});

const running = (name: string) => snap(name, "running", { pid: 10 });

Deno.test("planReload() keeps an unchanged service, whatever line it moved to", () => {
  const old = side([spec("a.service", { pos: { file: "x.conf", line: 3 } })]);
  const next = side([spec("a.service", { pos: { file: "y.conf", line: 9 } })]);
  assert.deepEqual(formatPlan(planReload(old, next, running)), ["keep a.service"]);
});

Deno.test("planReload() starts added services, stops removed ones", () => {
  const plan = planReload(side([spec("a.service")]), side([spec("b.service")]), running);
  assert.deepEqual(formatPlan(plan), ["start b.service", "stop a.service"]);
});

Deno.test("planReload() restarts a running service whose command or environment changed", () => {
  const next = side([spec("a.service", {
    command: "a --new",
    env: { inherit: ["*"], set: { X: "1" }, unset: [] },
  })]);
  assert.deepEqual(formatPlan(planReload(side(), next, running)), [
    "restart a.service (command, environment changed)",
  ]);
});

Deno.test("planReload() only updates a changed service that is not running", () => {
  const next = side([spec("a.service", { command: "a --new" })]);
  const plan = planReload(side(), next, (n) => snap(n, "failed"));
  assert.deepEqual(formatPlan(plan), ["update a.service (command)"]);
});

Deno.test("planReload() updates supervision directives in place, without a restart", () => {
  const next = side([spec("a.service", { restartLimit: 9, restartDelay: 1 })]);
  assert.deepEqual(formatPlan(planReload(side(), next, running)), [
    "update a.service (restart_delay, restart_limit)",
  ]);
});

Deno.test("planReload() stops a service disabled now and starts one enabled now", () => {
  const disabled = planReload(side(), side([spec("a.service", { enabled: false })]), running);
  assert.deepEqual(formatPlan(disabled), ["stop a.service (disabled)"]);
  const old = side([spec("a.service", { enabled: false })]);
  const enabled = planReload(old, side(), (n) => snap(n, "idle", { enabled: false }));
  assert.deepEqual(formatPlan(enabled), ["start a.service (enabled)"]);
});

Deno.test("planReload() changes every service when the settings' environment changed", () => {
  const settings = { ...SETTINGS, env: { inherit: ["*"], set: { TZ: "UTC" }, unset: [] } };
  const plan = planReload(side(), side([spec("a.service")], { settings }), running);
  assert.deepEqual(formatPlan(plan), [
    "restart a.service (environment changed)",
    "update settings (env_set)",
  ]);
});

Deno.test("planReload() names the settings that need a new container, and applies the rest", () => {
  const settings = {
    ...SETTINGS,
    shutdownTimeout: 20,
    uid: "nobody",
    enableSyslog: false,
    httpListen: { host: "127.0.0.1", port: 9090 },
  } as unknown as Settings;
  const plan = planReload(side(), side([spec("a.service")], { settings }), running);
  assert.deepEqual(plan.settingsApplied, ["shutdown_timeout"]);
  assert.deepEqual(plan.needsRestart, ["uid", "enable_syslog", "http_listen"]);
  assert.ok(formatPlan(plan).includes("needs a container restart: uid"));
});

Deno.test("planReload() lists logging sections opened, replaced and closed", () => {
  const log = (name: string, file: string) =>
    ({
      name,
      file,
      stdout: false,
      stderr: false,
      enabled: true,
      pos: { file: "x" },
    }) as unknown as LoggingSpec;
  const plan = planReload(
    side([], { logging: [log("a.logging", "/a"), log("b.logging", "/b")] }),
    side([], { logging: [log("b.logging", "/b2"), log("c.logging", "/c")] }),
    running,
  );
  assert.deepEqual(formatPlan(plan), [
    "open logging c.logging",
    "replace logging b.logging",
    "close logging a.logging",
  ]);
});

Deno.test("changedFields() and sameValue() compare configuration values structurally", () => {
  assert.deepEqual(changedFields(spec("a.service"), spec("a.service")), []);
  assert.deepEqual(changedFields(spec("a.service"), spec("a.service", { after: ["b.service"] })), [
    "after",
  ]);
  assert.equal(sameValue({ a: [1, { b: 2 }] }, { a: [1, { b: 2 }] }), true);
  assert.equal(sameValue({ a: undefined }, {}), true, "an absent key and undefined are the same");
  assert.equal(sameValue([1, 2], [2, 1]), false);
});
