/**
 * What the supervisor is given by the composition root: the services and their graph, the
 * ports to the outside world, and the settings that shape start-up and shutdown.
 */
import type { ServiceSpec } from "../config/schema.ts";
import type { Logger } from "../log/logger.ts";
import type { LogSink } from "../log/record.ts";
import type { DependencyGraph } from "./graph.ts";
import type { Clock, CronPort, HostNotify, InetdPort, NotifyPort, ProcessPort } from "./ports.ts";

/** Extra variables given to a service's environment at each spawn. */
export interface SpawnExtras {
  serial: number;
  time: number;
  notifySocket?: string | undefined;
}

/** Everything the supervisor is given. */
export interface SupervisorDeps {
  readonly services: readonly ServiceSpec[];
  readonly graph: DependencyGraph;
  readonly processes: ProcessPort;
  readonly notify: NotifyPort;
  readonly cron: CronPort;
  readonly inetd: InetdPort;
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
