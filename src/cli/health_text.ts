/**
 * The text of `chaperone ctl health` (docs/ctl.md, `health`), which the HTTP probes
 * `/healthz` and `/readyz` answer with too (docs/docker.md): one line when every enabled
 * service passes the level, else each service that fails it with its state and status.
 */
import type { HealthReply, ServiceStatus } from "../control/protocol.ts";

/** The health text, ending with a newline. */
export function formatHealth(health: HealthReply): string {
  const level = health.level ?? "ready";
  if (health.healthy) return `healthy (${level}): every enabled service is ${level}\n`;
  // Each service that fails the level, with its state and its status.
  const lines = health.unhealthy.map((s: ServiceStatus) =>
    `${s.name}: ${s.state}, ${s.status}${s.note ? ` (${s.note})` : ""}`
  );
  if (lines.length === 0) lines.push("the system is shutting down");
  return `unhealthy (${level}):\n${lines.map((l) => `  ${l}\n`).join("")}`;
}
