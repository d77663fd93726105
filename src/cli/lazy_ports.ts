/**
 * The supervisor's inetd and probe ports over modules that are imported only when a run needs
 * them (docs/benchmarks.md, "Boot and footprint"): a boot whose services have no inetd port and
 * no probe neither compiles nor keeps src/inetd/ and src/probe/ before its first spawn.
 *
 * Probes are asynchronous, so their module loads with the first attempt. An inetd listener is
 * opened synchronously (a port in use fails the service's start at once), so inetd's module is
 * loaded before the first spawn when a configured service is of type inetd, and otherwise in
 * the background once the run is up (`warm()`), for services added later.
 */
import type { Reaper } from "../process/reaper.ts";
import type { Spawner } from "../process/spawn.ts";
import type { InetdPort, ProbePort } from "../supervisor/ports.ts";
import type { Clock } from "../sys/clock.ts";

/** An InetdPort whose module may still be loading; `warm()` loads it. */
export interface LazyInetdPort extends InetdPort {
  warm(): Promise<void>;
}

/** The inetd port; its module is loaded now when `needed`, else on `warm()`. */
export async function lazyInetd(
  spawner: Spawner,
  reaper: Pick<Reaper, "subscribe">,
  needed: boolean,
): Promise<LazyInetdPort> {
  let real: InetdPort | undefined;
  let loading: Promise<void> | undefined;
  const warm = () =>
    loading ??= import("./inetd_adapter.ts").then((m) => {
      real = m.realInetd(spawner, reaper);
    });
  if (needed) await warm();
  return {
    warm,
    listen(port, onConnection) {
      if (real === undefined) {
        void warm();
        throw new Error("inetd support is still loading (the run started a moment ago)");
      }
      return real.listen(port, onConnection);
    },
  };
}

/** The probe port; src/probe/ is imported with the first attempt. */
export function lazyProbes(spawner: Spawner, clock: Clock): ProbePort {
  let real: Promise<ProbePort> | undefined;
  return {
    async attempt(source, timeoutMs, ctx) {
      real ??= import("./probe_adapter.ts").then((m) => m.realProbes(spawner, clock));
      return await (await real).attempt(source, timeoutMs, ctx);
    },
  };
}
