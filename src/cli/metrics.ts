/**
 * What `GET /metrics` reports (docs/docker.md, "Prometheus"): per service its state, readiness,
 * restarts, last exit code and start time, and the run's syslog, reaper and uptime counters.
 * Every figure is read when the page is asked for, from the supervisor's views and the read-only
 * counters of the modules that count (the syslog listener, the log router, the reaper, the
 * store of service output); nothing is counted here.
 */
import type { MetricFamily, Sample } from "../http/prometheus.ts";
import { toExitCode } from "../process/exit_status.ts";
import { conditionOf, healthOf } from "../service/health.ts";
import type { ServiceView } from "../supervisor/supervisor.ts";

/** Where the figures come from. */
export interface MetricSources {
  /** Every service as the supervisor sees it now. */
  services(): readonly ServiceView[];
  /** Seconds since the supervisor started. */
  uptime(): number;
  /** Messages received on /dev/log (0 when syslog is off). */
  syslogMessages(): number;
  /** Log lines lost: by the outputs, or received on /dev/log and not routed. */
  syslogDropped(): number;
  /** Zombies the reaper collected. */
  zombiesReaped(): number;
  /** `ctl logs -f` readers now. */
  logFollowers(): number;
  /** The wall clock (ms since the epoch) at the supervisor clock's 0, for start times. */
  readonly epochOffsetMs: number;
}

function perService(
  views: readonly ServiceView[],
  value: (v: ServiceView) => number | undefined,
): Sample[] {
  const out: Sample[] = [];
  for (const v of views) {
    const n = value(v);
    if (n !== undefined) out.push({ labels: { service: v.spec.name }, value: n });
  }
  return out;
}

/** The metric families of the run, in a stable order (services sorted by name). */
export function metricFamilies(src: MetricSources): MetricFamily[] {
  const views = [...src.services()].sort((a, b) => a.spec.name < b.spec.name ? -1 : 1);
  const one = (yes: boolean) => yes ? 1 : 0;
  return [
    {
      name: "chaperone_service_up",
      help: "1 when the service is running, or has done what it is for (a oneshot that " +
        "succeeded, a scheduled cron or inetd service); else 0.",
      type: "gauge",
      samples: perService(views, (v) => {
        const c = conditionOf(v.snap);
        return one(v.snap.enabled && (c === "up" || c === "done" || c === "scheduled"));
      }),
    },
    {
      name: "chaperone_service_ready",
      help: "1 when the service passes `ctl health --level ready` (a disabled service does).",
      type: "gauge",
      samples: perService(views, (v) => one(healthOf(v.snap).ready)),
    },
    {
      name: "chaperone_service_enabled",
      help: "1 when the service is enabled.",
      type: "gauge",
      samples: perService(views, (v) => one(v.snap.enabled)),
    },
    {
      name: "chaperone_service_restarts_total",
      help: "Restarts of the service after a failed run (or a run that ended, under " +
        "restart: always) since Chaperone started.",
      type: "counter",
      samples: perService(views, (v) => v.snap.restarts),
    },
    {
      name: "chaperone_service_last_exit_code",
      help: "Exit code of the service's last run (128+n for signal n); absent before one ended.",
      type: "gauge",
      samples: perService(views, (v) => v.snap.lastExit && toExitCode(v.snap.lastExit)),
    },
    {
      name: "chaperone_service_start_time_seconds",
      help: "When the service's current or last run started, in seconds since the epoch.",
      type: "gauge",
      samples: perService(
        views,
        (v) =>
          v.snap.runStartedAt === undefined
            ? undefined
            : Math.round(src.epochOffsetMs + v.snap.runStartedAt) / 1000,
      ),
    },
    {
      name: "chaperone_syslog_messages_total",
      help: "Messages received on the syslog socket (/dev/log).",
      type: "counter",
      samples: [{ value: src.syslogMessages() }],
    },
    {
      name: "chaperone_syslog_dropped_total",
      help: "Log lines lost: not written by a logging output (a file that cannot be written, " +
        "a flooded or unreachable syslog_host, a closed console), or received on /dev/log " +
        "and not routed.",
      type: "counter",
      samples: [{ value: src.syslogDropped() }],
    },
    {
      name: "chaperone_zombies_reaped_total",
      help: "Orphaned processes whose exit Chaperone collected as their reaper.",
      type: "counter",
      samples: [{ value: src.zombiesReaped() }],
    },
    {
      name: "chaperone_log_followers",
      help: "Readers following service output (`chaperone ctl logs -f`).",
      type: "gauge",
      samples: [{ value: src.logFollowers() }],
    },
    {
      name: "chaperone_up_seconds",
      help: "Seconds Chaperone has been running (since its supervisor started).",
      type: "gauge",
      samples: [{ value: Math.round(src.uptime() * 1000) / 1000 }],
    },
  ];
}
