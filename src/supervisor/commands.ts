/**
 * The run-time commands on services (docs/ctl.md): start, stop, reset, restart, enable and
 * disable. Each returns at once, refused with the reply's text or accepted with a promise of
 * its outcome; whether a command may act is decided by the pure rules of
 * service/commands.ts and, during a shutdown, by the system machine. Everything a command
 * changes goes through `dispatch`.
 */
import { type CommandOptions, commandRefusal, type ServiceCommand } from "../service/commands.ts";
import { isLive, isSatisfied, isStarting, type ServiceEvent } from "../service/state.ts";
import type { DependencyGraph } from "../system/graph.ts";
import type { ServiceRuntime, SettleResult } from "./runtime.ts";
import { errorMessage } from "../text/error_message.ts";

/** A command refused (`error` is the reply), or accepted with the promise of its outcome. */
export type CommandResult<T> =
  | { readonly ok: true; readonly done: Promise<T> }
  | { readonly ok: false; readonly error: string };

/** What the commands need from the supervisor. */
export interface CommandContext {
  runtime(name: string): ServiceRuntime | undefined;
  graph(): DependencyGraph;
  dispatch(name: string, event: ServiceEvent): void;
  /** Why nothing may be started now (a shutdown has begun), or undefined. */
  startRefusal(): string | undefined;
  /** Resolves the service's program as a spawn would; throws naming it when it cannot. */
  verifyExecutable(r: ServiceRuntime): void;
}

/** The commands of one supervisor. */
export class ServiceCommands {
  #ctx: CommandContext;

  constructor(ctx: CommandContext) {
    this.#ctx = ctx;
  }

