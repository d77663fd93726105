/**
 * The services that are scheduled instead of spawned at start (docs/configuration.md, `type:
 * cron` and `type: inetd`): setting up and tearing down a cron schedule or an inetd listener,
 * and one accepted inetd connection: the command is started once for it, with the connection
 * as the process's fds 0, 1 and 2 and the ucspi-tcp variables TCPREMOTEIP/TCPREMOTEPORT/
 * TCPLOCALIP/TCPLOCALPORT in its environment, and tracked until it exits. A failing
 * connection process is never a service failure.
 */
import type { Logger } from "../log/logger.ts";
import { formatProcStatus } from "../process/exit_status.ts";
import type {
  CronPort,
  InetdConnection,
  InetdPort,
  InetdProcessRequest,
  ProcessHandle,
  ProcessPort,
} from "./ports.ts";
import type { ServiceRuntime } from "./runtime.ts";
import { errorMessage } from "../text/error_message.ts";
import { SIGNO } from "../process/signals.ts";

/** What scheduling a service needs. */
export interface ScheduleContext {
  readonly cron: CronPort;
  readonly inetd: InetdPort;
  readonly logger: Logger;
  /** A cron tick (dropped while shutting down or disabled by the caller). */
  onTick(): void;
  /** An accepted inetd connection. */
  onConnection(conn: InetdConnection): void;
}

/**
 * Starts `r`'s cron schedule or inetd listener; returns undefined on success, else the error
 * (a bad interval, a port in use) that fails the service's start.
 */
export function schedule(r: ServiceRuntime, ctx: ScheduleContext): string | undefined {
  const name = r.spec.name;
  try {
    if (r.spec.type === "cron") {
      const interval = r.spec.interval ?? "";
      r.cronJob = ctx.cron.schedule(interval, ctx.onTick);
      ctx.logger.info(`cron service ${name} scheduled using interval spec '${interval}'`);
    } else if (r.spec.type === "inetd") {
      const port = r.spec.port ?? 0;
      r.listener = ctx.inetd.listen(port, ctx.onConnection);
      ctx.logger.info(`inetd service ${name} listening on port ${port}`);
    }
    return undefined;
  } catch (err) {
    const why = errorMessage(err);
    return r.spec.type === "inetd"
      ? `inetd service ${name} cannot listen: ${why}`
      : `cron service ${name} cannot be scheduled: ${why}`;
  }
}

/**
 * Stops `r`'s schedule or listener. On a stop (`shutdown` false) the processes of its open
 * connections get its kill_signal, with a warning; at shutdown they all get SIGTERM.
 */
export function unschedule(
  r: ServiceRuntime,
  ctx: { readonly logger: Logger; readonly processes: ProcessPort },
  options: { shutdown: boolean },
): void {
  r.cronJob?.stop();
  r.cronJob = undefined;
  const listening = r.listener !== undefined;
  r.listener?.close();
  r.listener = undefined;
  if (!listening && !options.shutdown) return;
  if (!options.shutdown && r.connections.size > 0) {
    ctx.logger.warn(
      `${r.spec.name} terminating ${r.connections.size} processes on port ${r.spec.port} that are still running`,
    );
  }
  const signo = options.shutdown ? SIGNO.SIGTERM : r.spec.killSignal;
  for (const c of r.connections) ctx.processes.signal(c.pid, signo, { group: true });
}

/** What the supervisor tells the connection handler about the service. */
export interface InetdServiceContext {
  readonly name: string;
  readonly port: number;
  readonly logger: Logger;
  /** False while shutting down or disabled: the connection is closed unanswered. */
  readonly accepting: boolean;
  /** The command, environment and credentials of one run; throws when it cannot start. */
  request(): InetdProcessRequest;
  /** Processes of this service that are still running (added and removed here). */
  readonly children: Set<ProcessHandle>;
  /** Called once a connection's process has started. */
  onStart(): void;
  /** Called after a connection's process has exited. */
  onExit(): void;
}

/** Starts the service's command for `conn`; returns the process, or undefined when refused. */
export function serveInetdConnection(
  conn: InetdConnection,
  ctx: InetdServiceContext,
): ProcessHandle | undefined {
  const { name, logger } = ctx;
  if (!ctx.accepting) {
    logger.debug(`${name} connection on port ${ctx.port} ignored: shutting down or disabled`);
    conn.close();
    return undefined;
  }
  let child: ProcessHandle;
  try {
    const base = ctx.request();
    logger.debug(
      `${name} received connection on port ${ctx.port}; attempting start '${
        base.argv.join(" ")
      }'... `,
    );
    child = conn.spawn({
      ...base,
      env: {
        ...base.env,
        TCPREMOTEIP: conn.remote.hostname,
        TCPREMOTEPORT: String(conn.remote.port),
        TCPLOCALIP: conn.local.hostname,
        TCPLOCALPORT: String(conn.local.port),
      },
    });
  } catch (err) {
    logger.error(`${name} failed to start: ${errorMessage(err)}`);
    conn.close();
    return undefined;
  }
  ctx.children.add(child);
  ctx.onStart();
  child.status.then((status) => {
    ctx.children.delete(child);
    const level = status.code === 0 ? "debug" : "info";
    logger[level](`${name} exit status for pid=${child.pid} is '${formatProcStatus(status)}'`);
    ctx.onExit();
  });
  return child;
}
