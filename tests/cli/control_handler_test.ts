/** The status rows ctl prints, from a service's view: status string, note, health, probe. */
import assert from "node:assert/strict";
import { serviceStatus } from "../../src/cli/control_handler.ts";
import type { ServiceSnapshot, ServiceState } from "../../src/service/state.ts";
import type { ServiceView } from "../../src/supervisor/runtime.ts";
import { spec } from "../_helpers/fakes.ts";
import { snap } from "../_helpers/snapshots.ts";

function view(state: ServiceState, more: Partial<ServiceSnapshot> = {}, ready = true): ServiceView {
  return {
    spec: spec("web.service"),
    snap: snap("web.service", state, more),
    nextRun: undefined,
    listener: undefined,
    ready,
  };
}

Deno.test("serviceStatus() shows the restarts left as the log line does, and both health levels", () => {
  const row = serviceStatus(
    view("backoff", { lastExit: { code: 1, signal: null }, restartsLeft: 2 }),
  );
  assert.equal(row.status, "exit(1)+r#2");
  assert.equal(row.state, "backoff");
  assert.deepEqual([row.ready, row.alive], [false, true]);
});

Deno.test("serviceStatus() says stopped after ctl stop, and the service fails both levels", () => {
  const row = serviceStatus(view("idle", { stoppedByOperator: true, lastPid: 42 }));
  assert.equal(row.status, "stopped");
  assert.deepEqual([row.pid, row.lastPid], [null, 42]);
  assert.deepEqual([row.ready, row.alive], [false, false]);
});

Deno.test("serviceStatus() notes a service that gave up, with its failed runs", () => {
  const row = serviceStatus(view("failed", {
    failedRuns: 6,
    error: "exit(1)",
    lastExit: { code: 1, signal: null },
  }, false));
  assert.equal(row.status, "exit(1)");
  assert.equal(row.note, "gave up after 6 failed runs: exit(1)");
  assert.deepEqual([row.state, row.ready, row.alive], ["failed", false, false]);
});

Deno.test("serviceStatus() shows the last probe result in the note and the probe field", () => {
  const probing = serviceStatus(view("probing", {
    pid: 5,
    lastProbe: { ok: false, error: "connection refused" },
  }));
  assert.deepEqual([probing.status, probing.note, probing.probe], [
    "starting",
    "probe failed: connection refused",
    "connection refused",
  ]);
  const up = serviceStatus(view("running", { pid: 5, lastProbe: { ok: true } }));
  assert.deepEqual([up.note, up.probe, up.ready], ["probe ok", "ok", true]);
  assert.equal(serviceStatus(view("running", { pid: 5 })).probe, null);
});
