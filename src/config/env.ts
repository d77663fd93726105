/**
 * Environments as a chain: the process environment, then `settings` env, then each service's or
 * logging section's env (docs/environment.md, "Building an environment"). Each level keeps raw
 * values; expansion happens on demand (`expanded()`, cached until the environment changes), so
 * spawn-time variables such as `_CHAP_SERVICE_SERIAL` can still be referred to by templates written
 * at any level.
 *
 * Every raw value remembers whether it was written in the configuration. Only those may run
 * backticks (Decision 9 in docs/migration.md); values inherited from the process or from
 * /etc/passwd never do.
 */
import type { EnvSpec, ServiceSpec } from "./schema.ts";
import type { Credentials } from "../users/credentials.ts";
import { BacktickRunner, expandAll, expandDirective, type ExpansionScope } from "./expand.ts";
import { globMatchAny } from "./glob.ts";

/** Options for {@linkcode Environment.fromRecord}. */
export interface EnvironmentOptions {
  /** Runs backticks for this environment and every environment derived from it. */
  readonly backticks?: BacktickRunner;
  /** User and group backticks run as (and that derived levels inherit). */
  readonly uid?: number;
  readonly gid?: number;
}

/** Options for {@linkcode Environment.derive}. */
export interface DeriveOptions {
  /** The level's user: sets uid/gid, and HOME, USER and LOGNAME when the user exists. */
  readonly user?: Credentials;
}

interface State {
  readonly vars: Map<string, string>;
  readonly configured: Set<string>;
  readonly shadow: Map<string, Environment>;
  readonly uid: number | undefined;
  readonly gid: number | undefined;
  readonly backticks: BacktickRunner;
}

let defaultRunner: BacktickRunner | undefined;

/** One level of the environment chain: raw variables, their origin, user ids and shadows. */
export class Environment {
  #vars: Map<string, string>;
  #configured: Set<string>;
  /** For each variable set by env_set somewhere up the chain: the environment it overrode. */
  #shadow: Map<string, Environment>;
  #uid: number | undefined;
  #gid: number | undefined;
  #backticks: BacktickRunner;
  #expanded: Map<string, string> | undefined;

  /** The root of a chain, from variables that did not come from the configuration. */
  constructor(vars: Readonly<Record<string, string>> = {}, opts: EnvironmentOptions = {}) {
    defaultRunner ??= new BacktickRunner();
    this.#vars = new Map(Object.entries(vars));
    this.#configured = new Set();
    this.#shadow = new Map();
    this.#uid = opts.uid;
    this.#gid = opts.gid;
    this.#backticks = opts.backticks ?? defaultRunner;
  }

  /** The root of a chain (same as the constructor): e.g. `Environment.fromRecord(Deno.env.toObject())`. */
  static fromRecord(
    vars: Readonly<Record<string, string>>,
    opts: EnvironmentOptions = {},
  ): Environment {
    return new Environment(vars, opts);
  }

