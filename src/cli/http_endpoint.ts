/**
 * The run's HTTP endpoint (`settings: http_listen`; docs/docker.md, "HTTP probes" and
 * "Prometheus"): `/healthz` answers 200 when every enabled service passes `ctl health --level
 * alive` and 503 otherwise, `/readyz` the same at level `ready`, both with the text of
 * `ctl health`; `/metrics` the figures of metrics.ts in Prometheus' text format. run.ts imports
 * this module only when `http_listen` is set, after the services were started, so the endpoint
 * costs a run without it nothing and never delays the first spawn.
 */
import type { HealthLevel } from "../control/protocol.ts";
import type { ListenAddress } from "../config/listen_address.ts";
import { formatListenAddress } from "../config/listen_address.ts";
import { type HttpAnswer, type HttpEndpoint, serveHttp } from "../http/http_server.ts";
import { formatPrometheus, PROMETHEUS_CONTENT_TYPE } from "../http/prometheus.ts";
import type { Supervisor } from "../supervisor/supervisor.ts";
import { healthReply } from "./control_handler.ts";
import { formatHealth } from "./health_text.ts";
import { metricFamilies, type MetricSources } from "./metrics.ts";
import { errorMessage } from "../text/error_message.ts";

const TEXT = "text/plain; charset=utf-8";

function health(sup: Supervisor, level: HealthLevel): HttpAnswer {
  const reply = healthReply(sup, level);
  return { status: reply.healthy ? 200 : 503, body: formatHealth(reply), contentType: TEXT };
}

/**
 * Serves the endpoint at `listen`. Throws an Error naming the address when it cannot be bound
 * (a port in use): the run then fails its start-up (docs/exit-codes.md).
 */
export function startHttpEndpoint(
  listen: ListenAddress,
  sup: Supervisor,
  counters: Omit<MetricSources, "services" | "uptime">,
  report: (message: string) => void,
): HttpEndpoint {
  const sources: MetricSources = {
    ...counters,
    services: () => sup.names().flatMap((n) => sup.view(n) ?? []),
    uptime: () => sup.uptime(),
  };
  try {
    return serveHttp(listen, {
      "/healthz": () => health(sup, "alive"),
      "/readyz": () => health(sup, "ready"),
      "/metrics": () => ({
        status: 200,
        body: formatPrometheus(metricFamilies(sources)),
        contentType: PROMETHEUS_CONTENT_TYPE,
      }),
    }, report);
  } catch (error) {
    throw new Error(`http_listen ${formatListenAddress(listen)}: ${errorMessage(error)}`);
  }
}
