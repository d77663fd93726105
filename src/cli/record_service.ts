/**
 * Which service a /dev/log message belongs to, for the `service` key of `json` and `logfmt`
 * lines (docs/logging.md, "Line formats"); a service's own output lines carry their service
 * already (supervisor/service_process.ts). A /dev/log message names its sender's pid after the
 * tag (`app[42]: ...`): the router asks serviceOfPid, which reads the pid's process group and
 * session from /proc/<pid>/stat and finds the service whose process leads either. A service is
 * started in its own session, so its pid is its process group and session id; a forking daemon
 * that made its own session is found through its main pid (pidfile, MAINPID).
 *
 * Nothing is cached across event-loop turns: a restart gives a service new pids, and a pid can
 * be reused by another process. Within one synchronous turn (one burst of datagrams already
 * received) the answer for a pid is kept, so a flood from one sender costs one /proc read per
 * burst, not one per message; the supervisor cannot change within a turn.
 */
import { readProcess } from "../process/proc_table.ts";

/** A service and the pids that may lead its process group or session. */
export interface ServiceLeaders {
  readonly name: string;
  readonly pids: readonly number[];
}

/** What serviceOfPid needs. */
export interface ServiceOfPidOptions {
  /** The services with their current pids, asked afresh for each pid looked up. */
  services(): Iterable<ServiceLeaders>;
  /** A process's group and session (tests; default /proc/<pid>/stat); null when it is gone. */
  processOf?: (pid: number) => { readonly pgid: number; readonly sid: number } | null;
  /** Chaperone's own pid, which belongs to no service (default Deno.pid). */
  self?: number;
}

// Distinct pids remembered within one turn before the memo starts over.
const MEMO_LIMIT = 1024;

/** The router's serviceOfPid port: the service whose process leads `pid`'s group or session. */
export function serviceOfPid(options: ServiceOfPidOptions): (pid: number) => string | undefined {
  const processOf = options.processOf ?? readProcess;
  const self = options.self ?? Deno.pid;
  const memo = new Map<number, string | undefined>();
  let clearing = false;
  const lookup = (pid: number): string | undefined => {
    const info = processOf(pid);
    for (const service of options.services()) {
      for (const leader of service.pids) {
        if (leader <= 1) continue;
        if (leader === pid || (info !== null && (info.pgid === leader || info.sid === leader))) {
          return service.name;
        }
      }
    }
    return undefined;
  };
  return (pid) => {
    if (pid === self || pid <= 0) return undefined;
    if (memo.has(pid)) return memo.get(pid);
    const found = lookup(pid);
    if (memo.size >= MEMO_LIMIT) memo.clear();
    memo.set(pid, found);
    if (!clearing) {
      clearing = true;
      queueMicrotask(() => {
        memo.clear();
        clearing = false;
      });
    }
    return found;
  };
}

/** The read-only part of the supervisor these adapters use. */
export interface ServiceDirectory {
  names(): string[];
  find(name: string): string | undefined;
  view(
    name: string,
  ): {
    readonly snap: { readonly pid?: number | undefined; readonly mainPid?: number | undefined };
  } | undefined;
}

/**
 * Every service with the pids that lead its processes now: the pid it spawned (its process
 * group and session id) and the main pid it attached. The supervisor's view has no process
 * group of its own; the spawned pid is that group for every service but an interactive
 * CONSOLE, which stays in Chaperone's group and so is matched by its pid alone.
 */
export function* serviceLeaders(directory: ServiceDirectory | undefined): Iterable<ServiceLeaders> {
  if (directory === undefined) return;
  for (const name of directory.names()) {
    const snap = directory.view(name)?.snap;
    if (snap === undefined) continue;
    const pids: number[] = [];
    if (snap.pid !== undefined) pids.push(snap.pid);
    if (snap.mainPid !== undefined && snap.mainPid !== snap.pid) pids.push(snap.mainPid);
    if (pids.length > 0) yield { name, pids };
  }
}
