/**
 * Adapts the supervisor to the control protocol (docs/ctl.md, Decision 2): each request becomes
 * a supervisor command or query, each result a reply. What a command may do is the
 * supervisor's decision. The supervisor never sees the socket; the server never sees the
 * supervisor.
 */
import type {
  ControlContext,
  ControlHandler,
  ControlReply,
  ControlRequest,
  ControlResponse,
  HealthLevel,
  HealthReply,
  ServiceStatus,
  StatusReply,
} from "../control/protocol.ts";
import type { ServiceLogs } from "../syslog/service_logs.ts";
import { logsReply } from "./logs_reply.ts";
import type { Logger } from "../log/logger.ts";
import { parseSeverity, SEVERITY_NAMES } from "../log/record.ts";
import { briefStatus } from "../process/exit_status.ts";
import { cronNickname } from "../cron/schedule.ts";
import { publicState } from "../service/state.ts";
import type { ReloadReply } from "./reload.ts";
import { conditionOf, healthOf, passes } from "../service/health.ts";
import type {
  CommandResult,
  ServiceView,
  SettleResult,
  Supervisor,
} from "../supervisor/supervisor.ts";
import { errorMessage } from "../text/error_message.ts";

/** What the handler needs besides the supervisor. */
export interface HandlerContext {
  version: string;
  logger: Logger;
  router: { setForcedLevel(level: number | undefined): void };
  /** `ctl reload` (cli/reload.ts); absent where nothing can be reloaded. */
  reload?: (dryRun: boolean) => Promise<ReloadReply>;
  /** Sets the level below which Chaperone does not even generate its own messages (docs/ctl.md, `loglevel`). */
  setOwnLevel?(level: number): void;
  /** The services' last lines for `ctl logs`; absent when `log_buffer_lines` is 0. */
  logs?: ServiceLogs | undefined;
}

const short = (name: string) => name.replace(/\.service$/, "");

