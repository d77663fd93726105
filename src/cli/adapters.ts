/**
 * The real implementations of the supervisor's ports, over the process, notify and cron
 * modules. Kept in the composition root so the supervisor never imports I/O modules directly.
 */
import type { Spawner } from "../process/spawn.ts";
import { resolveExecutable } from "../process/spawn.ts";
import { groupAlive, listProcesses, pidAlive } from "../process/proc_table.ts";
import { denoSignal } from "../process/signals.ts";
import { fromCommandStatus } from "../process/exit_status.ts";
import type {
  CronJob,
  CronPort,
  InetdListener,
  InetdPort,
  ProcessHandle,
  ProcessPort,
  ProcessRequest,
} from "../supervisor/ports.ts";
import { scheduleCron } from "../config/cron_interval.ts";

/** ProcessPort over the Spawner and /proc. */
export function realProcesses(spawner: Spawner): ProcessPort {
  const self = Deno.pid;
  return {
    resolve: (argv0, path, cwd) => resolveExecutable(argv0, path, cwd ? { cwd } : {}),
    spawn(req: ProcessRequest): ProcessHandle {
      if (req.stdin === "piped") return spawnWithStdin(spawner, req);
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
      return { pid: h.pid, status: h.status, stdin: null, stdout: h.stdout, stderr: h.stderr };
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
    hasChildren: () => listProcesses().some((p) => p.ppid === self && p.state !== "Z"),
    leftovers: () =>
      listProcesses().filter((p) => p.pid !== self && p.ppid === self && p.state !== "Z").map((
        p,
      ) => p.pid),
  };
}

/**
 * Spawns with a piped stdin (inetd connections). Goes through Deno.Command directly but
 * registers nothing with the reaper: Deno owns the pid until its status resolves, and the
 * reaper only touches zombies it is told are unowned, so the pid is kept in `spawner`'s set
 * by wrapping the status.
 */
function spawnWithStdin(spawner: Spawner, req: ProcessRequest): ProcessHandle {
  const [program, ...args] = req.argv;
  if (program === undefined) throw new TypeError("Cannot spawn: argv is empty");
  const opts: Deno.CommandOptions = {
    args,
    env: { ...req.env },
    clearEnv: true,
    detached: req.detached,
    stdin: "piped",
    stdout: req.stdout,
    stderr: req.stderr,
  };
  if (req.cwd !== undefined) opts.cwd = req.cwd;
  if (req.uid !== undefined) opts.uid = req.uid;
  if (req.gid !== undefined) opts.gid = req.gid;
  const child = new Deno.Command(program, opts).spawn();
  const release = spawner.adopt(child.pid);
  const status = child.status.then((s) => {
    release();
    return fromCommandStatus(s);
  });
  return {
    pid: child.pid,
    status,
    stdin: child.stdin,
    stdout: req.stdout === "piped" ? child.stdout : null,
    stderr: req.stderr === "piped" ? child.stderr : null,
  };
}

/** CronPort over croner (through config/cron_interval.ts, the one file that imports it). */
export const realCron: CronPort = {
  schedule(interval: string, onTick: () => void): CronJob {
    return scheduleCron(interval, onTick);
  },
};

/** InetdPort over Deno.listen (TCP, all IPv4 addresses as the original). */
export const realInetd: InetdPort = {
  listen(port: number, onConnection: (conn: Deno.TcpConn) => void): InetdListener {
    const listener = Deno.listen({ hostname: "0.0.0.0", port, transport: "tcp" });
    let requests = 0;
    let closed = false;
    (async () => {
      try {
        for await (const conn of listener) {
          requests++;
          onConnection(conn);
        }
      } catch {
        // Listener closed.
      }
    })();
    return {
      port,
      get requests() {
        return requests;
      },
      close() {
        if (closed) return;
        closed = true;
        try {
          listener.close();
        } catch {
          // Already closed.
        }
      },
    };
  },
};
