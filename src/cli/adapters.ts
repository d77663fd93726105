/**
 * The real ProcessPort over the process table and the Spawner. Kept in the composition root so
 * the supervisor never imports I/O modules directly.
 */
import type { Spawner } from "../process/spawn.ts";
import { resolveExecutable } from "../process/spawn.ts";
import {
  groupAlive,
  isGone,
  listProcesses,
  liveChildren,
  pidAlive,
  readProcess,
  realUid,
} from "../process/proc_table.ts";
import { followPid } from "../process/pid_watch.ts";
import { denoSignal } from "../process/signals.ts";
import type { ProcessPort } from "../supervisor/ports.ts";

/** ProcessPort over the Spawner and /proc. */
export function realProcesses(spawner: Spawner): ProcessPort {
  const self = Deno.pid;
  return {
    resolve: (argv0, path, cwd) => resolveExecutable(argv0, path, cwd ? { cwd } : {}),
    spawn(req) {
      const h = spawner.spawn({
        argv: req.argv,
        env: req.env,
        detached: req.detached,
        stdin: req.stdin,
        stdout: req.stdout,
        stderr: req.stderr,
        ...(req.cwd !== undefined ? { cwd: req.cwd } : {}),
        ...(req.uid !== undefined ? { uid: req.uid } : {}),
        ...(req.gid !== undefined ? { gid: req.gid } : {}),
      });
      return { pid: h.pid, status: h.status, stdout: h.stdout, stderr: h.stderr };
    },
    signal(pid, signo, { group }) {
      try {
        Deno.kill(group ? -pid : pid, denoSignal(signo));
      } catch {
        // Gone already: nothing to signal.
      }
    },
    groupAlive: (pgid) => groupAlive(pgid),
    pidAlive: (pid) => pidAlive(pid),
    hasChildren: () => liveChildren().length > 0,
    leftovers: () => liveChildren(),
    // A restart's leftovers may be anywhere in the namespace (orphans re-parented to PID 1):
    // only a walk of /proc finds them.
    list: () =>
      listProcesses().filter((p) => !isGone(p.state)).map(({ pid, ppid, pgid, sid }) => ({
        pid,
        ppid,
        pgid,
        sid,
      })),
    inspect(pid) {
      const info = readProcess(pid);
      const uid = info ? realUid(pid) : undefined;
      if (!info || uid === undefined) return undefined;
      const { ppid, pgid, sid } = info;
      return { ppid, pgid, sid, uid, running: !isGone(info.state) };
    },
    follow: (pid) => followPid(pid),
    self,
  };
}
