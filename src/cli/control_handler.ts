/**
 * Adapts the supervisor to the control protocol: the semantics of each ctl command (spec 6.2,
 * Decision 2). The supervisor never sees the socket; the server never sees the supervisor.
 */
import type {
  ControlContext,
  ControlHandler,
  ControlRequest,
  ControlResponse,
  HealthReply,
  ServiceStatus,
  StatusReply,
} from "../control/protocol.ts";
import { isHealthyStatus } from "../control/protocol.ts";
import type { Logger } from "../log/logger.ts";
import { parseSeverity, SEVERITY_NAMES } from "../log/record.ts";
import { briefStatus } from "../process/exit_status.ts";
import { cronNickname } from "../config/cron_interval.ts";
import type { DependencyGraph } from "../supervisor/graph.ts";
import type { Clock } from "../sys/clock.ts";
import type { ServiceView, Supervisor } from "../supervisor/supervisor.ts";

/** What the handler needs besides the supervisor. */
export interface HandlerContext {
  version: string;
  logger: Logger;
  router: { setForcedLevel(level: number | undefined): void };
  /** The timers' clock (a delayed `ctl shutdown` may be longer than a JavaScript timer takes). */
  clock: Clock;
  /** Sets the level below which Chaperone does not even generate its own messages (spec 4.7). */
  setOwnLevel?(level: number): void;
}

const short = (name: string) => name.replace(/\.service$/, "");

/** The answer to a start or restart once a shutdown has begun (nothing would start). */
const SHUTTING_DOWN = "the system is shutting down: no service can be started";

/** What Supervisor.startService() resolves to. */
type StartResult = { ok: boolean; reason?: string | undefined };

/** The brief status string of spec 5.1. */
export function statusString(v: ServiceView): string {
  const s = v.snap;
  switch (s.state) {
    case "starting":
    case "waiting":
      if (v.spec.type === "notify" && s.state === "starting") return "activating";
      return "starting";
    case "running":
    case "stopping":
      return "running";
    case "finished":
      return "started";
    case "backoff":
    case "failed": {
      const last = s.lastExit ? briefStatus(s.lastExit) : "failed";
      return s.state === "backoff" ? `${last}+r#${s.restartsLeft + 1}` : last;
    }
    case "scheduled":
      if (s.pid !== undefined) return "running";
      return v.spec.type === "cron" ? "waiting" : "listening";
    case "idle":
      if (!v.enabled) return "disabled";
      if (s.lastExit && !v.ready) return briefStatus(s.lastExit);
      return v.ready ? "ready" : "-";
    default: {
      const _exhaustive: never = s.state;
      return String(_exhaustive);
    }
  }
}

