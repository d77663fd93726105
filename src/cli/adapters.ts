/**
 * The real implementations of the supervisor's ports, over the process, notify and cron
 * modules. Kept in the composition root so the supervisor never imports I/O modules directly.
 */
import type { Spawner } from "../process/spawn.ts";
import { resolveExecutable } from "../process/spawn.ts";
import {
  groupAlive,
  isGone,
  liveChildren,
  pidAlive,
  readProcess,
  realUid,
} from "../process/proc_table.ts";
import { followPid } from "../process/pid_watch.ts";
import { denoSignal } from "../process/signals.ts";
import type { ExitStatus } from "../process/exit_status.ts";
import type {
  CronJob,
  CronPort,
  InetdConnection,
  InetdListener,
  InetdPort,
  InetdProcessRequest,
  ProcessHandle,
  ProcessPort,
  ProcessRequest,
} from "../supervisor/ports.ts";
import { scheduleCron } from "../config/cron_interval.ts";
import {
  type AcceptedSocket,
  closeFd,
  listenTcp,
  withInheritedFd,
} from "../process/tcp_listener.ts";
import { inetdExecInvocation } from "./inetd_exec.ts";
import { spawnWithSocket } from "../process/spawn_with_socket.ts";
import type { Reaper } from "../process/reaper.ts";

/** ProcessPort over the Spawner and /proc. */
export function realProcesses(spawner: Spawner): ProcessPort {
  const self = Deno.pid;
  return {
    resolve: (argv0, path, cwd) => resolveExecutable(argv0, path, cwd ? { cwd } : {}),
    spawn(req: ProcessRequest): ProcessHandle {
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

/** CronPort over croner (through config/cron_interval.ts, the one file that imports it). */
export const realCron: CronPort = {
  schedule(interval: string, onTick: () => void): CronJob {
    return scheduleCron(interval, onTick);
  },
};

/**
 * InetdPort over an FFI listening socket (TCP, all IPv4 addresses as the original). Each
 * connection's command is started through the `__inetd-exec` helper so that the accepted
 * socket itself becomes its fds 0, 1 and 2 (spec §5.2.6).
 */
export function realInetd(spawner: Spawner, reaper?: Pick<Reaper, "subscribe">): InetdPort {
  return {
    listen(port: number, onConnection: (conn: InetdConnection) => void): InetdListener {
      const listener = listenTcp(port);
      let requests = 0;
      (async () => {
        for await (const accepted of listener.accept()) {
          requests++;
          const conn = inetdConnection(spawner, reaper, accepted);
          try {
            onConnection(conn);
          } catch (err) {
            // A bug for one connection must not end the listener: report it (the crash guard
            // logs it) and go on accepting.
            conn.close();
            reportError(err);
          }
        }
      })();
      return {
        port,
        get requests() {
          return requests;
        },
        close() {
          void listener.close();
        },
      };
    },
  };
}

function inetdConnection(
  spawner: Spawner,
  reaper: Pick<Reaper, "subscribe"> | undefined,
  accepted: AcceptedSocket,
): InetdConnection {
  let open = true;
  const release = () => {
    if (!open) return;
    open = false;
    closeFd(accepted.fd);
  };
  return {
    remote: accepted.remote,
    local: accepted.local,
    spawn(req: InetdProcessRequest): ProcessHandle {
      if (!open) throw new Error("Cannot start a process for a closed connection");
      try {
        if (reaper && req.uid === undefined && req.gid === undefined) {
          // The fast road: posix_spawn with the socket as stdio; the reaper collects the exit.
          const pid = spawnWithSocket(accepted.fd, req);
          const status = new Promise<ExitStatus>((resolve) => {
            const unsubscribe = reaper.subscribe(pid, (s) => {
              unsubscribe();
              resolve(s);
            });
          });
          return { pid, status, stdout: null, stderr: null };
        }
        const helper = inetdExecInvocation(accepted.fd, req.argv);
        const h = withInheritedFd(accepted.fd, () =>
          spawner.spawn({
            argv: [helper.program, ...helper.args],
            env: { ...req.env, ...helper.env },
            detached: true,
            stdin: "null",
            stdout: "null",
            stderr: "null",
            ...(req.cwd !== undefined ? { cwd: req.cwd } : {}),
            ...(req.uid !== undefined ? { uid: req.uid } : {}),
            ...(req.gid !== undefined ? { gid: req.gid } : {}),
          }));
        return { pid: h.pid, status: h.status, stdout: null, stderr: null };
      } finally {
        // The child holds its own copy now; ours would keep the connection open after it exits.
        release();
      }
    },
    close: release,
  };
}
