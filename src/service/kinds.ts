/**
 * What each service type means to the machine, as data (docs/configuration.md, "type"):
 * how it starts, what "ready" is, and what its launcher's clean exit during start-up means.
 * The table in machine.ts reads these rules instead of branching on the type.
 */
import type { ServiceType } from "../config/schema.ts";
import type { ServiceState } from "./state.ts";

/** The rules of one service type. */
export interface KindRules {
  /** cron and inetd are scheduled (a timer, a listener) instead of spawned at start. */
  readonly scheduled: boolean;
  /** A notify socket is opened before the process is spawned. */
  readonly notifySocket: boolean;
  /** The state a freshly spawned process enters. */
  readonly afterSpawn: Extract<ServiceState, "pausing" | "awaiting-ready" | "awaiting-exit">;
  /**
   * What the spawned process exiting 0 during start-up means: the start is complete
   * (`finish`, or the pidfile wait when one is configured), or nothing (`keep-waiting`: a
   * notify launcher that daemonises; its child sends READY=1).
   */
  readonly cleanExit: "finish" | "keep-waiting";
  /** A `pidfile` names the daemon this type starts (simple and forking services). */
  readonly usesPidfile: boolean;
}

const SIMPLE: KindRules = {
  scheduled: false,
  notifySocket: false,
  afterSpawn: "pausing",
  cleanExit: "finish",
  usesPidfile: true,
};

/** The rules of every service type. */
export const KIND_RULES: Readonly<Record<ServiceType, KindRules>> = {
  simple: SIMPLE,
  forking: { ...SIMPLE, afterSpawn: "awaiting-exit" },
  oneshot: { ...SIMPLE, afterSpawn: "awaiting-exit", usesPidfile: false },
  notify: {
    ...SIMPLE,
    notifySocket: true,
    afterSpawn: "awaiting-ready",
    cleanExit: "keep-waiting",
    usesPidfile: false,
  },
  cron: { ...SIMPLE, scheduled: true, usesPidfile: false },
  inetd: { ...SIMPLE, scheduled: true, usesPidfile: false },
};

/** The log line of a start that ran out of `process_timeout` in `state`. */
export function timeoutReason(
  spec: { name: string; type: ServiceType; pidfile?: string | undefined; processTimeout: number },
  state: ServiceState,
  options: { pidfileGarbage: boolean; ignoreFailures: boolean },
): string {
  const t = spec.processTimeout;
  const how = options.ignoreFailures
    ? "proceeding due to 'ignore_failures=True'"
    : "terminating due to 'ignore_failures=False'";
  if (state === "awaiting-pidfile") {
    return options.pidfileGarbage
      ? `${spec.name} found pid file '${spec.pidfile}' but contents did not contain an integer`
      : `${spec.name} did not find pid file '${spec.pidfile}' before ${t}sec process_timeout expired`;
  }
  if (spec.type === "notify") {
    return `notify service '${spec.name}' did not receive ready notification after ${t} second(s), ${how}`;
  }
  return `${spec.type} service '${spec.name}' did not exit after ${t} second(s), ${how}`;
}