/** The brief status string of `ctl status` (docs/ctl.md). */
export function statusString(v: ServiceView): string {
  const s = v.snap;
  const state = publicState(s.state);
  switch (state) {
    case "starting":
      return v.spec.type === "notify" ? "activating" : "starting";
    case "waiting":
      return "starting";
    case "running":
    case "stopping":
      return "running";
    case "finished":
      return "started";
    case "backoff":
    case "failed": {
      // The restarts left, as the log line that announced the retry says it.
      const last = s.lastExit ? briefStatus(s.lastExit) : "failed";
      return state === "backoff" ? `${last}+r#${s.restartsLeft}` : last;
    }
    case "scheduled":
      if (s.pid !== undefined) return "running";
      return v.spec.type === "cron" ? "waiting" : "listening";
    case "idle":
      if (!s.enabled) return "disabled";
      if (conditionOf(s) === "stopped") return "stopped";
      if (s.lastExit && !v.ready) return briefStatus(s.lastExit);
      return v.ready ? "ready" : "-";
    default: {
      const _exhaustive: never = state;
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
  const s = v.snap;
  if (s.state === "failed" && s.failedRuns > 1) {
    return `gave up after ${s.failedRuns} failed runs${s.error ? `: ${s.error}` : ""}`;
  }
  if (s.lastProbe && !s.lastProbe.ok && (s.state === "probing" || s.state === "running")) {
    return `probe failed: ${s.lastProbe.error}`;
  }
  if (v.spec.type === "notify") return v.snap.statusText ?? null;
  if (s.lastProbe?.ok && s.state === "running") return "probe ok";
  if (v.spec.type === "cron") {
    const interval = v.spec.interval ?? "";
    const expanded = cronNickname(interval);
    const spec = expanded === undefined ? interval : `${interval} (${expanded})`;
    return v.nextRun ? `${spec}; next ${localTime(v.nextRun)}` : spec;
  }
  if (v.spec.type === "inetd") {
    let text = `waiting on port ${v.spec.port}`;
    if (v.listener && v.listener.requests > 0) text += `; req recvd = ${v.listener.requests}`;
    if (v.snap.connections > 0) text += `; running = ${v.snap.connections}`;
    return text;
  }
  return null;
}

/** One service as status data. */
export function serviceStatus(v: ServiceView): ServiceStatus {
  const s = v.snap;
  return {
    name: v.spec.name,
    type: v.spec.type,
    state: publicState(s.state),
    status: s.enabled || s.state !== "idle" ? statusString(v) : "disabled",
    pid: s.mainPid ?? s.pid ?? null,
    lastPid: s.lastPid ?? null,
    enabled: s.enabled,
    restarts: s.restarts,
    lastExit: s.lastExit ? briefStatus(s.lastExit) : null,
    note: note(v),
    nextRun: v.nextRun ? v.nextRun.toISOString() : null,
    ...healthOf(s),
    probe: s.lastProbe ? (s.lastProbe.ok ? "ok" : s.lastProbe.error ?? "failed") : null,
  };
}

/** The answer of `ctl health` and of the HTTP probes (docs/ctl.md, `health`). */
export function healthReply(sup: Supervisor, level: HealthLevel): HealthReply {
  const failing = sup.names().map((n) => sup.view(n))
    .filter((v): v is ServiceView => !!v && !passes(v.snap, level)).map(serviceStatus);
  return { healthy: failing.length === 0 && !sup.shuttingDown, level, unhealthy: failing };
}

/**
 * Builds the ControlHandler for a supervisor: a thin translation between the protocol and the
 * supervisor's commands, which decide what is allowed.
 */
export function supervisorHandler(
  sup: Supervisor,
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
  /** "a: reason; b: reason" for the starts that failed, or "" when all succeeded. */
  const startFailures = (names: string[], results: SettleResult[]) =>
    results.flatMap((x, i) => x.ok ? [] : [`${short(names[i]!)}: ${x.reason}`]).join("; ");
  /** Nobody waits for a queued start, so its failures go to the log. */
  const logQueuedFailures = (what: string, names: string[], results: SettleResult[]) =>
    results.forEach((x, i) => {
      if (!x.ok) ctx.logger.warn(`queued ${what} (for ${names[i]}) failed: ${x.reason}`);
    });

  /** The reply to a command that starts services: waited for, or queued. */
  async function starting(
    what: "start" | "restart",
    names: string[],
    result: CommandResult<SettleResult[]>,
    wait: boolean,
  ): Promise<ControlResponse> {
    if (!result.ok) return { ok: false, error: result.error };
    if (wait) {
      const failed = startFailures(names, await result.done);
      if (failed) return { ok: false, error: `${what} failed: ${failed}` };
      return { ok: true, text: what === "start" ? "services started." : "services restarted." };
    }
    result.done.then((r) => logQueuedFailures(what, names, r));
    return {
      ok: true,
      text: what === "start" ? "service start-up queued." : "services restarting.",
    };
  }

  async function handle(req: ControlRequest, c: ControlContext): Promise<ControlReply> {
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
        return { ok: true, text: sup.graph().format() };
      case "health":
        return { ok: true, data: healthReply(sup, req.level ?? "ready") };
      case "logs":
        return logsReply(ctx.logs, req, { all: () => sup.names(), resolve });
      case "reload": {
        if (!ctx.reload) return { ok: false, error: "this run cannot reload its configuration" };
        const reply = await ctx.reload(req.dryRun === true);
        if (!reply.ok) return { ok: false, error: reply.error };
        return { ok: true, text: reply.lines.join("\n") };
      }
      case "run": {
        const result = sup.commands.run(resolve(req.services));
        if (!result.ok) return { ok: false, error: result.error };
        return { ok: true, text: "cron jobs started." };
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
        sup.shutdownIn(req.delay ?? 0.1);
        return {
          ok: true,
          text: req.delay === undefined
            ? "Shutting down now"
            : `Shutting down in ${req.delay.toFixed(1)} seconds`,
        };
      }
      case "enable":
      case "disable": {
        const names = resolve(req.services);
        const result = req.cmd === "enable"
          ? sup.commands.enable(names)
          : sup.commands.disable(names);
        if (!result.ok) return { ok: false, error: result.error };
        return { ok: true, text: `services ${req.cmd}d.` };
      }
      case "stop": {
        const result = sup.commands.stop(resolve(req.services), {
          force: req.force,
          disable: req.disable,
        });
        if (!result.ok) return { ok: false, error: result.error };
        if (req.wait && c.interactive) {
          await result.done;
          return { ok: true, text: "services stopped." };
        }
        return { ok: true, text: "services stopping." };
      }
      case "reset": {
        const result = sup.commands.reset(resolve(req.services), { force: req.force });
        if (!result.ok) return { ok: false, error: result.error };
        if (req.wait && c.interactive) await result.done;
        return { ok: true, text: "services reset." };
      }
      case "restart": {
        const names = resolve(req.services);
        const result = sup.commands.restart(names, { force: req.force });
        return await starting("restart", names, result, req.wait === true && c.interactive);
      }
      case "start": {
        const names = resolve(req.services);
        const result = sup.commands.start(names, { force: req.force, enable: req.enable });
        return await starting("start", names, result, req.wait === true && c.interactive);
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
        return { ok: false, error: errorMessage(err) };
      }
    },
  };
}
