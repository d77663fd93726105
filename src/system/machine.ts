/**
 * The life of the whole system as a pure machine, beside the per-service one: starting →
 * running → stopping → sweeping → done. The supervisor feeds it the start-up, each service's
 * settle, shutdown requests, and, after every drained event queue, a `quiet` event with the
 * services' snapshots; it answers with effects: events for services (deps-ready, stop …),
 * messages to the host, the final sweep, the end. Nothing here performs I/O or reads the
 * clock, so the rules (start order, detect-exit, shutdown order) are tested without processes.
 */
import { type ExitStatus, toExitCode } from "../process/exit_status.ts";
import {
  isLive,
  type LogLevel,
  type ServiceEvent,
  type ServiceSnapshot,
} from "../service/state.ts";
import { shutdownStep, startVerdict } from "./order.ts";

/** How the system ended, for the exit status contract (Decision 1, docs/exit-codes.md). */
export interface Ending {
  readonly code: number;
  readonly reason: string;
}

/** Where the system is in its life. */
export type SystemPhase = "starting" | "running" | "stopping" | "sweeping" | "done";

/** Everything the system machine knows. */
export interface SystemSnapshot {
  readonly phase: SystemPhase;
  /** Services of the initial start-up that have not settled yet. */
  readonly pending: ReadonlySet<string>;
  /** The first start-up failure; it cancels the start-up. */
  readonly startupFailure?: string | undefined;
  /** The IDLE group waits `idle_delay` once, as a whole (Decision 14). */
  readonly idleDelay: "pending" | "running" | "done";
  readonly ending?: Ending | undefined;
  /** A forced shutdown (SIGINT): a second forced request kills everything at once. */
  readonly forced: boolean;
  /** When the shutdown began (ms). */
  readonly shutdownStartedAt?: number | undefined;
  /** "system will remain active …" is said once. */
  readonly remainActiveWarned: boolean;
}

/** What the machine sees of the services when it is asked to look (`quiet`). */
export interface SystemWorld {
  /** Snapshots in start order. */
  readonly services: readonly ServiceSnapshot[];
  prerequisitesOf(name: string): readonly string[];
  dependentsOf(name: string): readonly string[];
  /** The service belongs to the IDLE group. */
  isIdleGroup(name: string): boolean;
  /** Any process has us as its parent (asked only when no service is busy). */
  hasChildren(): boolean;
  /** Detect-exit is on (docs/configuration.md, `detect_exit`). */
  readonly detectExit: boolean;
}

/** What reached the system. */
export type SystemEvent =
  | { type: "start"; services: readonly string[]; detectExit: boolean }
  /** A start of `name` ended; `abandoned` when a stop ended it (not a failure of the start-up). */
  | {
    type: "settled";
    name: string;
    ok: boolean;
    reason?: string | undefined;
    abandoned?: boolean | undefined;
  }
  | { type: "shutdown"; ending: Ending; forced: boolean }
  | { type: "idle-delay-over" }
  | { type: "quiet"; world: SystemWorld }
  | { type: "sweep-done" };

/** What the supervisor must do for the system. */
export type SystemEffect =
  | { type: "service"; name: string; event: ServiceEvent }
  | { type: "log"; level: LogLevel; message: string }
  | { type: "host"; message: string }
  | { type: "host-status"; on: boolean }
  /** Stop every cron schedule and inetd listener, and SIGTERM inetd connections. */
  | { type: "close-schedulers" }
  | { type: "kill-everything" }
  | { type: "idle-timer" }
  | { type: "sweep" }
  | { type: "finish"; ending: Ending };

/** The result of one step. */
export interface SystemTransition {
  readonly next: SystemSnapshot;
  readonly effects: readonly SystemEffect[];
}

/** A system that has not started. */
export const INITIAL_SYSTEM: SystemSnapshot = {
  phase: "starting",
  pending: new Set(),
  idleDelay: "pending",
  forced: false,
  remainActiveWarned: false,
};

/** True once a shutdown has begun. */
export function isShuttingDown(s: SystemSnapshot): boolean {
  return s.phase === "stopping" || s.phase === "sweeping" || s.phase === "done";
}