  static #create(state: State): Environment {
    const env = new Environment();
    env.#vars = state.vars;
    env.#configured = state.configured;
    env.#shadow = state.shadow;
    env.#uid = state.uid;
    env.#gid = state.gid;
    env.#backticks = state.backticks;
    return env;
  }

  /** The next level down: inherit globs, user variables, env_set (raw) and env_unset. */
  derive(spec: EnvSpec, opts: DeriveOptions = {}): Environment {
    const user = opts.user;
    const vars = new Map<string, string>();
    const configured = new Set<string>();
    // An empty env_inherit list means everything, as in the original.
    const inherit = spec.inherit.length > 0 ? spec.inherit : ["*"];
    for (const [name, value] of this.#vars) {
      if (!globMatchAny(name, inherit)) continue;
      vars.set(name, value);
      if (this.#configured.has(name)) configured.add(name);
    }
    if (user !== undefined) {
      const userVars: [string, string | undefined][] = [
        ["HOME", user.home],
        ["USER", user.name],
        ["LOGNAME", user.name],
      ];
      for (const [name, value] of userVars) {
        if (value === undefined) continue;
        vars.set(name, value);
        configured.delete(name);
      }
    }
    const setEntries = Object.entries(spec.set);
    const changesShadow = setEntries.length > 0 || spec.unset.length > 0;
    const shadow = changesShadow ? new Map(this.#shadow) : this.#shadow;
    for (const [name, value] of setEntries) {
      // Self-references (`PATH: /x:$(PATH)`) read the value from the level this one overrides.
      if (this.#vars.has(name)) shadow.set(name, this);
      vars.set(name, value);
      configured.add(name);
    }
    if (spec.unset.length > 0) {
      for (const name of [...vars.keys()]) {
        if (globMatchAny(name, spec.unset)) {
          vars.delete(name);
          configured.delete(name);
        }
      }
      for (const name of [...shadow.keys()]) {
        if (globMatchAny(name, spec.unset)) shadow.delete(name);
      }
    }
    return Environment.#create({
      vars,
      configured,
      shadow,
      uid: user !== undefined ? user.uid : this.#uid,
      gid: user !== undefined ? user.gid : this.#gid,
      backticks: this.#backticks,
    });
  }

  /** A copy with one variable set by chaperone itself (`_CHAP_SERVICE`, `NOTIFY_SOCKET`, ...). */
  with(name: string, value: string): Environment {
    const vars = new Map(this.#vars).set(name, value);
    const configured = new Set(this.#configured);
    configured.delete(name);
    return Environment.#create({ ...this.#state(), vars, configured });
  }

  /**
   * A new environment holding this one's expanded values plus `name=value`, for a second expansion
   * pass (NOTIFY_SOCKET, step 6 of docs/environment.md, "Building an environment"). Nothing in it
   * runs backticks again.
   */
  withExpanded(name: string, value: string): Environment {
    const vars = new Map(this.#expandedMap()).set(name, value);
    return Environment.#create({ ...this.#state(), vars, configured: new Set() });
  }

  /** User id backticks run as (and that processes of this level run as), if any. */
  get uid(): number | undefined {
    return this.#uid;
  }

  /** Group id that goes with {@linkcode Environment.uid}. */
  get gid(): number | undefined {
    return this.#gid;
  }

  /** The raw (unexpanded) value of `name`. */
  get(name: string): string | undefined {
    return this.#vars.get(name);
  }

  /** Whether `name` is defined at this level (an empty value counts). */
  has(name: string): boolean {
    return this.#vars.has(name);
  }

  /** The raw variables. */
  raw(): Record<string, string> {
    return Object.fromEntries(this.#vars);
  }

  /**
   * Every variable fully expanded (cycles stop as docs/environment.md says); throws ExpansionError.
   */
  expanded(): Record<string, string> {
    return Object.fromEntries(this.#expandedMap());
  }

  /** Expands directive text against {@linkcode Environment.expanded}; throws ExpansionError. */
  expand(text: string): string {
    return expandDirective(text, this.#expandedMap(), { runBacktick: this.#runBacktick });
  }

  /** What a process sees: expanded, without names starting with `_` and without empty values. */
  publicEnv(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [name, value] of this.#expandedMap()) {
      if (!name.startsWith("_") && value !== "") out[name] = value;
    }
    return out;
  }

  #state(): State {
    return {
      vars: this.#vars,
      configured: this.#configured,
      shadow: this.#shadow,
      uid: this.#uid,
      gid: this.#gid,
      backticks: this.#backticks,
    };
  }

  #expandedMap(): Map<string, string> {
    this.#expanded ??= expandAll(this.#scope());
    return this.#expanded;
  }

  readonly #runBacktick = (command: string): string =>
    this.#backticks.run(command, { uid: this.#uid, gid: this.#gid });

  #scope(): ExpansionScope {
    return {
      vars: this.#vars,
      configured: this.#configured,
      shadow: (name) => {
        const overridden = this.#shadow.get(name);
        return overridden === undefined ? undefined : overridden.#expandedMap().get(name);
      },
      runBacktick: this.#runBacktick,
    };
  }
}

/**
 * A service's environment without the spawn-time variables (steps 1–5 of docs/environment.md,
 * "Building an environment", but for `_CHAP_SERVICE_SERIAL` and `_CHAP_SERVICE_TIME`): the settings
 * level, the service's user and env directives, then `_CHAP_SERVICE`. The run spawns with it and
 * `chaperone check` resolves the service's program against its PATH.
 */
export function serviceEnvironment(
  settingsEnv: Environment,
  spec: Pick<ServiceSpec, "name" | "env" | "user">,
): Environment {
  return settingsEnv.derive(spec.env, spec.user ? { user: spec.user } : {}).with(
    "_CHAP_SERVICE",
    spec.name,
  );
}
