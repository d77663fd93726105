/**
 * Starts one process for a service: spawn it, route its piped output to the log and report its
 * exit status (logged at debug for 0, at info otherwise) once it ends.
 */
import type { Logger } from "../log/logger.ts";
import type { LogSink } from "../log/record.ts";
import { type ExitStatus, formatProcStatus } from "../process/exit_status.ts";
import type { ProcessHandle, ProcessPort, ProcessRequest } from "./ports.ts";
import { pipeServiceOutput } from "./service_output.ts";

/** What spawning a service's process needs. */
export interface SpawnProcessContext {
  readonly processes: ProcessPort;
  /** Where the service's output lines go. */
  readonly sink: LogSink;
  /** Where the exit status line goes. */
  readonly logger: Logger;
}

/** Spawns `request` for `service`; throws when it cannot start. `onExit` runs after the exit is logged. */
export function spawnProcess(
  ctx: SpawnProcessContext,
  service: string,
  request: ProcessRequest,
  onExit: (child: ProcessHandle, status: ExitStatus) => void,
): ProcessHandle {
  const child = ctx.processes.spawn(request);
  pipeServiceOutput(service, child, ctx.sink);
  child.status.then((status) => {
    const level = status.code === 0 ? "debug" : "info";
    ctx.logger[level](
      `${service} exit status for pid=${child.pid} is '${formatProcStatus(status)}'`,
    );
    onExit(child, status);
  });
  return child;
}
