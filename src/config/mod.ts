/**
 * The configuration pipeline: locate and parse files → merge → validate → resolve. Callers get a
 * Config, or every problem at once (ConfigErrors); `chaperone check` uses checkConfig to print
 * them without throwing.
 */
import { lookupGroup, lookupUser } from "../process/users.ts";
import { type ConfigError, ConfigErrors } from "./config_error.ts";
import { loadConfigFiles } from "./load.ts";
import { mergeConfigFiles } from "./merge.ts";
import type { UserDirectory } from "../users/credentials.ts";
import { resolveConfig } from "./resolve.ts";
import type { Config } from "./schema.ts";
import type { BacktickRunner } from "./expand.ts";
import { validateConfig } from "./validate.ts";

/** Options of loadConfig and checkConfig (from the command line and the process). */
export interface LoadConfigOptions {
  /** Chaperone's own environment; `_CHAP_CONFIG_DIR` is added when the path exists. */
  readonly env: Readonly<Record<string, string>>;
  /** `--user` (or the `--create-user` name): default uid, and the base of a relative path. */
  readonly user?: string;
  readonly extraSettings?: { ignore_failures?: boolean; enable_syslog?: boolean };
  readonly disableServices?: boolean;
  /** `--no-console-log`: drops `stdout`/`stderr` from logging sections, and the default one. */
  readonly noConsoleLog?: boolean;
  /**
   * `--task`: no default console logging section when none is configured (Decision 19 in
   * docs/migration.md).
   */
  readonly noDefaultLogging?: boolean;
  /** Runs and caches backtick expansions (pass the run's runner so errors are logged). */
  readonly backticks?: BacktickRunner;
  /** Root holding etc/passwd and etc/group (tests); default `/`. */
  readonly usersRoot?: string;
  onWarning?(message: string): void;
}

/** What checkConfig found: the configuration when there were no errors, and all problems. */
export interface CheckResult {
  readonly config?: Config;
  /**
   * What did resolve even when there were errors (sections with problems left out), so that
   * `chaperone check` can go on to check the programs of the services that are fine.
   */
  readonly partial?: Config;
  readonly errors: readonly ConfigError[];
  /** The files read, in order. */
  readonly files: readonly string[];
}

function userDirectory(root: string | undefined): UserDirectory {
  const options = root === undefined ? {} : { root };
  return {
    lookupUser: (nameOrId) => lookupUser(nameOrId, options),
    lookupGroup: (nameOrId) => lookupGroup(nameOrId, options),
  };
}

/** Section name of a validation error (`web.service: command` → `web.service`). */
function sectionOf(error: ConfigError): string | undefined {
  return error.section ?? error.directive?.split(": ")[0];
}

/**
 * Resolves `--config` (docs/configuration.md, "Where the configuration comes from"): an absolute
 * path as is; a relative one against the home of the `--user` user, or against `/`.
 */
export function configPathFor(path: string, home: string | undefined): string {
  if (path.startsWith("/")) return path;
  const base = home ?? "/";
  return `${base.endsWith("/") ? base : `${base}/`}${path}`;
}

/** Runs the whole pipeline and returns every problem instead of throwing. */
export async function checkConfig(path: string, opts: LoadConfigOptions): Promise<CheckResult> {
  const users = userDirectory(opts.usersRoot);
  const home = opts.user === undefined ? undefined : users.lookupUser(opts.user)?.home;
  const resolvedPath = configPathFor(path, home);
  const loaded = await loadConfigFiles(resolvedPath, {
    ...(opts.onWarning ? { onWarning: opts.onWarning } : {}),
  });
  if (loaded.errors.length > 0) return { errors: loaded.errors, files: loaded.files };

  const raw = mergeConfigFiles(loaded.parsed);
  const structural = validateConfig(raw, opts.onWarning ? { onWarning: opts.onWarning } : {});
  const skipSections = new Set(
    structural.map(sectionOf).filter((s): s is string => s !== undefined && s !== "settings"),
  );
  const env = loaded.configDir === undefined
    ? { ...opts.env }
    : { ...opts.env, _CHAP_CONFIG_DIR: loaded.configDir };
  const resolved = resolveConfig(raw, {
    env,
    users,
    skipSections,
    path: resolvedPath,
    ...(opts.user !== undefined ? { user: opts.user } : {}),
    ...(opts.extraSettings ? { extraSettings: opts.extraSettings } : {}),
    ...(opts.disableServices ? { disableServices: true } : {}),
    ...(opts.noConsoleLog ? { noConsoleLog: true } : {}),
    ...(opts.noDefaultLogging ? { noDefaultLogging: true } : {}),
    ...(opts.onWarning ? { onWarning: opts.onWarning } : {}),
    ...(opts.backticks ? { backticks: opts.backticks } : {}),
  });
  const errors = [...structural, ...resolved.errors];
  return errors.length > 0
    ? { partial: resolved.config, errors, files: loaded.files }
    : { config: resolved.config, partial: resolved.config, errors, files: loaded.files };
}

/** Loads, validates and resolves the configuration at `path`; throws ConfigErrors with all problems. */
export async function loadConfig(path: string, opts: LoadConfigOptions): Promise<Config> {
  const result = await checkConfig(path, opts);
  if (result.config === undefined) throw new ConfigErrors(result.errors);
  return result.config;
}

export { ConfigError, ConfigErrors } from "./config_error.ts";
export type { Config } from "./schema.ts";
