/**
 * Configuration types. Raw sections come straight from YAML (everything optional, as written);
 * resolved types carry every default applied once, so downstream code never writes `?? 3`.
 */

import type { Selector } from "../log/selector.ts";
import type { Credentials } from "../users/credentials.ts";
import type { Environment } from "./env.ts";
import type { ListenAddress } from "./listen_address.ts";

/** Where a directive was written: for error messages (`file:line: directive`). */
export interface SourcePos {
  readonly file: string;
  /** 1-based line, when known. */
  readonly line?: number;
}

/** Service types (`type` in docs/configuration.md). */
export type ServiceType = "simple" | "forking" | "oneshot" | "notify" | "cron" | "inetd";

/** A raw mapping of one section, keys as written. */
export type RawSection = Record<string, unknown>;

/** The merged configuration before validation: section name → raw directives, plus positions. */
export interface RawConfig {
  readonly sections: Map<string, RawSection>;
  /** Position of each section key, and of each directive as `section/directive`. */
  readonly positions: Map<string, SourcePos>;
  /** Files read, in order. */
  readonly files: readonly string[];
}

/** Environment configuration of one level (settings, a service, a logging section). */
export interface EnvSpec {
  readonly inherit: readonly string[];
  readonly set: Readonly<Record<string, string>>;
  readonly unset: readonly string[];
}

/** Resolved `settings:` (docs/configuration.md). */
export interface Settings {
  readonly env: EnvSpec;
  /** User name or number as written (never expanded). */
  readonly uid?: string;
  readonly gid?: string;
  readonly idleDelay: number; // seconds
  readonly ignoreFailures: boolean;
  /** Replaces every per-type default when set. */
  readonly processTimeout?: number; // seconds
  readonly startupPause: number; // seconds
  readonly shutdownTimeout: number; // seconds
  readonly enableSyslog: boolean;
  readonly detectExit: boolean;
  readonly debug: boolean;
  readonly logrecHostname?: string;
  readonly statusInterval: number; // seconds, 0 = off
  /** Mode of the control socket (ours; default 0o600, Decision 9 in docs/migration.md). */
  readonly controlSocketMode: number;
  /** Group allowed on the control socket (ours), name or number. */
  readonly controlSocketGroup?: string;
  /** Lines of each service's output kept for `ctl logs` (ours; 0 = off). */
  readonly logBufferLines: number;
  /** Where the HTTP endpoint for probes and metrics listens (ours; off when absent). */
  readonly httpListen?: ListenAddress;
}

/**
 * What `restart:` asks for (Decision 21 in docs/migration.md): `on-failure` (= `true`) after an
 * abnormal exit, `always` also after exit 0, `never` (= `false`).
 */
export type RestartPolicy = "on-failure" | "always" | "never";

/** Every RestartPolicy, in the order error messages list them. */
export const RESTART_POLICIES: readonly RestartPolicy[] = ["on-failure", "always", "never"];

/**
 * What one probe attempt checks (docs/configuration.md, "Probes"; Decision 22): a TCP connect,
 * an HTTP answer, a command's exit 0, a file's existence, or (`log`) a line of the service's own
 * output, which is watched rather than attempted.
 */
export type ProbeSource =
  | { readonly kind: "tcp"; readonly host: string; readonly port: number }
  | { readonly kind: "http"; readonly url: string }
  | { readonly kind: "exec"; readonly argv: readonly string[]; readonly command: string }
  | { readonly kind: "file"; readonly path: string }
  | { readonly kind: "log"; readonly pattern: string /* as written, expanded */ };

/** A resolved `ready_probe:` or `health_probe:`. */
export interface ProbeSpec {
  readonly source: ProbeSource;
  readonly intervalMs: number;
  readonly timeoutMs: number;
  /** health probes: consecutive failed attempts that count as an abnormal exit (1 for ready probes). */
  readonly failures: number;
  /** How the probe reads in log lines and status: `tcp 127.0.0.1:8080`, `http http://…`. */
  readonly description: string;
}