/** `YYYY-MM-DD HH:MM:SS` in local time (cron schedules follow local time and TZ). */
function localTime(d: Date): string {
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ` +
    `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

function note(v: ServiceView): string | null {
  if (v.spec.type === "notify") return v.statusText ?? null;
  if (v.spec.type === "cron") {
    const interval = v.spec.interval ?? "";
    const expanded = cronNickname(interval);
    const spec = expanded === undefined ? interval : `${interval} (${expanded})`;
    return v.nextRun ? `${spec}; next ${localTime(v.nextRun)}` : spec;
  }
  if (v.spec.type === "inetd") {
    let text = `waiting on port ${v.spec.port}`;
    if (v.listener && v.listener.requests > 0) text += `; req recvd = ${v.listener.requests}`;
    if (v.inetdRunning > 0) text += `; running = ${v.inetdRunning}`;
    return text;
  }
  return null;
}

/** One service as status data. */
export function serviceStatus(v: ServiceView): ServiceStatus {
  return {
    name: v.spec.name,
    type: v.spec.type,
    state: v.snap.state,
    status: v.enabled || v.snap.state !== "idle" ? statusString(v) : "disabled",
    pid: v.snap.mainPid ?? v.snap.pid ?? null,
    enabled: v.enabled,
    restarts: v.snap.restarts,
    lastExit: v.snap.lastExit ? briefStatus(v.snap.lastExit) : null,
    note: note(v),
    nextRun: v.nextRun ? v.nextRun.toISOString() : null,
  };
}

/** Builds the ControlHandler for a supervisor. */
export function supervisorHandler(
  sup: Supervisor,
  graph: DependencyGraph,
  ctx: HandlerContext,
): ControlHandler {
  let forced: number | undefined;
  const views = () => sup.names().map((n) => sup.view(n)).filter((v): v is ServiceView => !!v);

  /** Resolves names (with or without `.service`); throws for unknown ones. */
  const resolve = (names: readonly string[]): string[] =>
    names.map((n) => {
      const found = sup.find(n);
      if (!found) throw new Error(`no such service: ${n}`);
      return found;
    });
  const list = (names: string[]) => names.map(short).join(", ");
  /** "a: reason; b: reason" for the starts that failed, or "" when all succeeded. */
  const startFailures = (names: string[], results: StartResult[]) =>
    results.flatMap((x, i) => x.ok ? [] : [`${short(names[i]!)}: ${x.reason}`]).join("; ");
  /** Nobody waits for a queued start, so its failures go to the log. */
  const logQueuedFailures = (what: string, names: string[], results: StartResult[]) =>
    results.forEach((x, i) => {
      if (!x.ok) ctx.logger.warn(`queued ${what} (for ${names[i]}) failed: ${x.reason}`);
    });
  const isLive = (v: ServiceView) =>
    v.snap.pid !== undefined || v.snap.mainPid !== undefined ||
    ["starting", "running", "stopping", "backoff"].includes(v.snap.state);
  const isStarted = (v: ServiceView) => v.snap.state !== "idle";

  async function handle(req: ControlRequest, c: ControlContext): Promise<ControlResponse> {
    switch (req.cmd) {
      case "status": {
        if (!c.interactive) return { ok: false, error: "status needs an interactive connection" };
        const data: StatusReply = {
          version: ctx.version,
          uptimeSeconds: sup.uptime(),
          services: views().map(serviceStatus).sort((a, b) => a.name < b.name ? -1 : 1),
        };
        return { ok: true, data };
      }
      case "dependencies":
        if (!c.interactive) {
          return { ok: false, error: "dependencies needs an interactive connection" };
        }
        return { ok: true, text: graph.format() };
      case "health": {
        const unhealthy = views().map(serviceStatus).filter((s) => !isHealthyStatus(s));
        const data: HealthReply = {
          healthy: unhealthy.length === 0 && !sup.shuttingDown,
          unhealthy,
        };
        return { ok: true, data };
      }
      case "loglevel": {
        if (req.level === undefined) {
          return {
            ok: true,
            text: forced === undefined
              ? "Forced Logging Level: NOT SET"
              : `*.${SEVERITY_NAMES[forced]}`,
          };
        }
        const level = parseSeverity(req.level);
        if (level === undefined) return { ok: false, error: `Not a valid log level: ${req.level}` };
        forced = level;
        ctx.router.setForcedLevel(level);
        ctx.setOwnLevel?.(level);
        return {
          ok: true,
          text: `All logging set to include priorities >= *.${
            req.level.replace(/^\*\./, "").toLowerCase()
          }`,
        };
      }
      case "shutdown": {
        const delay = req.delay ?? 0.1;
        ctx.logger.info(`requested shutdown scheduled to occur in ${delay} seconds`);
        ctx.clock.setTimeout(
          () => sup.shutdown({ code: 0, reason: "ctl shutdown" }),
          delay * 1000,
        );
        return {
          ok: true,
          text: req.delay === undefined
            ? "Shutting down now"
            : `Shutting down in ${delay.toFixed(1)} seconds`,
        };
      }
      case "enable":
      case "disable": {
        const names = resolve(req.services);
        for (const n of names) {
          if (req.cmd === "enable") {
            sup.verifyExecutable(n);
            sup.setEnabled(n, true);
          } else sup.setEnabled(n, false);
        }
        return { ok: true, text: `services ${req.cmd}d.` };
      }
      case "stop": {
        const names = resolve(req.services);
        if (!req.force) {
          const bad = names.filter((n) => {
            const v = sup.view(n)!;
            return !isStarted(v) || v.snap.state === "failed";
          });
          if (bad.length) {
            return { ok: false, error: `can't stop services which aren't started: ${list(bad)}` };
          }
        }
        const done = Promise.all(names.map((n) => sup.stopService(n))).then(() => {
          if (req.disable) { for (const n of names) sup.setEnabled(n, false); }
        });
        if (req.wait && c.interactive) {
          await done;
          return { ok: true, text: "services stopped." };
        }
        return { ok: true, text: "services stopping." };
      }
      case "reset": {
        const names = resolve(req.services);
        if (!req.force) {
          // As the original: "running" means the process Chaperone started is alive. A daemon
          // attached through its pidfile after its launcher exited may be reset (el-test EL-13:
          // a log-rotation job resets apache, which kills it through the pidfile).
          const bad = names.filter((n) => sup.view(n)!.snap.pid !== undefined);
          if (bad.length) {
            return { ok: false, error: `can't reset services which are running: ${list(bad)}` };
          }
        }
        const done = Promise.all(names.map((n) => sup.resetService(n)));
        if (req.wait && c.interactive) await done;
        return { ok: true, text: "services reset." };
      }
      case "restart": {
        const names = resolve(req.services);
        if (sup.shuttingDown) return { ok: false, error: SHUTTING_DOWN };
        const disabled = names.filter((n) => !sup.view(n)!.enabled);
        if (disabled.length && !req.force) {
          return {
            ok: false,
            error: `can only start services which have been enabled: ${list(disabled)}`,
          };
        }
        // Stop what runs (a finished oneshot or a failed service is reset), then start again.
        const cycle = Promise.all(
          names.map((n) => isLive(sup.view(n)!) ? sup.stopService(n) : sup.resetService(n)),
        ).then(() => Promise.all(names.map((n) => sup.startService(n))));
        if (req.wait && c.interactive) {
          const failed = startFailures(names, await cycle);
          if (failed) return { ok: false, error: `restart failed: ${failed}` };
          return { ok: true, text: "services restarted." };
        }
        cycle.then((r) => logQueuedFailures("restart", names, r));
        return { ok: true, text: "services restarting." };
      }
      case "start": {
        const names = resolve(req.services);
        if (sup.shuttingDown) return { ok: false, error: SHUTTING_DOWN };
        const enable = req.enable === true;
        const disabled = names.filter((n) => !sup.view(n)!.enabled);
        if (disabled.length && !enable && !req.force) {
          return {
            ok: false,
            error: `can only start services which have been enabled: ${list(disabled)}`,
          };
        }
        if (enable) {
          for (const n of disabled) {
            sup.verifyExecutable(n);
            sup.setEnabled(n, true);
          }
        }
        const started = names.filter((n) => isStarted(sup.view(n)!));
        if (started.length && !req.force) {
          return {
            ok: false,
            error: `can't restart services without stop/reset: ${list(started)}`,
          };
        }
        if (req.force) await Promise.all(started.map((n) => sup.resetService(n)));
        const results = Promise.all(names.map((n) => sup.startService(n)));
        if (req.wait && c.interactive) {
          const failed = startFailures(names, await results);
          if (failed) return { ok: false, error: `start failed: ${failed}` };
          return { ok: true, text: "services started." };
        }
        results.then((r) => logQueuedFailures("start", names, r));
        return { ok: true, text: "service start-up queued." };
      }
      default: {
        const _exhaustive: never = req;
        return { ok: false, error: `unknown command ${JSON.stringify(_exhaustive)}` };
      }
    }
  }

  return {
    async handle(req, c) {
      try {
        return await handle(req, c);
      } catch (err) {
        return { ok: false, error: err instanceof Error ? err.message : String(err) };
      }
    },
  };
}
