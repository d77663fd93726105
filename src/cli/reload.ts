/**
 * `ctl reload` (docs/ctl.md): reads the configuration again from where the run read it, with
 * the same command-line options and through the same pipeline as a start and `chaperone check`;
 * with any error nothing changes and every error is the reply. Otherwise it plans the change
 * (system/reload_plan.ts) and, unless it is a dry run, replaces the logging sections and has the
 * supervisor carry the plan out. One reload at a time: a second one waits for the first.
 */
import { type Config, ConfigError, ConfigErrors } from "../config/mod.ts";
import type { ServiceSpec } from "../config/schema.ts";
import type { LoggingSpec } from "../config/schema.ts";
import { DependencyGraph } from "../system/graph.ts";
import { formatPlan, planReload } from "../system/reload_plan.ts";
import type { Supervisor } from "../supervisor/supervisor.ts";
import { errorMessage } from "../text/error_message.ts";

/** What a reload needs from the run. */
export interface ReloaderOptions {
  /** Loads the configuration as the run did (same path, same options). */
  load(): Promise<Config>;
  /** The configuration the run is in now. */
  readonly config: Config;
  /** Services that do not come from the configuration (the command line's CONSOLE). */
  readonly extraServices: readonly ServiceSpec[];
  readonly supervisor: Supervisor;
  readonly router: {
    reconfigure(specs: readonly LoggingSpec[]): Promise<{ opened: string[]; closed: string[] }>;
  };
  /** Logs a line about the reload. */
  log(message: string): void;
}

/** The reply of one reload: the plan's lines, or every error. */
export type ReloadReply = { ok: true; lines: string[] } | { ok: false; error: string };

/** Builds the reload function of a run. */
export function createReloader(
  options: ReloaderOptions,
): (dryRun: boolean) => Promise<ReloadReply> {
  let current = options.config;
  let running: Promise<unknown> = Promise.resolve();
  const reload = async (dryRun: boolean): Promise<ReloadReply> => {
    if (options.supervisor.shuttingDown) {
      return {
        ok: false,
        error: "the system is shutting down: the configuration cannot be reloaded",
      };
    }
    let next: Config;
    try {
      // A start takes a missing path for an empty configuration; a reload must not take a
      // volume that is briefly away (a ConfigMap being swapped) for "stop everything".
      await Deno.stat(current.path);
      next = await options.load();
    } catch (err) {
      if (err instanceof ConfigErrors) {
        return { ok: false, error: err.errors.map((e) => e.message).join("\n") };
      }
      if (err instanceof ConfigError) return { ok: false, error: err.message };
      if (err instanceof Deno.errors.NotFound) {
        return {
          ok: false,
          error: `${current.path}: the configuration path is gone; nothing changed`,
        };
      }
      return { ok: false, error: `the configuration could not be read: ${errorMessage(err)}` };
    }
    const services = [...next.services, ...options.extraServices];
    let graph: DependencyGraph;
    try {
      graph = DependencyGraph.from(services);
    } catch (err) {
      return { ok: false, error: errorMessage(err) };
    }
    const sup = options.supervisor;
    const plan = planReload(
      { ...current, services: [...current.services, ...options.extraServices] },
      { ...next, services },
      (name) => sup.view(name)?.snap,
    );
    const lines = formatPlan(plan);
    if (dryRun) return { ok: true, lines };
    options.log(`reloading the configuration from ${next.path}: ${lines.join("; ")}`);
    await options.router.reconfigure(next.logging);
    await sup.reconfigure(plan, {
      services,
      graph,
      settings: {
        shutdownTimeout: next.settings.shutdownTimeout,
        detectExit: next.settings.detectExit,
        idleDelay: next.settings.idleDelay,
      },
    });
    current = next;
    return { ok: true, lines };
  };
  return (dryRun) => {
    const result = running.then(() => reload(dryRun));
    running = result.catch(() => {});
    return result;
  };
}
