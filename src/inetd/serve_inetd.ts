/**
 * Serving one inetd port (docs/configuration.md, "inetd services"): accept connections on an FFI listening socket and
 * start a process per connection with the accepted socket itself as its fds 0, 1 and 2, as
 * inetd does.
 *
 * Two roads start that process. Without a uid or gid, posix_spawn puts the socket on fds 0-2
 * directly (spawn_with_socket.ts) and the reaper collects the exit. With one, Deno.Command
 * (through the Spawner) switches user and starts the `__inetd-exec` helper with the socket
 * inherited; the helper dup2()s it and execs the command (inetd_exec.ts).
 */
import type { ExitStatus } from "../process/exit_status.ts";
import type { Reaper } from "../process/reaper.ts";
import type { Spawner, SpawnRequest } from "../process/spawn.ts";
import { inetdExecInvocation } from "./inetd_exec.ts";
import { spawnWithSocket } from "./spawn_with_socket.ts";
import {
  type AcceptedSocket,
  closeFd,
  listenTcp,
  type TcpEndpoint,
  withInheritedFd,
} from "./tcp_listener.ts";

/** What a connection's process runs as (its stdio is the connection, never chosen). */
export type ConnectionRequest = Pick<SpawnRequest, "argv" | "env" | "cwd" | "uid" | "gid">;

/** The process started for a connection; its output is the connection, not a pipe. */
export interface ConnectionProcess {
  readonly pid: number;
  readonly status: Promise<ExitStatus>;
  readonly stdout: null;
  readonly stderr: null;
}

/** An accepted connection, until it is handed to a process or closed. */
export interface Connection {
  readonly remote: TcpEndpoint;
  readonly local: TcpEndpoint;
  /**
   * Starts the command in its own session with this connection as its fds 0, 1 and 2, and
   * drops chaperone's copy. Throws when it cannot be started; the connection is closed then.
   */
  spawn(request: ConnectionRequest): ConnectionProcess;
  /** Closes the connection without starting anything. */
  close(): void;
}

/** A port being served. */
export interface InetdServer {
  readonly port: number;
  /** Connections accepted so far. */
  readonly requests: number;
  /** Stops listening; connections already handed over live on. */
  close(): void;
}

/** How connection processes are started and collected. */
export interface InetdStarters {
  /** Starts the helper for services with a uid or gid. */
  readonly spawner: Spawner;
  /** Collects fast-road processes; without it every connection takes the helper. */
  readonly reaper?: Pick<Reaper, "subscribe"> | undefined;
}

/**
 * Listens on TCP `port` (all IPv4 addresses, as the original) and hands every accepted
 * connection to `onConnection`. Throws an Error naming the port when it cannot listen.
 */
export function serveInetd(
  port: number,
  onConnection: (conn: Connection) => void,
  starters: InetdStarters,
): InetdServer {
  const listener = listenTcp(port);
  let requests = 0;
  (async () => {
    for await (const accepted of listener.accept()) {
      requests++;
      const conn = connection(accepted, starters);
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
}

function connection(accepted: AcceptedSocket, { spawner, reaper }: InetdStarters): Connection {
  let open = true;
  const release = () => {
    if (!open) return;
    open = false;
    closeFd(accepted.fd);
  };
  return {
    remote: accepted.remote,
    local: accepted.local,
    spawn(req: ConnectionRequest): ConnectionProcess {
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
