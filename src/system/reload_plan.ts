/**
 * What `ctl reload` does with a changed configuration (docs/ctl.md, `reload`): the plan that
 * takes the running system to the new configuration, decided from the old and new resolved
 * specs and the services' snapshots. Pure; the supervisor carries the plan out.
 *
 * - a service only in the new configuration is started (when enabled);
 * - a service only in the old one is stopped, dependents first;
 * - a service whose directives that shape its run changed (command, environment, user,
 *   directory, type, probes …) is restarted, or only updated when it is not running;
 * - a service whose supervision directives alone changed (restart, restart_limit,
 *   restart_delay, restart_backoff, restart_delay_max, enabled) is updated in place;
 *   `enabled: false` stops it and `enabled: true` starts it;
 * - every other service is kept: same process, same restart counts and history.
 */
import type { LoggingSpec, ServiceSpec, Settings } from "../config/schema.ts";
import { isLive, type ServiceSnapshot } from "../service/state.ts";

/** What happens to one service. */
export type ServicePlan =
  | { readonly kind: "start"; readonly name: string; readonly why: string }
  | { readonly kind: "stop"; readonly name: string; readonly why: string }
  | { readonly kind: "restart"; readonly name: string; readonly changed: readonly string[] }
  | { readonly kind: "update"; readonly name: string; readonly changed: readonly string[] }
  | { readonly kind: "keep"; readonly name: string };

/** The whole plan of one reload. */
export interface ReloadPlan {
  readonly services: readonly ServicePlan[];
  /** Logging sections added, removed or changed (replaced at once, no line lost). */
  readonly logging: {
    readonly added: readonly string[];
    readonly removed: readonly string[];
    readonly changed: readonly string[];
  };
  /** Settings applied at once. */
  readonly settingsApplied: readonly string[];
  /** Settings that only a restart of the container applies (`needs a container restart`). */
  readonly needsRestart: readonly string[];
}

/** One side of the comparison. */
export interface ConfigSide {
  readonly settings: Settings;
  readonly services: readonly ServiceSpec[];
  readonly logging: readonly LoggingSpec[];
}

/** The directives a spec field comes from, as plan lines name them. */
const DIRECTIVES: Readonly<Record<string, string>> = {
  type: "type",
  command: "command",
  argv: "command",
  optional: "optional",
  ignoreFailures: "ignore_failures",
  exitKills: "exit_kills",
  killSignal: "kill_signal",
  processTimeout: "process_timeout",
  startupPause: "startup_pause",
  watchdogTimeout: "watchdog_timeout",
  pidfile: "pidfile",
  directory: "directory",
  stdout: "stdout",
  stderr: "stderr",
  interval: "interval",
  port: "port",
  groups: "service_groups",
  after: "after",
  before: "before",
  user: "uid",
  debug: "debug",
  env: "environment",
  readyProbe: "ready_probe",
  healthProbe: "health_probe",
  restart: "restart",
  restartPolicy: "restart",
  restartLimit: "restart_limit",
  restartDelay: "restart_delay",
  restartBackoff: "restart_backoff",
  restartDelayMax: "restart_delay_max",
  enabled: "enabled",
};

/** Fields that change supervision only: applied in place, no restart. */
const IN_PLACE: ReadonlySet<string> = new Set([
  "restart",
  "restartPolicy",
  "restartLimit",
  "restartDelay",
  "restartBackoff",
  "restartDelayMax",
  "enabled",
]);

/** Fields that say where a directive was written, not what it says. */
const IGNORED: ReadonlySet<string> = new Set(["name", "pos"]);

/** Settings a running system takes at once; the others need a new container. */
const LIVE_SETTINGS: Readonly<Record<string, string>> = {
  shutdownTimeout: "shutdown_timeout",
  detectExit: "detect_exit",
  idleDelay: "idle_delay",
  ignoreFailures: "ignore_failures",
  processTimeout: "process_timeout",
  startupPause: "startup_pause",
  env: "env_set",
  logrecHostname: "logrec_hostname",
};
const RESTART_SETTINGS: Readonly<Record<string, string>> = {
  uid: "uid",
  gid: "gid",
  enableSyslog: "enable_syslog",
  debug: "debug",
  statusInterval: "status_interval",
  controlSocketMode: "control_socket_mode",
  controlSocketGroup: "control_socket_group",
  logBufferLines: "log_buffer_lines",
  httpListen: "http_listen",
};

