/**
 * `ready_probe:` and `health_probe:` (docs/configuration.md, "Probes"; Decision 22 in
 * docs/migration.md): a mapping with exactly one source (`tcp`, `http`, `exec`, `file` or `log`)
 * and the options `interval`, `timeout` and, for a health probe, `failures`. Each value is
 * expanded with the service's environment first (`tcp: "$(PORT:-8080)"`), then parsed. Every
 * problem names the probe key it is about and that key's line. Which service types may have a
 * probe is checked with the other type rules in validate.ts.
 */
import type { Environment } from "./env.ts";
import { compilePyRegex } from "../text/py_regex.ts";
import type { ProbeSource, ProbeSpec } from "./schema.ts";
import { expandWith, type Fail } from "./section_context.ts";
import { splitShellWords } from "../text/shell_words.ts";
import { didYouMean } from "./suggest.ts";
import { describeValue } from "./validate.ts";

/** The two probe directives. */
export type ProbeDirective = "ready_probe" | "health_probe";

type SourceKind = ProbeSource["kind"];

/** The sources, in the order messages list them. */
const SOURCES: readonly SourceKind[] = ["tcp", "http", "exec", "file", "log"];

/** Defaults in seconds (interval, timeout) and attempts (failures), per directive. */
const DEFAULTS: Readonly<
  Record<ProbeDirective, { interval: number; timeout: number; failures: number }>
> = {
  // A ready probe is polled often: a start should not wait long once the service is up.
  ready_probe: { interval: 0.5, timeout: 2, failures: 1 },
  health_probe: { interval: 10, timeout: 2, failures: 3 },
};

const PORT_REGEXP = /^\d+$/;
const NUMBER_REGEXP = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const BRACKETED_REGEXP = /^\[([^\]]*)\]:(.*)$/s;

function isSourceKind(key: string): key is SourceKind {
  return (SOURCES as readonly string[]).includes(key);
}

/**
 * Resolves one probe directive whose value validate.ts found to be a mapping. Returns
 * undefined when anything is wrong, after reporting every problem through `fail` (each with
 * the label `ready_probe: tcp` and the position of that key).
 */
export function resolveProbe(
  directive: ProbeDirective,
  raw: Readonly<Record<string, unknown>>,
  env: Environment,
  fail: Fail,
): ProbeSpec | undefined {
  let ok = true;
  const failKey = (key: string, message: string, cause?: unknown) => {
    ok = false;
    fail(`${directive}: ${key}`, message, cause, `${directive}/${key}`);
  };
  const options = directive === "health_probe"
    ? ["interval", "timeout", "failures"]
    : ["interval", "timeout"];
  const sources: SourceKind[] = [];
  for (const key of Object.keys(raw)) {
    if (isSourceKind(key)) {
      sources.push(key);
      if (sources.length > 1) {
        failKey(key, `a probe checks one thing, and this one has ${sources[0]} already`);
      }
    } else if (options.includes(key)) {
      // An option: read below.
    } else if (key === "failures") {
      failKey(key, "applies to health_probe only");
    } else {
      failKey(
        key,
        `unknown probe key; expected one source (${SOURCES.join(", ")}) and ${options.join(", ")}${
          didYouMean(key, [...SOURCES, ...options])
        }`,
      );
    }
  }
  const kind = sources[0];
  if (kind === undefined) {
    ok = false;
    fail(directive, `needs a source: one of ${SOURCES.join(", ")}`);
  }

  /** The expanded text of a scalar value, or undefined after reporting why there is none. */
  const text = (key: string): string | undefined => {
    const value = raw[key];
    if (typeof value === "number" || typeof value === "string") {
      return expandWith(
        env,
        String(value),
        key,
        (_, message, cause) => failKey(key, message, cause),
      );
    }
    failKey(key, `expected a string, got ${describeValue(value)}`);
    return undefined;
  };
  const source = kind === undefined ? undefined : parseSource(kind, text, failKey);

  const defaults = DEFAULTS[directive];
  const seconds = (key: "interval" | "timeout"): number => {
    if (raw[key] === undefined) return defaults[key];
    const value = numberOf(key, raw[key], text, failKey);
    if (value !== undefined && !(value > 0)) {
      failKey(key, `must be more than 0 seconds, got ${value}`);
    }
    return value ?? defaults[key];
  };
  const intervalMs = seconds("interval") * 1000;
  const timeoutMs = seconds("timeout") * 1000;
  let failures = defaults.failures;
  if (directive === "health_probe" && raw.failures !== undefined) {
    const value = numberOf("failures", raw.failures, text, failKey);
    if (value !== undefined && !(Number.isInteger(value) && value >= 1)) {
      failKey("failures", `expected a whole number of at least 1, got ${value}`);
    }
    failures = value ?? failures;
  }
  if (!ok || source === undefined) return undefined;
  return { source, intervalMs, timeoutMs, failures, description: describeSource(source) };
}

