/**
 * One accepted connection of an inetd service (spec §5.2.6): start the command once for it,
 * with the connection as the process's fds 0, 1 and 2 and the ucspi-tcp variables
 * TCPREMOTEIP/TCPREMOTEPORT/TCPLOCALIP/TCPLOCALPORT in its environment, and track the process
 * until it exits. A failing connection process is never a service failure.
 */
import type { Logger } from "../log/logger.ts";
import { formatProcStatus } from "../process/exit_status.ts";
import type { InetdConnection, InetdProcessRequest, ProcessHandle } from "./ports.ts";

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
    logger.error(`${name} failed to start: ${err instanceof Error ? err.message : err}`);
    conn.close();
    return undefined;
  }
  ctx.children.add(child);
  child.status.then((status) => {
    ctx.children.delete(child);
    const level = status.code === 0 ? "debug" : "info";
    logger[level](`${name} exit status for pid=${child.pid} is '${formatProcStatus(status)}'`);
    ctx.onExit();
  });
  return child;
}
