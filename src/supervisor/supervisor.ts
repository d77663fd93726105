/**
 * The supervisor: owns every service's runtime record and the system's snapshot, and is the
 * only place that acts. Every asynchronous source (a child's exit, a timer, a notify datagram,
 * a cron tick, a control command) ends in `dispatch(name, event)`, which queues the event;
 * the queue is drained by running the pure tables (service/machine.ts, system/machine.ts) and
 * performing the effects they return. After each drained queue the system machine looks at
 * the whole (`quiet`): it starts what may start, stops what a shutdown may stop, and ends a
 * system with nothing left. State is never changed from a callback.
 */
import type { Logger } from "../log/logger.ts";
import { Facility } from "../log/record.ts";
import { type ExitStatus, formatProcStatus, toExitCode } from "../process/exit_status.ts";
import { transition } from "../service/machine.ts";
import type { Effect, ServiceEvent } from "../service/state.ts";
import { isReady } from "../system/order.ts";
import {
  type Ending,
  hostStatusLine,
  INITIAL_SYSTEM,
  isShuttingDown,
  reloadRefusal,
  startRefusal,
  type SystemEffect,
  type SystemEvent,
  systemTransition,
  type SystemWorld,
} from "../system/machine.ts";
import { HostReporter } from "./host_reporter.ts";
import type { SupervisorDeps } from "./ports.ts";
import { createRuntime, type ServiceRuntime, type ServiceView } from "./runtime.ts";
import { ServiceCommands } from "./commands.ts";
import type { DependencyGraph } from "../system/graph.ts";
import type { ReloadPlan } from "../system/reload_plan.ts";
import { applyReload, type LiveSettings, type ReloadTarget } from "./reconfigure.ts";
import { finalSweep, signalPlan } from "./shutdown.ts";
import { ServiceEffects } from "./service_effects.ts";
import { unschedule } from "./scheduling.ts";
import { errorStack } from "../text/error_message.ts";
import { SIGNO } from "../process/signals.ts";

export type { Ending } from "../system/machine.ts";
export type { SpawnExtras, SupervisorDeps } from "./ports.ts";
export type { ServiceView, SettleResult } from "./runtime.ts";
export type { CommandResult } from "./commands.ts";

/** One queued event: for a service, or for the system. */
type Queued =
  | { readonly name: string; readonly event: ServiceEvent }
  | { readonly system: SystemEvent };

/** The one place that performs effects. */
export class Supervisor {
  #deps: SupervisorDeps;
  #rt = new Map<string, ServiceRuntime>();
  #queue: Queued[] = [];
  #draining = false;
  #log: Logger;
  #host: HostReporter;
  #system = INITIAL_SYSTEM;
  #startedAt: number;
  #effects: ServiceEffects;
  #finish!: (ending: Ending) => void;
  /** The dependency graph and the live settings: what a `ctl reload` may replace. */
  #graph: DependencyGraph;
  #live: LiveSettings;
  /** Run-time commands (ctl start, stop, reset, restart, enable, disable). */
  readonly commands: ServiceCommands;
  /** Resolves with the exit code once everything is gone. */
  readonly finished: Promise<Ending>;

