import assert from "node:assert/strict";
import { hostStatus } from "../../src/supervisor/host_status.ts";
import type { ServiceState } from "../../src/service/state.ts";

const CASES: Array<[string, number, ServiceState[], string]> = [
  ["no service has started", 0, ["idle", "waiting"], "Uptime 00:00:00; No services started"],
  ["one service runs", 5.9, ["running"], "Uptime 00:00:05; 1 service started"],
  [
    "finished and running services both count as started",
    3_723,
    ["running", "finished", "stopping"],
    "Uptime 01:02:03; 2 services started",
  ],
  [
    "services are scheduled or failed",
    61,
    ["scheduled", "scheduled", "failed", "running"],
    "Uptime 00:01:01; 1 service started; 2 scheduled; 1 failed",
  ],
  ["uptime passes 99 hours", 360_000, [], "Uptime 100:00:00; No services started"],
];

for (const [when, uptime, states, expected] of CASES) {
  Deno.test(`hostStatus() formats the STATUS= line when ${when}`, () => {
    assert.equal(hostStatus(uptime, states), expected);
  });
}