/** Plans the reload from `old` to `next`; `snapshotOf` gives a running service's snapshot. */
export function planReload(
  old: ConfigSide,
  next: ConfigSide,
  snapshotOf: (name: string) => ServiceSnapshot | undefined,
): ReloadPlan {
  const before = new Map(old.services.map((s) => [s.name, s]));
  const after = new Map(next.services.map((s) => [s.name, s]));
  // The settings' environment is every service's base: a change there changes them all.
  const baseChanged = !sameValue(old.settings.env, next.settings.env);
  const services: ServicePlan[] = [];
  for (const spec of next.services) {
    const was = before.get(spec.name);
    if (!was) {
      services.push(
        spec.enabled
          ? { kind: "start", name: spec.name, why: "added" }
          : { kind: "update", name: spec.name, changed: ["added, disabled"] },
      );
      continue;
    }
    services.push(planService(was, spec, snapshotOf(spec.name), baseChanged));
  }
  for (const spec of old.services) {
    if (!after.has(spec.name)) services.push({ kind: "stop", name: spec.name, why: "removed" });
  }
  return {
    services,
    logging: planLogging(old.logging, next.logging),
    settingsApplied: changedSettings(old.settings, next.settings, LIVE_SETTINGS),
    needsRestart: changedSettings(old.settings, next.settings, RESTART_SETTINGS),
  };
}

/** The plan of a service in both configurations. */
function planService(
  was: ServiceSpec,
  spec: ServiceSpec,
  snap: ServiceSnapshot | undefined,
  baseChanged: boolean,
): ServicePlan {
  const fields = changedFields(was, spec);
  if (baseChanged && !fields.includes("env")) fields.push("env");
  const name = spec.name;
  if (fields.length === 0) return { kind: "keep", name };
  const shaping = fields.filter((f) => !IN_PLACE.has(f));
  const live = snap !== undefined && isLive(snap);
  if (was.enabled !== spec.enabled) {
    if (!spec.enabled) return { kind: "stop", name, why: "disabled" };
    if (!live) return { kind: "start", name, why: "enabled" };
  }
  if (shaping.length > 0 && live) return { kind: "restart", name, changed: directives(shaping) };
  return { kind: "update", name, changed: directives(fields) };
}

/** The fields that differ between two specs of one service. */
export function changedFields(a: ServiceSpec, b: ServiceSpec): string[] {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  const changed: string[] = [];
  for (const key of keys) {
    if (IGNORED.has(key)) continue;
    const x = (a as unknown as Record<string, unknown>)[key];
    const y = (b as unknown as Record<string, unknown>)[key];
    if (!sameValue(x, y)) changed.push(key);
  }
  return changed;
}

/** The directive names of `fields`, each once, in a stable order. */
function directives(fields: readonly string[]): string[] {
  return [...new Set(fields.map((f) => DIRECTIVES[f] ?? f))].sort();
}

function planLogging(old: readonly LoggingSpec[], next: readonly LoggingSpec[]) {
  const before = new Map(old.filter((l) => !l.builtin).map((l) => [l.name, l]));
  const after = new Map(next.filter((l) => !l.builtin).map((l) => [l.name, l]));
  const added = [...after.keys()].filter((n) => !before.has(n));
  const removed = [...before.keys()].filter((n) => !after.has(n));
  const changed = [...after.keys()].filter((n) => {
    const a = before.get(n);
    const b = after.get(n);
    return a !== undefined && b !== undefined && !sameValue(strip(a), strip(b));
  });
  return { added, removed, changed };
}

function strip(spec: LoggingSpec): unknown {
  const { pos: _pos, ...rest } = spec;
  return rest;
}

function changedSettings(a: Settings, b: Settings, names: Readonly<Record<string, string>>) {
  return Object.keys(names).filter((key) =>
    !sameValue(
      (a as unknown as Record<string, unknown>)[key],
      (b as unknown as Record<string, unknown>)[key],
    )
  ).map((key) => names[key]!);
}

/** Structural equality of configuration values (plain data: no cycles, no functions). */
export function sameValue(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (a instanceof RegExp || b instanceof RegExp) return String(a) === String(b);
  const ka = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
  const kb = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
  if (ka.length !== kb.length) return false;
  return ka.every((k) =>
    sameValue((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])
  );
}

/** The plan as `ctl reload` prints it: one line a service, then logging and settings. */
export function formatPlan(plan: ReloadPlan): string[] {
  const lines = plan.services.map((p) => {
    switch (p.kind) {
      case "start":
      case "stop":
        return `${p.kind} ${p.name}${
          p.why === "added" || p.why === "removed" ? "" : ` (${p.why})`
        }`;
      case "restart":
        return `restart ${p.name} (${p.changed.join(", ")} changed)`;
      case "update":
        return `update ${p.name} (${p.changed.join(", ")})`;
      case "keep":
        return `keep ${p.name}`;
      default: {
        const _exhaustive: never = p;
        throw new TypeError(`unknown plan ${JSON.stringify(_exhaustive)}`);
      }
    }
  });
  const { added, removed, changed } = plan.logging;
  for (const n of added) lines.push(`open logging ${n}`);
  for (const n of changed) lines.push(`replace logging ${n}`);
  for (const n of removed) lines.push(`close logging ${n}`);
  if (plan.settingsApplied.length > 0) {
    lines.push(`update settings (${plan.settingsApplied.join(", ")})`);
  }
  for (const d of plan.needsRestart) lines.push(`needs a container restart: ${d}`);
  return lines;
}
