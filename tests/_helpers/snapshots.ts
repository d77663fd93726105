/** Service snapshots for the pure tables' tests. */
import {
  initialSnapshot,
  type ServiceSnapshot,
  type ServiceState,
} from "../../src/service/state.ts";

/** A snapshot of `name` in `state` (enabled, a budget of 5), with `more` on top. */
export function snap(
  name: string,
  state: ServiceState,
  more: Partial<ServiceSnapshot> = {},
): ServiceSnapshot {
  return { ...initialSnapshot(name, { restartLimit: 5, enabled: true }), state, ...more };
}
