/**
 * What one service runs: its resolved argv, its working directory, the process request of a
 * spawn, and the enable check of spec §5.1 (a missing program disables an optional or
 * ignore_failures service instead of failing it).
 */
import type { ServiceSpec } from "../config/schema.ts";
import type { LogLevel } from "../service/state.ts";
import type { ProcessPort, ProcessRequest } from "./ports.ts";

/** argv with argv[0] resolved against `path` (the service's PATH); throws naming the program. */
export function serviceArgv(
  spec: ServiceSpec,
  path: string | undefined,
  processes: Pick<ProcessPort, "resolve">,
): string[] {
  const cwd = serviceCwd(spec);
  const [argv0, ...args] = spec.argv;
  if (argv0 === undefined) throw new Error(`service ${spec.name} has an empty command`);
  return [processes.resolve(argv0, path, cwd), ...args];
}

/** The directory a service starts in: `directory`, else its user's home when it exists. */
export function serviceCwd(spec: ServiceSpec): string | undefined {
  if (spec.directory !== undefined) return spec.directory;
  const home = spec.user?.home;
  // As the original (its chdir errors were ignored), a home that does not exist is no
  // reason to fail: `nobody`'s home is /nonexistent. The service starts in our cwd instead.
  return home !== undefined && isDirectory(home) ? home : undefined;
}

/** What one spawn of a service asks for; the CONSOLE service keeps our terminal. */
export function spawnRequest(
  spec: ServiceSpec,
  run: {
    argv: string[];
    env: Record<string, string>;
    cwd: string | undefined;
    interactive: boolean;
  },
): ProcessRequest {
  return {
    argv: run.argv,
    env: run.env,
    cwd: run.cwd,
    uid: spec.user?.uid,
    gid: spec.user?.gid,
    detached: !run.interactive,
    stdin: spec.name === "CONSOLE" ? "inherit" : "null",
    stdout: spec.stdout === "log" ? "piped" : "inherit",
    stderr: spec.stderr === "log" ? "piped" : "inherit",
  };
}

/** Why the enable check disables a service, with the line to log. */
export interface DisableReason {
  readonly level: LogLevel;
  readonly message: string;
}

/**
 * The enable check's verdict for a service whose program could not be resolved (`error` is
 * the resolver's message): a missing program disables an optional or ignore_failures service;
 * anything else (a program that is not executable, a required service) keeps it enabled, to
 * fail when it starts. Undefined means "keep enabled".
 */
export function disableReason(spec: ServiceSpec, error: string): DisableReason | undefined {
  const missing = !/permission|not executable/i.test(error);
  if (!missing) return undefined;
  if (spec.optional) {
    return {
      level: "info",
      message: `optional service ${spec.name} disabled since '${spec.argv[0]}' is not present`,
    };
  }
  if (spec.ignoreFailures) {
    return {
      level: "warn",
      message: `(ignored) service ${spec.name} executable '${spec.argv[0]}' is not present`,
    };
  }
  return undefined;
}

function isDirectory(path: string): boolean {
  try {
    return Deno.statSync(path).isDirectory;
  } catch {
    return false;
  }
}
