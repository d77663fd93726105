/**
 * The supervisor: owns every service's runtime state and is the only place that acts. Every
 * asynchronous source (a child's exit, a timer, a notify datagram, a cron tick, a control
 * request) ends in `dispatch(name, event)`, which runs the pure `transition()` and performs
 * the effects it returns. Events raised while effects run are queued, so state is never read
 * and written across an await.
 */
import type { Logger } from "../log/logger.ts";
import { Facility } from "../log/record.ts";
import {
  type ExitStatus,
  formatProcStatus,
  toExitCode,
  UNKNOWN_EXIT,
} from "../process/exit_status.ts";
import { transition } from "../service/machine.ts";
import { type Effect, isSatisfied, type ServiceEvent } from "../service/state.ts";
import type { InetdConnection, ProcessHandle } from "./ports.ts";
import { HostReporter } from "./host_reporter.ts";
import type { SupervisorDeps } from "./supervisor_deps.ts";
import { type ServiceView, serviceView } from "./service_view.ts";
import { signalPlan, type SignalTarget } from "./signal_plan.ts";
import { serveInetdConnection } from "./inetd_connection.ts";
import { createRuntime, type ServiceRuntime as Runtime, type SettleResult } from "./runtime.ts";
import { watchAttached, watchGroup, watchPidfile } from "./watchers.ts";
import { spawnProcess } from "./spawn_process.ts";
import { readNotify } from "./notify_reader.ts";
import { hostStatus } from "./host_status.ts";
import { shutdownStep } from "./shutdown_step.ts";
import { finalSweep } from "./final_sweep.ts";
import { disableReason, serviceArgv, serviceCwd, spawnRequest } from "./service_command.ts";
import { isReady, prerequisiteVerdict } from "./prerequisite_verdict.ts";
import { exitVerdict } from "./exit_verdict.ts";
import { refusalFor } from "./main_pid_refusal.ts";

export type { SpawnExtras, SupervisorDeps } from "./supervisor_deps.ts";
export type { ServiceView } from "./service_view.ts";

/** How the system ended, for the exit status contract (Decision 1). */
export interface Ending {
  readonly code: number;
  readonly reason: string;
}

const SIGTERM = 15;
const SIGKILL = 9;

/** `_CHAP_SERVICE_TIME` is a date (epoch seconds), the one use of wall time here. */
const wallSeconds = () => Math.floor(Date.now() / 1000);

/** The one place that performs effects. */
export class Supervisor {
  #deps: SupervisorDeps;
  #rt = new Map<string, Runtime>();
  #queue: Array<[string, ServiceEvent]> = [];
  #draining = false;
  #evaluatePending = false;
  #serial = 0;
  #log: Logger;
  #host: HostReporter;
  #startupPending = new Set<string>();
  #startupDone = false;
  #startupFailure: string | undefined;
  #idleDelayState: "pending" | "running" | "done" = "pending";
  #shuttingDown = false;
  #forced = false;
  #ending: Ending | undefined;
  #finish!: (ending: Ending) => void;
  #consoleExit: ExitStatus | undefined;
  #startedAt: number;
  #remainActiveWarned = false;
  #shutdownStartedAt = 0;
  /** Services whose shutdown `stop` is queued and not yet dispatched. */
  #stopQueued = new Set<string>();
  #sweeping = false;
  /** Resolves with the exit code once everything is gone. */
  readonly finished: Promise<Ending>;

