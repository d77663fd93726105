/**
 * Whether a run-time command (ctl start, stop, reset, restart) may act on a service in its
 * present state (docs/ctl.md). Pure: the supervisor asks before it acts, and a refusal names
 * every service that caused it, as the original's replies did.
 */
import type { ServiceSnapshot } from "./state.ts";

/** A command that acts on services. */
export type ServiceCommand = "start" | "stop" | "reset" | "restart";

/** Options that widen what a command may do. */
export interface CommandOptions {
  /** `--force`: act whatever the state. */
  readonly force?: boolean | undefined;
  /** `start --enable`: a disabled service is enabled first. */
  readonly enable?: boolean | undefined;
}

/** Why a command does not act on a service. */
export type Refusal = "not-started" | "running" | "disabled" | "started";

/** The reply text of each refusal (docs/ctl.md; the original's words). */
export const REFUSAL_TEXT: Readonly<Record<Refusal, string>> = {
  "not-started": "can't stop services which aren't started",
  "running": "can't reset services which are running",
  "disabled": "can only start services which have been enabled",
  "started": "can't restart services without stop/reset",
};

/** The refusals of `command` on one service, in the order they are reported. */
export function refusalsOf(
  command: ServiceCommand,
  s: ServiceSnapshot,
  options: CommandOptions,
): Refusal[] {
  if (options.force) return [];
  switch (command) {
    case "stop":
      return s.state === "idle" || s.state === "failed" ? ["not-started"] : [];
    case "reset":
      // As the original: "running" means the process Chaperone started is alive. A daemon
      // attached through its pidfile after its launcher exited may be reset (a log-rotation
      // job resets apache, which kills it through the pidfile).
      return s.pid !== undefined ? ["running"] : [];
    case "restart":
      return s.enabled ? [] : ["disabled"];
    case "start": {
      const found: Refusal[] = [];
      if (!s.enabled && !options.enable) found.push("disabled");
      if (s.state !== "idle") found.push("started");
      return found;
    }
    default: {
      const _exhaustive: never = command;
      throw new TypeError(`unknown command ${_exhaustive}`);
    }
  }
}

/**
 * The first refusal of `command` over `services`, as the reply says it
 * (`<text>: a, b`, names without `.service`), or undefined when it may act on all of them.
 */
export function commandRefusal(
  command: ServiceCommand,
  services: readonly ServiceSnapshot[],
  options: CommandOptions,
): string | undefined {
  const each = services.map((s) => [s.name, refusalsOf(command, s, options)] as const);
  const found = new Set(each.flatMap(([, r]) => r));
  // A disabled service is reported before a started one, as the original checked in turn.
  const kind = REFUSAL_ORDER.find((k) => found.has(k));
  if (kind === undefined) return undefined;
  const names = each.filter(([, r]) => r.includes(kind)).map(([n]) => short(n));
  return `${REFUSAL_TEXT[kind]}: ${names.join(", ")}`;
}

const REFUSAL_ORDER: readonly Refusal[] = ["disabled", "started", "not-started", "running"];

function short(name: string): string {
  return name.replace(/\.service$/, "");
}