/** A resolved service (docs/configuration.md), directives already expanded. */
export interface ServiceSpec {
  /** Full name: `foo.service`, or `CONSOLE`. */
  readonly name: string;
  readonly type: ServiceType;
  /** The command as written after expansion. */
  readonly command: string;
  /** argv, split with shell-word rules (argv[0] not yet resolved against PATH). */
  readonly argv: readonly string[];
  readonly enabled: boolean;
  readonly optional: boolean;
  readonly ignoreFailures: boolean;
  readonly exitKills: boolean;
  /** True for the `on-failure` and `always` policies (`restart: true` is `on-failure`). */
  readonly restart: boolean;
  /** `restart:` as a policy (docs/configuration.md, "Restart policies and backoff"). */
  readonly restartPolicy: RestartPolicy;
  readonly restartLimit: number;
  readonly restartDelay: number; // seconds, may be fractional (Decision 7, docs/migration.md)
  /** Factor applied to the delay after each consecutive failure (>= 1; 1 = a fixed delay). */
  readonly restartBackoff: number;
  /** Seconds the growing delay never exceeds (`restart_delay_max`). */
  readonly restartDelayMax: number;
  /** Signal number sent to stop the service. */
  readonly killSignal: number;
  readonly processTimeout: number; // seconds
  readonly startupPause: number; // seconds
  /** notify services: seconds within which WATCHDOG=1 must arrive (ours; 0/absent = off). */
  readonly watchdogTimeout?: number;
  readonly pidfile?: string;
  readonly directory?: string;
  readonly stdout: "log" | "inherit";
  readonly stderr: "log" | "inherit";
  readonly interval?: string;
  readonly port?: number;
  /** Until it succeeds the service is not ready (`ready_probe`). */
  readonly readyProbe?: ProbeSpec;
  /** Checked while the service runs (`health_probe`). */
  readonly healthProbe?: ProbeSpec;
  /** Groups as written (`default` when none). */
  readonly groups: readonly string[];
  readonly after: readonly string[];
  readonly before: readonly string[];
  /** Credentials when a uid applies (service uid, else settings uid, else --user). */
  readonly user?: Credentials;
  readonly debug: boolean;
  /** Unexpanded environment chain for late (spawn-time) expansion. */
  readonly env: EnvSpec;
  /** Where the section was written. */
  readonly pos: SourcePos;
}

/**
 * How a logging section writes its lines (docs/logging.md, "Line formats"): `text` is the
 * original's syslog line; `json` one object per line; `logfmt` the same keys as `key=value`.
 */
export type LogFormat = "text" | "json" | "logfmt";

/** Every LogFormat, in the order error messages list them. */
export const LOG_FORMATS: readonly LogFormat[] = ["text", "json", "logfmt"];

/**
 * A resolved logging section (docs/configuration.md): expanded with the settings environment when
 * the configuration is loaded, its selector parsed, its owner looked up, so a bad section is a
 * configuration error that `chaperone check` reports like any other.
 */
export interface LoggingSpec {
  readonly name: string;
  readonly selector: Selector;
  /** File name pattern, expanded; strftime codes are applied when the file is opened. */
  readonly file?: string;
  readonly stdout: boolean;
  readonly stderr: boolean;
  readonly syslogHost?: string;
  /** false: the section has no outputs (its selector is still checked). */
  readonly enabled: boolean;
  readonly overwrite: boolean;
  readonly extended: boolean;
  /** The line format (`format:`, default `text`). */
  readonly format: LogFormat;
  readonly logrecHostname?: string;
  /** Owner of the files and directories the section creates (none, or 0: root's). */
  readonly uid?: number;
  readonly gid?: number;
  /**
   * The console section used when the configuration has none (Decision 19 in docs/migration.md).
   */
  readonly builtin?: boolean;
  readonly pos: SourcePos;
}

/** The whole validated configuration. */
export interface Config {
  readonly settings: Settings;
  /**
   * The settings-level environment (process environment, then settings' env_inherit/env_set/
   * env_unset and the settings user): the base every service and logging section derives from.
   */
  readonly settingsEnv: Environment;
  /**
   * The default user of services and logging sections: settings `uid` (with settings `gid`),
   * else `--user`/`--create-user`; none when neither names one.
   */
  readonly user?: Credentials;
  /** Services in merged-config order. */
  readonly services: readonly ServiceSpec[];
  readonly logging: readonly LoggingSpec[];
  /** The configuration path as resolved (`--config` against `/` or the user's home). */
  readonly path: string;
  /** Directory of the config path (`_CHAP_CONFIG_DIR`), when it exists. */
  readonly configDir?: string;
}