  constructor(deps: SupervisorDeps) {
    this.#deps = deps;
    this.#log = deps.logger;
    this.#host = new HostReporter(deps.hostNotify, deps.logger, deps.clock);
    this.#startedAt = deps.clock.now();
    this.finished = new Promise((resolve) => (this.#finish = resolve));
    this.#graph = deps.graph;
    this.#live = {
      shutdownTimeout: deps.shutdownTimeout,
      detectExit: deps.detectExit,
      idleDelay: deps.idleDelay,
    };
    for (const spec of deps.services) {
      this.#rt.set(spec.name, createRuntime(spec, deps.shutdownTimeout, deps.clock));
    }
    this.#effects = new ServiceEffects(deps, {
      dispatch: (name, event) => this.dispatch(name, event),
      shuttingDown: () => isShuttingDown(this.#system),
      runtimes: () => this.#rt.values(),
      logFor: (r) => this.#logFor(r),
    });
    this.commands = new ServiceCommands({
      runtime: (name) => this.#rt.get(name),
      graph: () => this.#graph,
      dispatch: (name, event) => this.dispatch(name, event),
      startRefusal: () => startRefusal(this.#system),
      verifyExecutable: (r) => this.#effects.resolveArgv(r),
    });
  }

  // ---------------------------------------------------------------- queries

  /** The names of all services, in startup order. */
  names(): string[] {
    return this.#graph.order.filter((n) => this.#rt.has(n));
  }

  /** The dependency graph in force (a `ctl reload` may replace it). */
  graph(): DependencyGraph {
    return this.#graph;
  }

  /** Looks a service up by exact name, or name + `.service`. */
  find(name: string): string | undefined {
    if (this.#rt.has(name)) return name;
    if (this.#rt.has(`${name}.service`)) return `${name}.service`;
    return undefined;
  }

  /** A read-only view of one service. */
  view(name: string): ServiceView | undefined {
    const r = this.#rt.get(name);
    if (!r) return undefined;
    const graph = this.#graph;
    return {
      spec: r.spec,
      snap: r.snap,
      nextRun: r.cronJob?.nextRun() ?? undefined,
      listener: r.listener ? { port: r.listener.port, requests: r.listener.requests } : undefined,
      ready: isReady(name, (n) => graph.prerequisitesOf(n), (n) => this.#rt.get(n)?.snap),
    };
  }

  /** Seconds since the supervisor was made. */
  uptime(): number {
    return (this.#deps.clock.now() - this.#startedAt) / 1000;
  }

  /** True once a shutdown has begun. */
  get shuttingDown(): boolean {
    return isShuttingDown(this.#system);
  }

  /** The STATUS= text sent to the host (docs/docker.md, "podman --sdnotify"). */
  statusLine(): string {
    return hostStatusLine(this.uptime(), [...this.#rt.values()].map((r) => r.snap));
  }

  // ---------------------------------------------------------------- commands

  /** Initial start-up: every enabled service, in parallel as dependencies allow. */
  start(): void {
    for (const r of this.#rt.values()) {
      if (!r.snap.enabled) this.#log.debug(`service ${r.spec.name} not enabled, will be skipped`);
      else if (!this.#effects.enableCheck(r)) this.dispatch(r.spec.name, { type: "disable" });
    }
    const services = [...this.#rt.values()].filter((r) => r.snap.enabled).map((r) => r.spec.name);
    this.#toSystem({ type: "start", services, detectExit: this.#live.detectExit });
  }

  /**
   * Begins the orderly shutdown (SIGTERM, ctl shutdown, exit_kills, start-up failure). A second
   * forced request (a second SIGINT) sends SIGKILL to everything at once.
   */
  shutdown(ending: Ending, options: { forced?: boolean } = {}): void {
    this.#toSystem({ type: "shutdown", ending, forced: options.forced ?? false });
  }

  /** `ctl shutdown <delay>`: shuts down after `delay` seconds (through the Clock: any length). */
  shutdownIn(delay: number): void {
    this.#log.info(`requested shutdown scheduled to occur in ${delay} seconds`);
    this.#deps.clock.setTimeout(
      () => this.shutdown({ code: 0, reason: "ctl shutdown" }),
      Math.max(0, delay * 1000),
    );
  }

  /** Sends a signal to the CONSOLE command's process group (forwarded container signals). */
  forwardToConsole(signo: number): boolean {
    const r = this.#rt.get("CONSOLE");
    const pid = r?.snap.pid;
    if (!r || pid === undefined) return false;
    this.#deps.processes.signal(pid, signo, { group: r.pgid !== undefined });
    return true;
  }

  /** An orphan (or attached pid) was reaped by the reaper. */
  onReaped(pid: number, status: ExitStatus): void {
    for (const r of this.#rt.values()) {
      // An inetd connection's process started outside Deno: its handle learns the status.
      for (const c of r.connections) if (c.pid === pid) return;
    }
    for (const r of this.#rt.values()) {
      if (r.snap.mainPid === pid) {
        this.#log.debug(
          `${r.spec.name} attached PID ${pid} exited with ${formatProcStatus(status)}`,
        );
        this.dispatch(r.spec.name, { type: "exited", pid, status });
        return;
      }
    }
    this.#log.debug(
      `Caught subprocess termination from unknown pid: ${pid} -> ${formatProcStatus(status)}`,
    );
    // Nothing changed for a service, but the system may have nothing left now.
    this.#drain();
  }

  /**
   * `ctl reload`: carries out `plan` (system/reload_plan.ts) towards `target`. Refused during a
   * shutdown; resolves once what had to stop has stopped and what must run was started.
   */
  reconfigure(plan: ReloadPlan, target: ReloadTarget): Promise<void> {
    const refusal = reloadRefusal(this.#system);
    if (refusal) return Promise.reject(new Error(refusal));
    return applyReload(
      {
        runtimes: this.#rt,
        graph: () => this.#graph,
        swap: (graph, settings) => {
          this.#graph = graph;
          this.#live = settings;
        },
        createRuntime: (spec) => createRuntime(spec, this.#live.shutdownTimeout, this.#deps.clock),
        commands: this.commands,
        dispatch: (name, event) => this.dispatch(name, event),
        shutdownTimeout: () => this.#live.shutdownTimeout,
      },
      plan,
      target,
    );
  }

  // ---------------------------------------------------------------- the loop

  /** Delivers one event to one service (queued; the queue is drained at once unless draining). */
  dispatch(name: string, event: ServiceEvent): void {
    this.#queue.push({ name, event });
    this.#drain();
  }

  #toSystem(event: SystemEvent): void {
    this.#queue.push({ system: event });
    this.#drain();
  }

  #drain(): void {
    if (this.#draining) return;
    this.#draining = true;
    try {
      // Each round must move some service or the system; a round limit turns a bug that
      // would spin (an event that changes nothing, sent again and again) into a log line.
      const limit = 4 * this.#rt.size + 100;
      for (let round = 0;; round++) {
        for (let item = this.#queue.shift(); item; item = this.#queue.shift()) {
          if ("system" in item) this.#stepSystem(item.system);
          else this.#stepService(item.name, item.event);
        }
        if (this.#system.phase === "done") return;
        const phase = this.#system.phase;
        this.#stepSystem({ type: "quiet", world: this.#world() });
        // A look that changed the phase (a shutdown began) is followed by another look.
        if (this.#queue.length === 0 && this.#system.phase === phase) return;
        if (round >= limit) {
          this.#log.error(`internal error: the event queue did not settle (Chaperone carries on)`);
          this.#queue.length = 0;
          return;
        }
      }
    } finally {
      this.#draining = false;
    }
  }

  #stepService(name: string, event: ServiceEvent): void {
    const r = this.#rt.get(name);
    if (!r) return;
    const before = r.snap.state;
    const step = this.#guarded(
      `${name} event ${event.type}`,
      () => transition(r.snap, event, r.machine, this.#deps.clock.now()),
    );
    if (!step) return;
    r.snap = step.next;
    if (before !== step.next.state) {
      this.#log.debug(`${name} ${before} -> ${step.next.state} (${event.type})`);
    }
    // Each effect on its own: one that throws must not cost the service the others (its
    // timers, its settle) nor PID 1 its life.
    for (const fx of step.effects) this.#guarded(`${name} ${fx.type}`, () => this.#perform(r, fx));
    const stopped = (s: string) => s === "stopping" || s === "job-stopping";
    if (stopped(before) && !stopped(step.next.state)) {
      for (const w of r.stopWaiters.splice(0)) w();
    }
  }

  #stepSystem(event: SystemEvent): void {
    const step = this.#guarded(
      `system event ${event.type}`,
      () => systemTransition(this.#system, event, this.#deps.clock.now()),
    );
    if (!step) return;
    if (step.next.phase !== this.#system.phase) {
      this.#log.debug(`system ${this.#system.phase} -> ${step.next.phase} (${event.type})`);
    }
    this.#system = step.next;
    for (const fx of step.effects) {
      this.#guarded(`system ${fx.type}`, () => this.#performSystem(fx));
    }
  }

  /** What the system machine sees. */
  #world(): SystemWorld {
    const { processes } = this.#deps;
    const graph = this.#graph;
    const { detectExit } = this.#live;
    return {
      services: this.names().map((n) => this.#rt.get(n)!.snap),
      prerequisitesOf: (n) => graph.prerequisitesOf(n),
      dependentsOf: (n) => graph.dependentsOf(n),
      isIdleGroup: (n) => this.#rt.get(n)?.spec.groups.includes("IDLE") ?? false,
      hasChildren: () => processes.hasChildren(),
      detectExit,
    };
  }

  /** Runs `fn`; a throw (a bug) is logged with its stack and the supervisor carries on. */
  #guarded<T>(what: string, fn: () => T): T | undefined {
    try {
      return fn();
    } catch (err) {
      const detail = errorStack(err);
      this.#log.error(`internal error in ${what} (Chaperone carries on): ${detail}`);
      return undefined;
    }
  }

  #perform(r: ServiceRuntime, fx: Effect): void {
    switch (fx.type) {
      case "settled":
        this.#settled(r, fx.ok, fx.reason, fx.abandoned === true);
        return;
      case "exit-kills":
        this.shutdown({
          code: fx.status ? toExitCode(fx.status) : 0,
          reason: `${r.spec.name} exited (exit_kills)`,
        });
        return;
      case "log":
        this.#logFor(r)[fx.level](fx.message);
        return;
      default:
        this.#effects.perform(r, fx);
    }
  }

  #performSystem(fx: SystemEffect): void {
    switch (fx.type) {
      case "service":
        this.dispatch(fx.name, fx.event);
        return;
      case "log":
        this.#log[fx.level](fx.message);
        return;
      case "host":
        this.#host.send(fx.message);
        return;
      case "host-status":
        if (fx.on) this.#host.startStatus(this.#deps.statusInterval, () => this.statusLine());
        else this.#host.stopStatus();
        return;
      case "close-schedulers":
        for (const r of this.#rt.values()) {
          unschedule(r, { logger: this.#log, processes: this.#deps.processes }, {
            shutdown: true,
          });
        }
        return;
      case "kill-everything":
        for (const r of this.#rt.values()) {
          for (const t of signalPlan({ ...r.snap, pgid: r.pgid }, SIGNO.SIGKILL, false)) {
            this.#deps.processes.signal(t.pid, t.signo, { group: t.group });
          }
        }
        if (this.#deps.isPid1) this.#deps.killAll(SIGNO.SIGKILL);
        return;
      case "idle-timer": {
        const d = this.#live.idleDelay;
        this.#log.debug(`IDLE transition hit.  delaying for ${d} seconds`);
        this.#deps.clock.setTimeout(
          () => this.#toSystem({ type: "idle-delay-over" }),
          Math.max(0, d * 1000),
        );
        return;
      }
      case "sweep":
        finalSweep({
          clock: this.#deps.clock,
          processes: this.#deps.processes,
          logger: this.#log,
          isPid1: this.#deps.isPid1,
          killAll: (signo) => this.#deps.killAll(signo),
          shutdownTimeout: this.#live.shutdownTimeout,
          shutdownStartedAt: this.#system.shutdownStartedAt ?? this.#deps.clock.now(),
          onDone: () => this.#toSystem({ type: "sweep-done" }),
        });
        return;
      case "finish":
        for (const r of this.#rt.values()) {
          r.timers.cancelAll();
          r.notify?.close();
          r.notify = undefined;
        }
        this.#log.debug("Final termination phase.");
        this.#finish(fx.ending);
        return;
      default: {
        const _exhaustive: never = fx;
        throw new TypeError(`unknown system effect ${JSON.stringify(_exhaustive)}`);
      }
    }
  }

  /** A start settled: its waiters learn the result, and the system its part of the start-up. */
  #settled(r: ServiceRuntime, ok: boolean, reason: string | undefined, abandoned: boolean): void {
    const name = r.spec.name;
    if (ok) this.#log.debug(`${name} successfully started`);
    else if (abandoned) this.#log.debug(`${name} start abandoned: ${reason}`);
    else {
      this.#log.debug(`${name} received exception during attempted start. Exception: ${reason}`);
      if (!r.snap.initial) this.#log.error(`${name} failed to start: ${reason}`);
    }
    for (const w of r.settleWaiters.splice(0)) w({ ok, reason });
    this.#toSystem({ type: "settled", name, ok, reason, abandoned });
  }

  /** Messages about cron services carry facility `cron` (docs/logging.md). */
  #logFor(r: ServiceRuntime): Logger {
    return r.spec.type === "cron" ? this.#log.withFacility(Facility.CRON) : this.#log;
  }
}