/** Why no service may be started now, or undefined. */
export function startRefusal(s: SystemSnapshot): string | undefined {
  return isShuttingDown(s) ? "the system is shutting down: no service can be started" : undefined;
}

/** Why the configuration may not be reloaded now, or undefined. */
export function reloadRefusal(s: SystemSnapshot): string | undefined {
  return isShuttingDown(s)
    ? "the system is shutting down: the configuration cannot be reloaded"
    : undefined;
}

/** Computes one step of the system's life. */
export function systemTransition(
  s: SystemSnapshot,
  e: SystemEvent,
  now: number,
): SystemTransition {
  const fx: SystemEffect[] = [];
  const log = (level: LogLevel, message: string) => fx.push({ type: "log", level, message });

  /** Begins the orderly shutdown (the services are stopped as `quiet` finds them stoppable). */
  const shutdown = (from: SystemSnapshot, ending: Ending, forced: boolean): SystemSnapshot => {
    if (isShuttingDown(from)) {
      if (forced && from.forced) fx.push({ type: "kill-everything" });
      return { ...from, forced: from.forced || forced };
    }
    log("debug", `Request made to kill system.${forced ? " (forced)" : ""}`);
    if (ending.code !== 0 && from.phase === "starting") {
      fx.push({ type: "host", message: `ERRNO=${ending.code}` });
    }
    fx.push(
      { type: "host", message: "STOPPING=1" },
      { type: "host-status", on: false },
      { type: "close-schedulers" },
    );
    return { ...from, phase: "stopping", ending, forced, shutdownStartedAt: now };
  };

  /** The last service of the start-up settled. */
  const startupComplete = (from: SystemSnapshot): SystemSnapshot => {
    if (from.phase !== "starting") return from;
    log("info", "all services started");
    fx.push({ type: "host", message: "READY=1" }, { type: "host-status", on: true });
    return { ...from, phase: "running" };
  };

  const done = (next: SystemSnapshot): SystemTransition => ({ next, effects: fx });

  switch (e.type) {
    case "start": {
      if (e.services.length === 0) {
        const running: SystemSnapshot = { ...s, phase: "running" };
        if (!e.detectExit) return done(running);
        log(
          "warn",
          "No service startups attempted (all disabled?) - exiting due to 'detect_exit=true'",
        );
        return done(shutdown(running, { code: 0, reason: "no services enabled" }, false));
      }
      for (const name of e.services) {
        fx.push({ type: "service", name, event: { type: "start", initial: true } });
      }
      return done({ ...s, pending: new Set(e.services) });
    }
    case "settled": {
      if (!s.pending.has(e.name)) return done(s);
      const pending = new Set(s.pending);
      pending.delete(e.name);
      let next: SystemSnapshot = { ...s, pending };
      if (!e.ok && !e.abandoned && !next.startupFailure) {
        // The message names the service, also when its reason does not (a missing program).
        const reason = e.reason ?? "failed";
        const failure = reason.includes(e.name) ? reason : `${e.name}: ${reason}`;
        next = { ...next, startupFailure: failure };
      }
      if (next.startupFailure && !isShuttingDown(next)) {
        // At crit: the run copies crit lines to stderr whatever the logging sections say
        // (docs/exit-codes.md).
        log("crit", `system startup cancelled due to error: ${next.startupFailure}`);
        next = shutdown(next, { code: 1, reason: next.startupFailure }, false);
      }
      return done(pending.size === 0 ? startupComplete(next) : next);
    }
    case "shutdown":
      return done(shutdown(s, e.ending, e.forced));
    case "idle-delay-over":
      return done({ ...s, idleDelay: "done" });
    case "sweep-done":
      if (s.phase !== "sweeping" || !s.ending) return done(s);
      fx.push({ type: "finish", ending: s.ending });
      return done({ ...s, phase: "done" });
    case "quiet":
      return done(quiet(s, e.world, fx, shutdown));
    default: {
      const _exhaustive: never = e;
      throw new TypeError(`unknown system event ${JSON.stringify(_exhaustive)}`);
    }
  }
}

/**
 * The look after every drained queue: start what may start, stop what the shutdown may stop,
 * begin the final sweep once nothing runs, and end a system with nothing left (detect-exit).
 */
