/**
 * Starts the HTTP endpoint of `settings: http_listen` for a run, once its services were started
 * (docs/docker.md, "HTTP probes"). Its module is imported only here and only when the setting is
 * there, so a run without it loads nothing of it, and one with it spawns its first services
 * first. An address that cannot be bound (a port in use) fails the start-up as a service that
 * cannot start does: a `crit` line naming it, the services stopped, exit status 1
 * (docs/exit-codes.md).
 */
import type { ListenAddress } from "../config/listen_address.ts";
import type { Logger } from "../log/logger.ts";
import type { Reaper } from "../process/reaper.ts";
import type { Clock } from "../sys/clock.ts";
import type { LogRouter } from "../syslog/router.ts";
import type { ServiceLogs } from "../syslog/service_logs.ts";
import type { SyslogListener } from "../syslog/listener.ts";
import type { Supervisor } from "../supervisor/supervisor.ts";
import { errorMessage } from "../text/error_message.ts";

/** The parts of a run whose counters /metrics reads. */
export interface HttpRunParts {
  readonly sup: Supervisor;
  readonly clock: Clock;
  readonly router: LogRouter;
  readonly syslog: SyslogListener | undefined;
  readonly reaper: Reaper;
  readonly serviceLogs: ServiceLogs | undefined;
  readonly logger: Logger;
}

/** Serves `listen` when set; resolves to the endpoint to close at the end of the run. */
export async function startHttp(
  listen: ListenAddress | undefined,
  parts: HttpRunParts,
): Promise<{ close(): Promise<void> } | undefined> {
  if (listen === undefined) return undefined;
  const { sup, clock, router, syslog, reaper, serviceLogs, logger } = parts;
  try {
    const { startHttpEndpoint } = await import("./http_endpoint.ts");
    return startHttpEndpoint(listen, sup, {
      syslogMessages: () => syslog?.received ?? 0,
      syslogDropped: () => router.dropped + (syslog?.dropped ?? 0),
      zombiesReaped: () => reaper.reaped,
      logFollowers: () => serviceLogs?.followers ?? 0,
      epochOffsetMs: Date.now() - clock.now(),
    }, (message) => logger.warn(message));
  } catch (error) {
    logger.crit(`system startup cancelled due to error: ${errorMessage(error)}`);
    sup.shutdown({ code: 1, reason: "http_listen" });
    return undefined;
  }
}