  constructor(deps: SupervisorDeps) {
    this.#deps = deps;
    this.#log = deps.logger;
    this.#host = new HostReporter(deps.hostNotify, deps.logger, deps.clock);
    this.#startedAt = deps.clock.now();
    this.finished = new Promise((resolve) => (this.#finish = resolve));
    for (const spec of deps.services) {
      this.#rt.set(spec.name, createRuntime(spec, deps.shutdownTimeout, deps.clock));
    }
  }

  // ---------------------------------------------------------------- queries

  /** The names of all services, in startup order. */
  names(): string[] {
    return this.#deps.graph.order.filter((n) => this.#rt.has(n));
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
    const graph = this.#deps.graph;
    return serviceView(r, isReady(name, (n) => graph.prerequisitesOf(n), (n) => this.#rt.get(n)));
  }

  /** Seconds since the supervisor was made. */
  uptime(): number {
    return (this.#deps.clock.now() - this.#startedAt) / 1000;
  }

  /** True once a shutdown has begun. */
  get shuttingDown(): boolean {
    return this.#shuttingDown;
  }

  // ---------------------------------------------------------------- commands

  /** Initial start-up: every enabled service, in parallel as dependencies allow. */
  start(): void {
    const enabled = [...this.#rt.values()].filter((r) => r.enabled);
    for (const r of this.#rt.values()) {
      if (!r.enabled) this.#log.debug(`service ${r.spec.name} not enabled, will be skipped`);
    }
    for (const r of enabled) this.#checkExecutable(r);
    const toStart = [...this.#rt.values()].filter((r) => r.enabled);
    if (toStart.length === 0) {
      this.#startupDone = true;
      if (this.#deps.detectExit) {
        this.#log.warn(
          "No service startups attempted (all disabled?) - exiting due to 'detect_exit=true'",
        );
        this.shutdown({ code: 0, reason: "no services enabled" });
      }
      return;
    }
    for (const r of toStart) this.#startupPending.add(r.spec.name);
    for (const r of toStart) this.dispatch(r.spec.name, { type: "start", initial: true });
    this.#evaluateWaiting();
  }

  /** Starts a service (and its enabled prerequisites) at run time. */
  startService(name: string): Promise<SettleResult> {
    const r = this.#rt.get(name);
    if (!r) return Promise.resolve({ ok: false, reason: `no such service: ${name}` });
    let resolveDone!: (result: SettleResult) => void;
    const done = new Promise<SettleResult>((resolve) => resolveDone = resolve);
    r.settleWaiters.push(resolveDone);
    this.#startWithPrerequisites(name, new Set());
    this.#evaluateWaiting();
    if (r.snap.state !== "waiting" && r.snap.state !== "starting") {
      // Settled already, or not startable: nothing to wait for, so drop the waiter.
      r.settleWaiters = r.settleWaiters.filter((w) => w !== resolveDone);
      return Promise.resolve({ ok: isSatisfied(r.snap.state) || r.snap.state === "backoff" });
    }
    return done;
  }

  /** Stops a service; resolves once its processes are gone. */
  stopService(name: string): Promise<void> {
    return this.#endService(name, { type: "stop" });
  }

  /** Resets a service (stop without the started check; a cron service stays scheduled). */
  resetService(name: string): Promise<void> {
    return this.#endService(name, { type: "reset" });
  }

  /** Enables or disables a service (does not stop what runs). */
  setEnabled(name: string, enabled: boolean): void {
    const r = this.#rt.get(name);
    if (!r) return;
    if (enabled && !r.enabled) {
      r.enabled = true;
      this.#checkExecutable(r, true);
    } else if (!enabled) {
      r.enabled = false;
    }
  }

  /** Checks a service's executable as the enable check does; throws on failure. */
  verifyExecutable(name: string): void {
    const r = this.#rt.get(name);
    if (!r) return;
    this.#resolveArgv(r);
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
      for (const c of r.inetdChildren) if (c.pid === pid) return;
    }
    for (const r of this.#rt.values()) {
      if (r.snap.mainPid === pid) {
        this.#log.debug(
          `${r.spec.name} attached PID ${pid} exited with ${formatProcStatus(status)}`,
        );
        this.dispatch(r.spec.name, { type: "exited", pid, status });
        this.#checkExit();
        return;
      }
    }
    this.#log.info(
      `Caught subprocess termination from unknown pid: ${pid} -> ${formatProcStatus(status)}`,
    );
    this.#checkExit();
  }

  /**
   * Begins the orderly shutdown (SIGTERM, ctl shutdown, exit_kills, start-up failure). A second
   * forced request (a second SIGINT) sends SIGKILL to everything at once.
   */
  shutdown(ending: Ending, options: { forced?: boolean } = {}): void {
    if (this.#shuttingDown) {
      if (options.forced && this.#forced) this.#killEverything();
      this.#forced ||= options.forced ?? false;
      return;
    }
    this.#shuttingDown = true;
    this.#shutdownStartedAt = this.#deps.clock.now();
    this.#forced = options.forced ?? false;
    this.#ending = ending;
    this.#log.warn(`Request made to kill system.${options.forced ? " (forced)" : ""}`);
    if (ending.code !== 0 && this.#host.connected && !this.#startupDone) {
      this.#host.send(`ERRNO=${ending.code}`);
    }
    this.#host.send("STOPPING=1");
    this.#host.stopStatus();
    for (const r of this.#rt.values()) {
      r.cronJob?.stop();
      r.cronJob = undefined;
      r.listener?.close();
      r.listener = undefined;
      for (const c of r.inetdChildren) this.#deps.processes.signal(c.pid, SIGTERM, { group: true });
    }
    this.#advanceShutdown();
  }

  // ---------------------------------------------------------------- the loop

  /** Delivers one event to one service: transition, store, perform. */
  dispatch(name: string, event: ServiceEvent): void {
    this.#queue.push([name, event]);
    if (this.#draining) return;
    this.#draining = true;
    try {
      for (let item = this.#queue.shift(); item; item = this.#queue.shift()) {
        const [n, e] = item;
        const r = this.#rt.get(n);
        if (!r) continue;
        const before = r.snap.state;
        const mainBefore = r.snap.mainPid;
        const step = this.#guarded(
          `${n} event ${e.type}`,
          () => transition(r.snap, e, r.machine, this.#deps.clock.now()),
        );
        if (!step) continue;
        const { next, effects } = step;
        r.snap = next;
        if (before !== next.state) {
          this.#log.debug(`${n} ${before} -> ${next.state} (${e.type})`);
        }
        // Each effect on its own: one that throws must not cost the service the others (its
        // timers, its settle) nor PID 1 its life.
        for (const fx of effects) this.#guarded(`${n} ${fx.type}`, () => this.#perform(r, fx));
        if (next.mainPid !== undefined && next.mainPid !== mainBefore) {
          this.#guarded(`${n} follow main pid`, () => this.#followMain(r));
        }
        if (before === "stopping" && next.state !== "stopping") {
          for (const w of r.stopWaiters.splice(0)) w();
        }
      }
    } finally {
      this.#draining = false;
    }
    if (this.#evaluatePending) {
      this.#evaluatePending = false;
      this.#guarded("start-up ordering", () => this.#evaluateWaiting());
    }
    if (this.#shuttingDown) this.#guarded("shutdown", () => this.#advanceShutdown());
  }

  /** Runs `fn`; a throw (a bug) is logged with its stack and the supervisor carries on. */
  #guarded<T>(what: string, fn: () => T): T | undefined {
    try {
      return fn();
    } catch (err) {
      const detail = err instanceof Error ? err.stack ?? err.message : String(err);
      this.#log.error(`internal error in ${what} (Chaperone carries on): ${detail}`);
      return undefined;
    }
  }

  #perform(r: Runtime, fx: Effect): void {
    const name = r.spec.name;
    switch (fx.type) {
      case "spawn":
        this.#spawn(r);
        return;
      case "signal": {
        const kill = fx.signal === "SIGKILL";
        const plan = signalPlan(
          { ...r.snap, pgid: r.pgid },
          kill ? SIGKILL : r.spec.killSignal,
          kill,
        );
        this.#signal(plan);
        return;
      }
      case "set-timer": {
        const timer = fx.timer;
        r.timers.set(timer, fx.ms, () => this.dispatch(name, { type: "timer", timer }));
        return;
      }
      case "cancel-timer":
        r.timers.cancel(fx.timer);
        return;
      case "cancel-all-timers":
        r.timers.cancelAll();
        return;
      case "open-notify":
        // Opened inside #spawn, which must wait for the socket before starting the process.
        return;
      case "close-notify":
        r.notify?.close();
        r.notify = undefined;
        return;
      case "watch-pidfile":
        this.#watchPidfile(r);
        return;
      case "remove-pidfile":
        if (r.spec.pidfile) {
          try {
            Deno.removeSync(r.spec.pidfile);
          } catch {
            // Already gone.
          }
        }
        return;
      case "watch-group": {
        const { clock, processes } = this.#deps;
        watchGroup({ clock, processes, active: () => r.snap.state === "stopping" }, r.pgid, () => {
          this.dispatch(name, { type: "group-gone" });
          this.#checkExit();
        });
        return;
      }
      case "schedule":
        this.#schedule(r);
        return;
      case "unschedule":
        r.cronJob?.stop();
        r.cronJob = undefined;
        if (r.listener) {
          r.listener.close();
          r.listener = undefined;
          if (r.inetdChildren.size > 0) {
            this.#log.warn(
              `${name} terminating ${r.inetdChildren.size} processes on port ${r.spec.port} that are still running`,
            );
          }
          for (const c of r.inetdChildren) {
            this.#deps.processes.signal(c.pid, r.spec.killSignal, { group: true });
          }
        }
        return;
      case "settled":
        this.#settled(r, fx.ok, fx.reason);
        return;
      case "exit-kills":
        this.shutdown({
          code: fx.status ? toExitCode(fx.status) : 0,
          reason: `${name} exited (exit_kills)`,
        });
        return;
      case "log":
        this.#logFor(r)[fx.level](fx.message);
        return;
      default: {
        const _exhaustive: never = fx;
        throw new TypeError(`unknown effect ${JSON.stringify(_exhaustive)}`);
      }
    }
  }

  // ---------------------------------------------------------------- starting

  #startWithPrerequisites(name: string, seen: Set<string>): void {
    if (seen.has(name)) return;
    seen.add(name);
    const r = this.#rt.get(name);
    if (!r || !r.enabled) return;
    for (const p of this.#deps.graph.prerequisitesOf(name)) {
      const pr = this.#rt.get(p);
      if (pr && pr.enabled && pr.snap.state === "idle") this.#startWithPrerequisites(p, seen);
    }
    if (r.snap.state === "idle") this.dispatch(name, { type: "start", initial: false });
  }

  /** Sends deps-ready / deps-failed to every waiting service whose prerequisites settled. */
  #evaluateWaiting(): void {
    // Inside a dispatch, events only queue: evaluate once the queue has drained.
    if (this.#draining) {
      this.#evaluatePending = true;
      return;
    }
    let progress = true;
    while (progress) {
      progress = false;
      for (const r of this.#rt.values()) {
        if (r.snap.state !== "waiting") continue;
        const verdict = prerequisiteVerdict(
          this.#deps.graph.prerequisitesOf(r.spec.name),
          (p) => this.#rt.get(p),
          this.#startupPending,
        );
        if (verdict === "wait") continue;
        if (typeof verdict === "object") {
          this.dispatch(r.spec.name, { type: "deps-failed", dependency: verdict.failed });
          progress = true;
          continue;
        }
        if (r.spec.groups.includes("IDLE") && this.#idleDelayState !== "done") {
          this.#beginIdleDelay();
          continue;
        }
        if (this.#shuttingDown) continue;
        r.startAttempted = true;
        this.dispatch(r.spec.name, { type: "deps-ready" });
        progress = true;
      }
    }
  }

  /** The IDLE delay applies once, to the IDLE group as a whole (Decision 14). */
  #beginIdleDelay(): void {
    if (this.#idleDelayState !== "pending") return;
    this.#idleDelayState = "running";
    const d = this.#deps.idleDelay;
    this.#log.debug(`IDLE transition hit.  delaying for ${d} seconds`);
    this.#deps.clock.setTimeout(() => {
      this.#idleDelayState = "done";
      this.#evaluateWaiting();
    }, Math.max(0, d * 1000));
  }

