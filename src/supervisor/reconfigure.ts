/**
 * Carries out the plan of a `ctl reload` (system/reload_plan.ts) on the running supervisor:
 * services that go away or must restart are stopped first, dependents before their
 * prerequisites (the old graph's order, as in a shutdown); then the services, the graph and the
 * live settings are swapped in one synchronous step; then what must run is started, its
 * prerequisites first (the new graph). A service that is kept keeps its runtime record: its
 * process, its restart counts, its history.
 */
import type { ServiceSpec } from "../config/schema.ts";
import { isLive, type ServiceEvent } from "../service/state.ts";
import type { DependencyGraph } from "../system/graph.ts";
import type { ReloadPlan, ServicePlan } from "../system/reload_plan.ts";
import type { ServiceCommands } from "./commands.ts";
import { machineSpecOf, type ServiceRuntime } from "./runtime.ts";

/** The settings a running supervisor takes at once. */
export interface LiveSettings {
  readonly shutdownTimeout: number; // s
  readonly detectExit: boolean;
  readonly idleDelay: number; // s
}

/** The configuration the plan leads to. */
export interface ReloadTarget {
  readonly services: readonly ServiceSpec[];
  readonly graph: DependencyGraph;
  readonly settings: LiveSettings;
}

/** What carrying out a plan needs from the supervisor. */
export interface ReconfigureContext {
  readonly runtimes: Map<string, ServiceRuntime>;
  graph(): DependencyGraph;
  /** Swaps the graph and the live settings (one synchronous step with the runtimes). */
  swap(graph: DependencyGraph, settings: LiveSettings): void;
  createRuntime(spec: ServiceSpec): ServiceRuntime;
  readonly commands: ServiceCommands;
  dispatch(name: string, event: ServiceEvent): void;
  shutdownTimeout(): number;
}

/** Applies `plan`; resolves once what had to stop has stopped and what must run was started. */
export async function applyReload(
  ctx: ReconfigureContext,
  plan: ReloadPlan,
  target: ReloadTarget,
): Promise<void> {
  const byName = new Map(target.services.map((s) => [s.name, s]));
  const ending = plan.services.filter((p) =>
    p.kind === "stop" || (p.kind === "restart" && ctx.runtimes.has(p.name))
  );
  await stopInOrder(ctx, ending.map((p) => p.name));

  const timeoutChanged = target.settings.shutdownTimeout !== ctx.shutdownTimeout();
  for (const p of plan.services) swapService(ctx, p, byName.get(p.name));
  ctx.swap(target.graph, target.settings);
  if (timeoutChanged) {
    // Every service's stop timeout is the shutdown timeout.
    for (const r of ctx.runtimes.values()) {
      r.machine = machineSpecOf(r.spec, target.settings.shutdownTimeout);
    }
  }

  const starting = plan.services.filter((p) => p.kind === "start" || p.kind === "restart")
    .map((p) => p.name);
  if (starting.length > 0) {
    const started = ctx.commands.start(starting, { force: true });
    // Nobody waits for the settle here: a service that fails to start fails as configured,
    // and its failure is logged like any start's.
    if (started.ok) started.done.catch(() => {});
  }
}

/** Stops `names`, a service only once every one of them that depends on it has stopped. */
async function stopInOrder(ctx: ReconfigureContext, names: readonly string[]): Promise<void> {
  const left = new Set(names.filter((n) => ctx.runtimes.has(n)));
  const graph = ctx.graph();
  while (left.size > 0) {
    const wave = [...left].filter((n) => graph.dependentsOf(n).every((d) => !left.has(d)));
    // A cycle cannot happen in a graph that was built; stop the rest together if it did.
    const now = wave.length > 0 ? wave : [...left];
    const live = now.filter((n) => isLive(ctx.runtimes.get(n)!.snap));
    if (live.length > 0) {
      const stopped = ctx.commands.stop(live, { force: true });
      if (stopped.ok) await stopped.done;
    }
    for (const n of now) left.delete(n);
  }
}

/** Puts the new spec of one service in place (a new runtime, or the old one respecified). */
function swapService(ctx: ReconfigureContext, p: ServicePlan, spec: ServiceSpec | undefined) {
  const old = ctx.runtimes.get(p.name);
  if (spec === undefined) {
    // Removed: its runtime goes (its timers and notify socket with it).
    if (old) {
      old.timers.cancelAll();
      old.notify?.close();
      old.probes.clear();
      ctx.runtimes.delete(p.name);
    }
    return;
  }
  if (!old) {
    ctx.runtimes.set(p.name, ctx.createRuntime(spec));
    return;
  }
  if (p.kind === "keep") return;
  if (p.kind === "restart") {
    ctx.runtimes.set(p.name, ctx.createRuntime(spec));
    return;
  }
  // Updated in place: the same record (process, counts, history), the new directives.
  const budget = spec.restartLimit - old.spec.restartLimit;
  old.spec = spec;
  old.machine = machineSpecOf(spec, ctx.shutdownTimeout());
  if (budget !== 0) ctx.dispatch(p.name, { type: "budget-changed", by: budget });
  if (old.snap.enabled !== spec.enabled) {
    ctx.dispatch(p.name, { type: spec.enabled ? "enable" : "disable" });
  }
}