  /** Starts services (their enabled prerequisites first); `done` gives each one's settle. */
  start(names: readonly string[], options: CommandOptions = {}): CommandResult<SettleResult[]> {
    const refused = this.#refusal("start", names, options, true);
    if (refused) return refused;
    const disabled = names.filter((n) => !this.#rt(n).snap.enabled);
    if (options.enable && disabled.length > 0) {
      const enabled = this.enable(disabled);
      if (!enabled.ok) return enabled;
    }
    const started = options.force ? names.filter((n) => this.#rt(n).snap.state !== "idle") : [];
    const done = Promise.all(started.map((n) => this.#end(n, { type: "reset" })))
      .then(() => Promise.all(names.map((n) => this.#startOne(n))));
    return { ok: true, done };
  }

  /** Stops services (with `disable`, disables them once stopped). */
  stop(names: readonly string[], options: CommandOptions & { disable?: boolean | undefined } = {}) {
    const refused = this.#refusal("stop", names, options, false);
    if (refused) return refused;
    const stop = { type: "stop", operator: true } as const;
    const done = Promise.all(names.map((n) => this.#end(n, stop))).then(() => {
      if (options.disable) { for (const n of names) this.#ctx.dispatch(n, { type: "disable" }); }
    });
    return { ok: true, done } as const;
  }

  /** Resets services: stops what runs; a finished or failed service becomes startable again. */
  reset(names: readonly string[], options: CommandOptions = {}): CommandResult<void> {
    const refused = this.#refusal("reset", names, options, false);
    if (refused) return refused;
    const done = Promise.all(names.map((n) => this.#end(n, { type: "reset" }))).then(() => {});
    return { ok: true, done };
  }

  /** Stops what runs (a finished oneshot or a failed service is reset), then starts again. */
  restart(names: readonly string[], options: CommandOptions = {}): CommandResult<SettleResult[]> {
    const refused = this.#refusal("restart", names, options, true);
    if (refused) return refused;
    const done = Promise.all(
      names.map((n) =>
        this.#end(n, isLive(this.#rt(n).snap) ? { type: "stop" } : { type: "reset" })
      ),
    ).then(() => Promise.all(names.map((n) => this.#startOne(n))));
    return { ok: true, done };
  }

  /**
   * `ctl run`: runs cron jobs now, outside their schedule. The overlap rule of a tick holds: a
   * job whose run is still in progress is refused (nothing is started then).
   */
  run(names: readonly string[]): CommandResult<void> {
    const system = this.#ctx.startRefusal();
    if (system) return { ok: false, error: system };
    for (const n of names) {
      const r = this.#rt(n);
      const name = n.replace(/\.service$/, "");
      if (r.spec.type !== "cron") return { ok: false, error: `${name} is not a cron service` };
      if (r.snap.state === "job-running" || r.snap.state === "job-stopping") {
        return { ok: false, error: `${name} is still running: its job was not started again` };
      }
      if (r.snap.state !== "scheduled") {
        return { ok: false, error: `${name} is not scheduled (start it first)` };
      }
    }
    for (const n of names) this.#ctx.dispatch(n, { type: "cron-tick", manual: true });
    return { ok: true, done: Promise.resolve() };
  }

  /** Enables services; refused when a program cannot be found (nothing is enabled then). */
  enable(names: readonly string[]): CommandResult<void> {
    try {
      for (const n of names) this.#ctx.verifyExecutable(this.#rt(n));
    } catch (err) {
      return { ok: false, error: errorMessage(err) };
    }
    for (const n of names) this.#ctx.dispatch(n, { type: "enable" });
    return { ok: true, done: Promise.resolve() };
  }

  /** Disables services (what runs keeps running). */
  disable(names: readonly string[]): CommandResult<void> {
    for (const n of names) this.#ctx.dispatch(n, { type: "disable" });
    return { ok: true, done: Promise.resolve() };
  }

  #rt(name: string): ServiceRuntime {
    const r = this.#ctx.runtime(name);
    if (!r) throw new RangeError(`no such service: ${name}`);
    return r;
  }

  #refusal(
    command: ServiceCommand,
    names: readonly string[],
    options: CommandOptions,
    starts: boolean,
  ): { readonly ok: false; readonly error: string } | undefined {
    const system = starts ? this.#ctx.startRefusal() : undefined;
    const error = system ??
      commandRefusal(command, names.map((n) => this.#rt(n).snap), options);
    return error === undefined ? undefined : { ok: false, error };
  }

  /** Starts one service and its enabled prerequisites that are idle; resolves with its settle. */
  #startOne(name: string): Promise<SettleResult> {
    const r = this.#rt(name);
    let resolveDone!: (result: SettleResult) => void;
    const done = new Promise<SettleResult>((resolve) => resolveDone = resolve);
    r.settleWaiters.push(resolveDone);
    this.#startWithPrerequisites(name, new Set());
    const state = r.snap.state;
    if (state !== "waiting" && !isStarting(state)) {
      // Settled already, or not startable: nothing to wait for, so drop the waiter.
      r.settleWaiters = r.settleWaiters.filter((w) => w !== resolveDone);
      return Promise.resolve({ ok: isSatisfied(state) || state === "backoff" });
    }
    return done;
  }

  #startWithPrerequisites(name: string, seen: Set<string>): void {
    if (seen.has(name)) return;
    seen.add(name);
    const r = this.#ctx.runtime(name);
    if (!r || !r.snap.enabled) return;
    for (const p of this.#ctx.graph().prerequisitesOf(name)) {
      const pr = this.#ctx.runtime(p);
      if (pr && pr.snap.enabled && pr.snap.state === "idle") this.#startWithPrerequisites(p, seen);
    }
    if (r.snap.state === "idle") this.#ctx.dispatch(name, { type: "start", initial: false });
  }

  /** Stops or resets one service; resolves once its processes are gone. */
  #end(name: string, event: ServiceEvent): Promise<void> {
    const r = this.#rt(name);
    const done = new Promise<void>((resolve) => r.stopWaiters.push(resolve));
    this.#ctx.dispatch(name, event);
    const state = r.snap.state;
    if (state !== "stopping" && state !== "job-stopping") {
      for (const w of r.stopWaiters.splice(0)) w();
    }
    return done;
  }
}