  #resolveArgv(r: Runtime): string[] {
    const env = this.#deps.envFor(r.spec, { serial: 0, time: 0 });
    return serviceArgv(r.spec, env.PATH, this.#deps.processes);
  }

  /** The enable check of spec 5.1: optional or ignore_failures services whose program is missing are disabled. */
  #checkExecutable(r: Runtime, throwOnError = false): void {
    if (r.spec.type === "cron" || r.spec.type === "inetd") return;
    try {
      this.#resolveArgv(r);
    } catch (err) {
      if (throwOnError) throw err;
      const reason = disableReason(r.spec, err instanceof Error ? err.message : String(err));
      if (reason) {
        this.#log[reason.level](reason.message);
        r.enabled = false;
      }
    }
  }

  #spawn(r: Runtime): void {
    const name = r.spec.name;
    if (this.#shuttingDown) {
      this.dispatch(name, {
        type: "spawn-failed",
        error: "system is shutting down",
        notFound: false,
      });
      return;
    }
    if (r.spec.type === "notify" && !r.notify) {
      // The socket must exist before the process starts; spawn continues once it is bound.
      this.#deps.notify.open(name, { uid: r.spec.user?.uid, gid: r.spec.user?.gid }).then(
        (channel) => {
          r.notify = channel;
          readNotify(channel, {
            service: name,
            logger: this.#log,
            active: () => r.notify === channel,
            onStatus: (text) => r.statusText = text,
            onEvent: (event) =>
              event.type === "main-pid"
                ? this.#attach(r, event.pid, "MAINPID")
                : this.dispatch(name, event),
          });
          if (r.snap.state === "starting" && r.snap.pid === undefined) this.#spawn(r);
          else channel.close();
        },
        (err) =>
          this.dispatch(name, {
            type: "spawn-failed",
            error: `cannot open notify socket: ${err instanceof Error ? err.message : err}`,
            notFound: false,
          }),
      );
      return;
    }
    let argv: string[];
    try {
      argv = this.#resolveArgv(r);
    } catch (err) {
      const msg = err instanceof Error ? err.message : String(err);
      this.dispatch(name, { type: "spawn-failed", error: msg, notFound: true });
      return;
    }
    const interactive = name === "CONSOLE" && Deno.stdin.isTerminal();
    let child: ProcessHandle;
    try {
      // The environment is expanded for each run: an expansion may fail on this run only
      // (`$(_CHAP_SERVICE_SERIAL:|1|ok|$(X:?boom))`), which is a failed spawn like an exec error.
      const env = this.#deps.envFor(r.spec, {
        serial: ++this.#serial,
        time: wallSeconds(),
        notifySocket: r.notify?.path,
      });
      if (r.machine.watchdogMs) env.WATCHDOG_USEC = String(r.machine.watchdogMs * 1000);
      this.#logFor(r).debug(`${name} attempting start '${argv.join(" ")}'... `);
      if (r.spec.debug) {
        // The service's `debug: true` (or settings `debug`): show exactly what it is given.
        const lines = Object.keys(env).sort().map((k) => `${k}=${env[k]}`);
        this.#logFor(r).debug(`${name} environment: ${lines.join(" ")}`);
      }
      const request = spawnRequest(r.spec, { argv, env, cwd: serviceCwd(r.spec), interactive });
      const ctx = {
        processes: this.#deps.processes,
        sink: this.#deps.sink,
        logger: this.#logFor(r),
      };
      child = spawnProcess(ctx, name, request, (ended, status) => {
        if (name === "CONSOLE") this.#consoleExit = status;
        if (r.child === ended) r.child = undefined;
        this.dispatch(name, { type: "exited", pid: ended.pid, status });
        this.#checkExit();
      });
    } catch (err) {
      const msg = err instanceof Error ? err.message : String(err);
      this.dispatch(name, { type: "spawn-failed", error: msg, notFound: false });
      return;
    }
    if (r.spec.exitKills) {
      this.#log.warn(`system will be killed when '${argv[0]}' exits`);
    }
    r.child = child;
    r.pgid = interactive ? undefined : child.pid;
    r.refusedPids.clear();
    this.dispatch(name, { type: "spawned", pid: child.pid });
  }

  #watchPidfile(r: Runtime): void {
    const file = r.spec.pidfile;
    if (!file) return;
    const name = r.spec.name;
    const { clock, processes } = this.#deps;
    watchPidfile({
      clock,
      processes,
      file,
      active: () => r.snap.state === "starting" && r.snap.phase === "pidfile",
      onPid: (pid) => this.#attach(r, pid, "pidfile"),
      onRefused: (why) =>
        this.dispatch(name, { type: "pidfile-error", error: `${name} pid file refused: ${why}` }),
      onGarbage: () => this.dispatch(name, { type: "pidfile-garbage" }),
    });
  }

  /**
   * The service named `pid` as its main process (MAINPID=, its pidfile). Attached only when it
   * is the service's own (main_pid_refusal.ts); otherwise a refused MAINPID is warned about
   * once per pid and run, and a refused pidfile fails the start.
   */
  #attach(r: Runtime, pid: number, via: "MAINPID" | "pidfile"): void {
    const name = r.spec.name;
    const refusal = refusalFor(r, pid, this.#rt.values(), this.#deps.processes);
    if (refusal === undefined) {
      this.dispatch(name, { type: "main-pid", pid });
      return;
    }
    const error = `${name} attempted to attach the process with PID=${pid} but ${refusal}`;
    if (via === "pidfile") {
      this.dispatch(name, { type: "pidfile-error", error });
    } else if (!r.refusedPids.has(pid)) {
      r.refusedPids.add(pid);
      this.#log.warn(error);
    }
  }

  /**
   * Follows the main pid the machine just took on. Our own child's exit comes from its status;
   * an orphan's from the reaper; one that someone else collects ends with an unknown status.
   */
  #followMain(r: Runtime): void {
    const pid = r.snap.mainPid;
    if (pid === undefined || pid === r.snap.pid) return;
    const name = r.spec.name;
    const { clock, processes } = this.#deps;
    watchAttached({ clock, processes, active: () => r.snap.mainPid === pid }, pid, () => {
      this.#logFor(r).info(
        `${name} main process PID=${pid} ended; its exit status is unknown (not Chaperone's child)`,
      );
      this.dispatch(name, { type: "exited", pid, status: UNKNOWN_EXIT });
      this.#checkExit();
    });
  }

  /** Starts a cron schedule or an inetd listener; answers `ready` or `spawn-failed`. */
  #schedule(r: Runtime): void {
    const name = r.spec.name;
    try {
      if (r.spec.type === "cron") {
        const interval = r.spec.interval ?? "";
        r.cronJob = this.#deps.cron.schedule(interval, () => {
          if (this.#shuttingDown || !r.enabled) return;
          this.dispatch(name, { type: "cron-tick" });
        });
        this.#logFor(r).info(`cron service ${name} scheduled using interval spec '${interval}'`);
      } else if (r.spec.type === "inetd") {
        const port = r.spec.port ?? 0;
        r.listener = this.#deps.inetd.listen(port, (conn) => this.#inetdConnection(r, conn));
        this.#log.info(`inetd service ${name} listening on port ${port}`);
      }
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      const error = r.spec.type === "inetd"
        ? `inetd service ${name} cannot listen: ${why}`
        : `cron service ${name} cannot be scheduled: ${why}`;
      this.dispatch(name, { type: "spawn-failed", error, notFound: false });
      return;
    }
    this.dispatch(name, { type: "ready" });
  }

  #inetdConnection(r: Runtime, conn: InetdConnection): void {
    serveInetdConnection(conn, {
      name: r.spec.name,
      port: r.spec.port ?? 0,
      logger: this.#log,
      accepting: !this.#shuttingDown && r.enabled && r.listener !== undefined,
      request: () => ({
        argv: this.#resolveArgv(r),
        env: this.#deps.envFor(r.spec, {
          serial: ++this.#serial,
          time: wallSeconds(),
        }),
        cwd: serviceCwd(r.spec),
        uid: r.spec.user?.uid,
        gid: r.spec.user?.gid,
      }),
      children: r.inetdChildren,
      onExit: () => this.#checkExit(),
    });
  }

  /** Messages about cron services carry facility `cron` (spec §4.3). */
  #logFor(r: Runtime): Logger {
    return r.spec.type === "cron" ? this.#log.withFacility(Facility.CRON) : this.#log;
  }

  #settled(r: Runtime, ok: boolean, reason: string | undefined): void {
    const name = r.spec.name;
    if (ok) this.#log.debug(`${name} successfully started`);
    else {
      this.#log.debug(`${name} received exception during attempted start. Exception: ${reason}`);
      if (!r.snap.initial) this.#log.error(`${name} failed to start: ${reason}`);
    }
    for (const w of r.settleWaiters.splice(0)) w({ ok, reason });
    if (this.#startupPending.delete(name)) {
      if (!ok && !this.#startupFailure) this.#startupFailure = reason ?? `${name} failed`;
      if (this.#startupFailure && !this.#shuttingDown) {
        this.#log.crit(`system startup cancelled due to error: ${this.#startupFailure}`);
        this.shutdown({ code: 1, reason: this.#startupFailure });
      }
      if (this.#startupPending.size === 0) this.#startupComplete();
    }
    this.#evaluateWaiting();
  }

  #startupComplete(): void {
    this.#startupDone = true;
    if (this.#shuttingDown) return;
    this.#log.info("all services started");
    this.#host.send("READY=1");
    this.#host.startStatus(this.#deps.statusInterval, () => this.statusLine());
    this.#checkExit();
  }

  /** The STATUS= text sent to the host (spec 5.12). */
  statusLine(): string {
    return hostStatus(this.uptime(), [...this.#rt.values()].map((r) => r.snap.state));
  }

  // ---------------------------------------------------------------- ending

  #endService(name: string, event: ServiceEvent): Promise<void> {
    const r = this.#rt.get(name);
    if (!r) return Promise.resolve();
    const done = new Promise<void>((resolve) => r.stopWaiters.push(resolve));
    this.dispatch(name, event);
    if (r.snap.state !== "stopping") {
      for (const w of r.stopWaiters.splice(0)) w();
    }
    return done;
  }

  /** Detect-exit (spec 5.9): with nothing left running, the system ends by itself. */
  #checkExit(): void {
    if (!this.#startupDone) return;
    if (this.#shuttingDown) {
      this.#advanceShutdown();
      return;
    }
    if (!this.#deps.detectExit) return;
    const views = [...this.#rt.values()].map((r) => {
      const { state, pid, mainPid } = r.snap;
      return { name: r.spec.name, state, pid, mainPid, inetdRunning: r.inetdChildren.size };
    });
    const verdict = exitVerdict(views, () => this.#deps.processes.hasChildren());
    switch (verdict.type) {
      case "busy":
        return;
      case "scheduled":
        if (!this.#remainActiveWarned) {
          this.#remainActiveWarned = true;
          this.#log.warn(
            `system will remain active since there are scheduled services: ${
              verdict.names.join(", ")
            }`,
          );
        }
        return;
      case "exit": {
        this.#log.debug("no child processes present");
        const code = this.#consoleExit ? toExitCode(this.#consoleExit) : 0;
        this.shutdown({ code, reason: "all processes exited" });
        return;
      }
      default: {
        const _exhaustive: never = verdict;
        throw new TypeError(`unknown verdict ${JSON.stringify(_exhaustive)}`);
      }
    }
  }

  #advanceShutdown(): void {
    if (!this.#shuttingDown || this.#ending === undefined) return;
    const { stop, anyLive } = shutdownStep(
      this.#deps.graph.order,
      (name) => this.#deps.graph.dependentsOf(name),
      (name) => {
        const r = this.#rt.get(name);
        if (!r) return undefined;
        const { state, pid, mainPid } = r.snap;
        return { state, pid, mainPid, inetdRunning: r.inetdChildren.size };
      },
    );
    for (const name of stop) {
      // Every dispatch comes back here before the queued stops run; without this guard each
      // call would queue another stop for every service still running (quadratic at 500).
      if (this.#stopQueued.has(name)) continue;
      this.#stopQueued.add(name);
      queueMicrotask(() => {
        this.#stopQueued.delete(name);
        this.dispatch(name, { type: "stop" });
      });
    }
    if (anyLive || this.#sweeping) return;
    this.#sweeping = true;
    finalSweep({
      clock: this.#deps.clock,
      processes: this.#deps.processes,
      logger: this.#log,
      isPid1: this.#deps.isPid1,
      killAll: (signo) => this.#deps.killAll(signo),
      shutdownTimeout: this.#deps.shutdownTimeout,
      shutdownStartedAt: this.#shutdownStartedAt,
      onDone: () => this.#final(),
    });
  }

  #killEverything(): void {
    for (const r of this.#rt.values()) {
      this.#signal(signalPlan({ ...r.snap, pgid: r.pgid }, SIGKILL, false));
    }
    if (this.#deps.isPid1) this.#deps.killAll(SIGKILL);
  }

  #signal(plan: readonly SignalTarget[]): void {
    for (const t of plan) this.#deps.processes.signal(t.pid, t.signo, { group: t.group });
  }

  #final(): void {
    if (!this.#ending) return;
    const ending = this.#ending;
    for (const r of this.#rt.values()) {
      r.timers.cancelAll();
      r.notify?.close();
      r.notify = undefined;
    }
    this.#log.debug("Final termination phase.");
    this.#finish(ending);
  }
}