function quiet(
  s: SystemSnapshot,
  world: SystemWorld,
  fx: SystemEffect[],
  shutdown: (from: SystemSnapshot, ending: Ending, forced: boolean) => SystemSnapshot,
): SystemSnapshot {
  const byName = new Map(world.services.map((x) => [x.name, x]));
  const snapshotOf = (name: string) => byName.get(name);
  const send = (name: string, event: ServiceEvent) => fx.push({ type: "service", name, event });
  let next = s;

  for (const svc of world.services) {
    if (svc.state !== "waiting") continue;
    const verdict = startVerdict(world.prerequisitesOf(svc.name), snapshotOf, next.pending);
    if (verdict === "wait") continue;
    if (typeof verdict === "object") {
      send(svc.name, { type: "deps-failed", dependency: verdict.failed });
      continue;
    }
    if (isShuttingDown(next)) continue;
    if (world.isIdleGroup(svc.name) && next.idleDelay !== "done") {
      if (next.idleDelay === "pending") {
        fx.push({ type: "idle-timer" });
        next = { ...next, idleDelay: "running" };
      }
      continue;
    }
    send(svc.name, { type: "deps-ready" });
  }

  if (next.phase === "stopping") {
    const order = world.services.map((x) => x.name);
    const step = shutdownStep(order, (n) => world.dependentsOf(n), snapshotOf);
    for (const name of step.stop) send(name, { type: "stop" });
    if (step.stop.length === 0 && !step.anyLive) {
      fx.push({ type: "sweep" });
      next = { ...next, phase: "sweeping" };
    }
    return next;
  }

  if (next.phase !== "running" || !world.detectExit) return next;
  const verdict = exitVerdict(world);
  if (verdict === "busy") return next;
  if (verdict === "exit") {
    fx.push({ type: "log", level: "debug", message: "no child processes present" });
    const consoleExit = snapshotOf("CONSOLE")?.lastExit;
    return shutdown(next, { code: exitCodeOf(consoleExit), reason: "all processes exited" }, false);
  }
  if (!next.remainActiveWarned) {
    fx.push({
      type: "log",
      level: "warn",
      message: `system will remain active since there are scheduled services: ${
        verdict.scheduled.join(", ")
      }`,
    });
    next = { ...next, remainActiveWarned: true };
  }
  return next;
}

/** The code of the CONSOLE command's exit, 0 without one. */
function exitCodeOf(status: ExitStatus | undefined): number {
  return status ? toExitCode(status) : 0;
}

/**
 * Detect-exit (docs/configuration.md, `detect_exit`): once nothing runs and nothing is about
 * to, the system ends by itself, unless cron or inetd services are scheduled, which keep it up.
 */
export function exitVerdict(
  world: Pick<SystemWorld, "services" | "hasChildren">,
): "busy" | "exit" | { readonly scheduled: readonly string[] } {
  if (world.services.some((x) => isLive(x) || x.state === "waiting")) return "busy";
  if (world.hasChildren()) return "busy";
  const scheduled = world.services.filter((x) => x.state === "scheduled").map((x) => x.name);
  return scheduled.length > 0 ? { scheduled } : "exit";
}

/** The STATUS= text sent to the host every status interval: uptime and service counts. */
export function hostStatusLine(
  uptimeSeconds: number,
  services: readonly ServiceSnapshot[],
): string {
  const up = Math.floor(uptimeSeconds);
  const hh = String(Math.floor(up / 3600)).padStart(2, "0");
  const mm = String(Math.floor(up / 60) % 60).padStart(2, "0");
  const ss = String(up % 60).padStart(2, "0");
  const count = (pred: (x: ServiceSnapshot) => boolean) => services.filter(pred).length;
  const started = count((x) => x.state === "running" || x.state === "finished");
  const scheduled = count((x) => x.state === "scheduled" || x.state === "job-running");
  const failed = count((x) => x.state === "failed");
  let text = `Uptime ${hh}:${mm}:${ss}; ${started || "No"} service${
    started === 1 ? "" : "s"
  } started`;
  if (scheduled) text += `; ${scheduled} scheduled`;
  if (failed) text += `; ${failed} failed`;
  return text;
}
