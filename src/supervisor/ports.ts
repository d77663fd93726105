/**
 * The narrow interfaces the supervisor needs from the outside world (consumer-owned, so tests
 * replace each with a small fake and the composition root adapts the real modules).
 */
import type { ProbeSource, ServiceSpec } from "../config/schema.ts";
import type { Logger } from "../log/logger.ts";
import type { LogSink } from "../log/record.ts";
import type { ParsedNotify } from "../notify/protocol.ts";
import type { ExitStatus } from "../process/exit_status.ts";
import type { DependencyGraph } from "../system/graph.ts";
import type { Clock } from "../sys/clock.ts";

/** What to start. */
export interface ProcessRequest {
  readonly argv: readonly string[];
  readonly env: Record<string, string>;
  readonly cwd?: string | undefined;
  readonly uid?: number | undefined;
  readonly gid?: number | undefined;
  /** Own session and process group (every non-interactive service, Decision 5). */
  readonly detached: boolean;
  readonly stdin: "inherit" | "null";
  readonly stdout: "piped" | "inherit";
  readonly stderr: "piped" | "inherit";
}

/** A process we spawned. */
export interface ProcessHandle {
  readonly pid: number;
  readonly status: Promise<ExitStatus>;
  readonly stdout: ReadableStream<Uint8Array> | null;
  readonly stderr: ReadableStream<Uint8Array> | null;
}

/** What the process table says about one process. */
export interface ProcessFacts {
  readonly ppid: number;
  readonly pgid: number;
  readonly sid: number;
  /** Real uid. */
  readonly uid: number;
  /** False for a zombie. */
  readonly running: boolean;
}

/** One live process of the table. */
export interface ProcessEntry {
  readonly pid: number;
  readonly ppid: number;
  readonly pgid: number;
  readonly sid: number;
}

/** A process we did not spawn (an attached main pid), followed until it ends. */
export interface FollowedProcess {
  /**
   * `running`; `exited`: a zombie of ours that the reaper will collect and report; `gone`:
   * ended and collected elsewhere, its status unknown.
   */
  state(): "running" | "exited" | "gone";
  close(): void;
}

/** Process-table operations. Every method is synchronous and never throws for a gone pid. */
export interface ProcessPort {
  /** Resolves argv[0] against PATH; throws an Error whose message names the executable. */
  resolve(argv0: string, path: string | undefined, cwd: string | undefined): string;
  /** Spawns; throws when the executable cannot be started. */
  spawn(request: ProcessRequest): ProcessHandle;
  /** Sends a signal to a pid (group: to its process group). */
  signal(pid: number, signo: number, options: { group: boolean }): void;
  /** True while any process of the group lives (zombies do not count). */
  groupAlive(pgid: number): boolean;
  /** True while the pid lives (a zombie counts as gone). */
  pidAlive(pid: number): boolean;
  /** True when any process other than zombies has us as its parent. */
  hasChildren(): boolean;
  /** Pids of processes (other than us) we may still signal at the end of a shutdown. */
  leftovers(): number[];
  /** Every live process of the table (zombies left out): pid, parent, group and session. */
  list(): ProcessEntry[];
  /** Parent, group, session, uid and liveness of a pid; undefined when there is no such pid. */
  inspect(pid: number): ProcessFacts | undefined;
  /** Starts following a pid that may not be our child. */
  follow(pid: number): FollowedProcess;
  /** Chaperone's own pid. */
  readonly self: number;
}

/** An open per-service notify socket. */
export interface NotifyChannel {
  /** Value for NOTIFY_SOCKET in the service's environment. */
  readonly path: string;
  /** Each datagram, parsed (notify/protocol.ts). */
  readonly messages: AsyncIterable<ParsedNotify>;
  close(): void;
}

/** Opens per-service notify sockets. */
export interface NotifyPort {
  open(service: string, owner: { uid?: number | undefined; gid?: number | undefined }): Promise<
    NotifyChannel
  >;
}

/** A cron schedule. */
export interface CronJob {
  nextRun(): Date | null;
  stop(): void;
}

/** Schedules cron ticks. */
export interface CronPort {
  schedule(interval: string, onTick: () => void): CronJob;
}

/** An IPv4 address and port of one end of an inetd connection. */
export interface InetdEndpoint {
  readonly hostname: string;
  readonly port: number;
}

/** What an inetd connection's process runs as (its stdio is the connection). */
export type InetdProcessRequest = Omit<ProcessRequest, "stdin" | "stdout" | "stderr" | "detached">;

/** An accepted inetd connection, until it is handed to a process or closed. */
export interface InetdConnection {
  readonly remote: InetdEndpoint;
  readonly local: InetdEndpoint;
  /**
   * Starts the command in its own session with this connection as its fds 0, 1 and 2, and
   * drops chaperone's copy (the connection ends when the process and its children let go).
   * Throws when the process cannot be started; the connection is closed then too.
   */
  spawn(request: InetdProcessRequest): ProcessHandle;
  /** Closes the connection without starting anything. */
  close(): void;
}

/** An inetd listener. */
export interface InetdListener {
  readonly port: number;
  readonly requests: number;
  close(): void;
}

/** Opens inetd listeners; each accepted connection is handed to `onConnection`. */
export interface InetdPort {
  /** Listens on all IPv4 addresses; throws an Error naming the port when it cannot. */
  listen(port: number, onConnection: (conn: InetdConnection) => void): InetdListener;
}

/** Messages to the host's NOTIFY_SOCKET (podman --sdnotify=container, systemd). */
export interface HostNotify {
  send(message: string): void;
}

/** Time, replaceable in tests: the one Clock of src/sys/clock.ts (monotonic, long delays chained). */
export type { Clock, TimerId } from "../sys/clock.ts";

/** The outcome of one probe attempt. */
export type ProbeResult = { readonly ok: true } | { readonly ok: false; readonly error: string };

/** What a probe attempt runs as (an exec probe runs with the service's user and environment). */
export interface ProbeContext {
  readonly env: Record<string, string>;
  readonly cwd?: string | undefined;
  readonly uid?: number | undefined;
  readonly gid?: number | undefined;
}

/** Runs single probe attempts (tcp, http, exec, file); never throws. */
export interface ProbePort {
  attempt(source: ProbeSource, timeoutMs: number, ctx: ProbeContext): Promise<ProbeResult>;
}

/** Extra variables given to a service's environment at each spawn. */
export interface SpawnExtras {
  serial: number;
  time: number;
  notifySocket?: string | undefined;
}

/** Everything the supervisor is given by the composition root. */
export interface SupervisorDeps {
  readonly services: readonly ServiceSpec[];
  readonly graph: DependencyGraph;
  readonly processes: ProcessPort;
  readonly notify: NotifyPort;
  readonly cron: CronPort;
  readonly inetd: InetdPort;
  readonly probes: ProbePort;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Where service output lines and records go (the log router). */
  readonly sink: LogSink;
  readonly hostNotify?: HostNotify | undefined;
  /** The public environment of one spawn of a service. */
  envFor(service: ServiceSpec, extras: SpawnExtras): Record<string, string>;
  readonly idleDelay: number; // s
  readonly shutdownTimeout: number; // s
  readonly detectExit: boolean;
  /** Chaperone is PID 1 of its namespace: the final sweep may use kill(-1). */
  readonly isPid1: boolean;
  /** kill(-1, signo): only called when isPid1. */
  killAll(signo: number): void;
  readonly statusInterval: number; // s
}
