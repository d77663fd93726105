/** The figures of /metrics from the supervisor's views and the counters (src/cli/metrics.ts). */
import assert from "node:assert/strict";
import { metricFamilies, type MetricSources } from "../../src/cli/metrics.ts";
import { formatPrometheus } from "../../src/http/prometheus.ts";
import { initialSnapshot, type ServiceSnapshot } from "../../src/service/state.ts";
import type { ServiceView } from "../../src/supervisor/supervisor.ts";
import type { ServiceSpec } from "../../src/config/schema.ts";

function view(
  name: string,
  type: ServiceSpec["type"],
  snap: Partial<ServiceSnapshot>,
): ServiceView {
  return {
    spec: { name, type } as ServiceSpec,
    snap: { ...initialSnapshot(name, { restartLimit: 5, enabled: true }), ...snap },
    nextRun: undefined,
    listener: undefined,
    ready: true,
  };
}

const SOURCES: MetricSources = {
  services: () => [
    view("web.service", "simple", { state: "running", pid: 10, restarts: 2, runStartedAt: 5000 }),
    view("init.service", "oneshot", { state: "finished", lastExit: { code: 0, signal: null } }),
    view("crash.service", "simple", {
      state: "backoff",
      restarts: 4,
      lastExit: { code: null, signal: 9 },
      runStartedAt: 7500,
    }),
    view("off.service", "simple", { state: "idle", enabled: false }),
    view("tick.service", "cron", { state: "scheduled" }),
  ],
  uptime: () => 12.3456,
  syslogMessages: () => 7,
  syslogDropped: () => 1,
  zombiesReaped: () => 3,
  logFollowers: () => 2,
  epochOffsetMs: 1_700_000_000_000,
};

function samples(name: string): Record<string, number> {
  const family = metricFamilies(SOURCES).find((f) => f.name === name)!;
  return Object.fromEntries(family.samples.map((s) => [s.labels?.service ?? "", s.value]));
}

Deno.test("metricFamilies(): up, ready and enabled per service", () => {
  assert.deepEqual(samples("chaperone_service_up"), {
    "crash.service": 0,
    "init.service": 1,
    "off.service": 0,
    "tick.service": 1,
    "web.service": 1,
  });
  // As ctl health: a disabled service passes.
  assert.deepEqual(samples("chaperone_service_ready"), {
    "crash.service": 0,
    "init.service": 1,
    "off.service": 1,
    "tick.service": 1,
    "web.service": 1,
  });
  assert.equal(samples("chaperone_service_enabled")["off.service"], 0);
});

Deno.test("metricFamilies(): restarts, last exit codes and start times", () => {
  assert.deepEqual(samples("chaperone_service_restarts_total"), {
    "crash.service": 4,
    "init.service": 0,
    "off.service": 0,
    "tick.service": 0,
    "web.service": 2,
  });
  // Only services whose run ended; a signal is 128 + n.
  assert.deepEqual(samples("chaperone_service_last_exit_code"), {
    "crash.service": 137,
    "init.service": 0,
  });
  assert.deepEqual(samples("chaperone_service_start_time_seconds"), {
    "crash.service": 1_700_000_007.5,
    "web.service": 1_700_000_005,
  });
});

Deno.test("metricFamilies(): the run's counters, in a document Prometheus reads", () => {
  assert.deepEqual(samples("chaperone_syslog_messages_total"), { "": 7 });
  assert.deepEqual(samples("chaperone_syslog_dropped_total"), { "": 1 });
  assert.deepEqual(samples("chaperone_zombies_reaped_total"), { "": 3 });
  assert.deepEqual(samples("chaperone_log_followers"), { "": 2 });
  assert.deepEqual(samples("chaperone_up_seconds"), { "": 12.346 });
  const text = formatPrometheus(metricFamilies(SOURCES));
  // Services sorted by name within each family.
  assert.match(text, /up\{service="crash\.service"\} 0\nchaperone_service_up\{service="init/);
  for (const f of metricFamilies(SOURCES)) {
    assert.equal(f.type === "counter", f.name.endsWith("_total"), f.name);
  }
});
