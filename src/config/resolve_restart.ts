/**
 * The restart directives of a service (docs/configuration.md, "Restart policies and backoff";
 * Decision 21 in docs/migration.md): `restart` as a policy, `restart_limit`, `restart_delay`,
 * `restart_backoff` and `restart_delay_max`, with their defaults. validate.ts has checked the
 * values' types and ranges, and that `always` is on a long-running type.
 */
import { num } from "./scalars.ts";
import type { RawSection, RestartPolicy, ServiceSpec } from "./schema.ts";

/** The resolved restart fields of a ServiceSpec. */
export type RestartFields = Pick<
  ServiceSpec,
  | "restart"
  | "restartPolicy"
  | "restartLimit"
  | "restartDelay"
  | "restartBackoff"
  | "restartDelayMax"
>;

/** Seconds the growing delay is capped at when `restart_delay_max` is not written. */
export const DEFAULT_RESTART_DELAY_MAX = 60;

/** `restart:` as written: a boolean (the original's) or a policy name. */
export function restartPolicyOf(value: unknown): RestartPolicy {
  if (value === true) return "on-failure";
  if (value === "on-failure" || value === "always") return value;
  return "never";
}

/** The restart fields of the raw service section `s`, defaults applied. */
export function resolveRestart(s: RawSection): RestartFields {
  const restartPolicy = restartPolicyOf(s.restart);
  const restartDelay = num(s.restart_delay) ?? 3;
  return {
    restart: restartPolicy !== "never",
    restartPolicy,
    restartLimit: num(s.restart_limit) ?? 5,
    restartDelay,
    restartBackoff: num(s.restart_backoff) ?? 1,
    // Unwritten, the cap never shortens a configured delay: a `restart_delay: 120` written for
    // the original keeps its 120 s. A written cap wins even over a longer restart_delay.
    restartDelayMax: num(s.restart_delay_max) ?? Math.max(DEFAULT_RESTART_DELAY_MAX, restartDelay),
  };
}
