/**
 * Whether a service may name a pid as its main process (`MAINPID=` or its pidfile). Whatever it
 * names is what Chaperone later signals on `ctl stop` and waits for: a service that could name
 * PID 1 or another service's process would make Chaperone terminate itself or kill the victim.
 * So a service speaks only for its own processes:
 *
 * - never PID 1 or Chaperone itself;
 * - a process that lives;
 * - running as the service's user (any user when the service runs as root): a service can then
 *   only make Chaperone signal what it could signal itself;
 * - one of its own: in its process group or session, a descendant of its processes, or an
 *   orphan Chaperone adopted (a double-forked daemon, whose launcher has exited) that no other
 *   service owns. Processes of other services (their pids, groups, sessions and descendants)
 *   are refused.
 */
import type { ProcessFacts, ProcessPort } from "./ports.ts";
import type { ServiceRuntime } from "./runtime.ts";

/** The processes of one service, as far as ownership goes. */
export interface ServiceProcesses {
  readonly name: string;
  /** Its spawned process, attached main pid and inetd connection processes. */
  readonly pids: readonly number[];
  /** Process group (= session) of its spawned process, while it has one. */
  readonly pgid?: number | undefined;
}

/** One claim of a pid by a service. */
export interface MainPidClaim {
  readonly pid: number;
  /** The service's user; undefined when it runs as root (it may name any user's process). */
  readonly uid: number | undefined;
  readonly service: ServiceProcesses;
  readonly others: readonly ServiceProcesses[];
  /** Chaperone's own pid. */
  readonly self: number;
  inspect(pid: number): ProcessFacts | undefined;
}

/** Longest parent chain followed (pid namespaces are far shallower than this). */
const MAX_DEPTH = 256;

/** Why the claim is refused, or undefined when the pid is the service's to name. */
export function mainPidRefusal(claim: MainPidClaim): string | undefined {
  const { pid, service, others, self } = claim;
  if (pid === 1) return "it is PID 1";
  if (pid === self) return "it is Chaperone itself";
  const facts = claim.inspect(pid);
  if (!facts || !facts.running) return "there is no such process";
  if (claim.uid !== undefined && facts.uid !== claim.uid) {
    return `it runs as uid ${facts.uid}, not as the service's uid ${claim.uid}`;
  }
  const holds = (s: ServiceProcesses, p: number, f: ProcessFacts) =>
    s.pids.includes(p) || (s.pgid !== undefined && (f.pgid === s.pgid || f.sid === s.pgid));
  let p = pid;
  let f: ProcessFacts | undefined = facts;
  for (let depth = 0; f && depth < MAX_DEPTH; depth++) {
    if (holds(service, p, f)) return undefined;
    const owner = others.find((o) => holds(o, p, f!));
    if (owner) return `it belongs to ${owner.name}`;
    // An ancestor Chaperone adopted that no service holds: the daemon of a launcher that exited.
    if (f.ppid === self) return undefined;
    if (f.ppid <= 1) break; // outside the namespace (0), or the host's init
    p = f.ppid;
    f = claim.inspect(p);
  }
  return "it is not one of the service's processes";
}

/**
 * What `r` holds: its spawned and attached pids, its inetd connections' processes and, while
 * something of it runs (always for the claimant), its process group.
 */
export function processesOf(r: ServiceRuntime, claimant: boolean): ServiceProcesses {
  const { pid, mainPid } = r.snap;
  const pids = [pid, mainPid, ...[...r.connections].map((c) => c.pid)];
  const live = pid !== undefined || mainPid !== undefined;
  return {
    name: r.spec.name,
    pids: pids.filter((p): p is number => p !== undefined),
    pgid: claimant || live ? r.pgid : undefined,
  };
}

/** Why `r` may not name `pid` as its main process, judged against every service in `all`. */
export function refusalFor(
  r: ServiceRuntime,
  pid: number,
  all: Iterable<ServiceRuntime>,
  processes: Pick<ProcessPort, "self" | "inspect">,
): string | undefined {
  const uid = r.spec.user?.uid;
  return mainPidRefusal({
    pid,
    uid: uid === 0 ? undefined : uid,
    service: processesOf(r, true),
    others: [...all].filter((o) => o !== r).map((o) => processesOf(o, false)),
    self: processes.self,
    inspect: (p) => processes.inspect(p),
  });
}