/** How a probe reads in log lines and `ctl status`: the source's name and its target. */
export function describeSource(source: ProbeSource): string {
  switch (source.kind) {
    case "tcp":
      return `tcp ${source.host.includes(":") ? `[${source.host}]` : source.host}:${source.port}`;
    case "http":
      return `http ${source.url}`;
    case "exec":
      return `exec ${source.command}`;
    case "file":
      return `file ${source.path}`;
    case "log":
      return `log ${source.pattern}`;
    default: {
      const _exhaustive: never = source;
      throw new TypeError(`unknown probe source ${JSON.stringify(_exhaustive)}`);
    }
  }
}

type FailKey = (key: string, message: string, cause?: unknown) => void;

function parseSource(
  kind: SourceKind,
  text: (key: string) => string | undefined,
  failKey: FailKey,
): ProbeSource | undefined {
  const value = text(kind);
  if (value === undefined) return undefined;
  const problem = (message: string, cause?: unknown) => {
    failKey(kind, message, cause);
    return undefined;
  };
  switch (kind) {
    case "tcp": {
      const target = parseTcpTarget(value.trim());
      return typeof target === "string" ? problem(target) : { kind, ...target };
    }
    case "http": {
      const url = value.trim();
      let parsed: URL;
      try {
        parsed = new URL(url);
      } catch {
        return problem(`not a valid URL: ${JSON.stringify(url)}`);
      }
      if (parsed.protocol !== "http:") {
        return problem(
          `only http: URLs can be probed, got ${JSON.stringify(url)} (use tcp or exec for others)`,
        );
      }
      return { kind, url };
    }
    case "exec": {
      let argv: string[];
      try {
        argv = splitShellWords(value);
      } catch (err) {
        return problem((err as Error).message, err);
      }
      if (argv.length === 0) return problem("expands to an empty command");
      return { kind, argv, command: value };
    }
    case "file":
      // Relative to what would be a guess (chaperone's directory, the service's?): say which.
      return value.startsWith("/")
        ? { kind, path: value }
        : problem(`expected an absolute path, got ${JSON.stringify(value)}`);
    case "log":
      try {
        compilePyRegex(value);
      } catch (err) {
        return problem((err as Error).message, err);
      }
      return { kind, pattern: value };
    default: {
      const _exhaustive: never = kind;
      throw new TypeError(`unknown probe source ${_exhaustive}`);
    }
  }
}

/**
 * A tcp target: `8080` (127.0.0.1), `host:8080`, `[::1]:8080`; the problem as a string when
 * it is none of these.
 */
export function parseTcpTarget(text: string): { host: string; port: number } | string {
  let host = "127.0.0.1";
  let portText = text;
  const bracketed = BRACKETED_REGEXP.exec(text);
  if (bracketed !== null) {
    host = bracketed[1]!;
    portText = bracketed[2]!;
  } else if (text.includes(":")) {
    const colon = text.lastIndexOf(":");
    if (text.indexOf(":") !== colon) {
      return `write an IPv6 address in brackets with its port, as "[::1]:8080", got ${
        JSON.stringify(text)
      }`;
    }
    host = text.slice(0, colon);
    portText = text.slice(colon + 1);
  }
  if (host === "") return `expected a host before the port, got ${JSON.stringify(text)}`;
  if (!PORT_REGEXP.test(portText)) {
    return `expected a port or host:port, and ${JSON.stringify(portText)} is not a port number`;
  }
  const port = Number(portText);
  if (port < 1 || port > 65535) return `port ${port} is out of range (1-65535)`;
  return { host, port };
}

/** A number written as one or as a string (expanded first); undefined after a problem. */
function numberOf(
  key: string,
  value: unknown,
  text: (key: string) => string | undefined,
  failKey: FailKey,
): number | undefined {
  if (typeof value === "number") {
    if (Number.isFinite(value)) return value;
    failKey(key, `expected a number, got ${value}`);
    return undefined;
  }
  if (typeof value !== "string") {
    failKey(key, `expected a number, got ${describeValue(value)}`);
    return undefined;
  }
  const expanded = text(key);
  if (expanded === undefined) return undefined;
  const trimmed = expanded.trim();
  if (NUMBER_REGEXP.test(trimmed) && Number.isFinite(Number(trimmed))) return Number(trimmed);
  failKey(key, `expected a number, got ${JSON.stringify(expanded)}`);
  return undefined;
}
