/**
 * One service's process: what it runs (its resolved argv, its working directory, the request of
 * a spawn), the enable check (a missing program disables an optional or ignore_failures
 * service instead of failing it, docs/configuration.md), spawning it, and its piped output as
 * log records: facility daemon, stdout lines at info and stderr lines at warning, tagged with
 * the service name without `.service` and the child's pid (docs/logging.md). Blank lines are
 * dropped.
 */
import type { ServiceSpec } from "../config/schema.ts";
import type { Logger } from "../log/logger.ts";
import { makeRecord } from "../log/logger.ts";
import { Facility, type LogRecord, type LogSink, Severity } from "../log/record.ts";
import { type ExitStatus, formatProcStatus } from "../process/exit_status.ts";
import type { LogLevel } from "../service/state.ts";
import type { ProcessHandle, ProcessPort, ProcessRequest } from "./ports.ts";
import { readLines } from "../text/line_reader.ts";

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

/** What spawning a service's process needs. */
export interface SpawnProcessContext {
  readonly processes: ProcessPort;
  /** Where the service's output lines go. */
  readonly sink: LogSink;
  /** Where the exit status line goes. */
  readonly logger: Logger;
  /** Each output line of the service, as read (log probes, ctl logs). */
  readonly onLine?: ((line: string) => void) | undefined;
}

/** Spawns `request` for `service`; throws when it cannot start. `onExit` runs after the exit is logged. */
export function spawnProcess(
  ctx: SpawnProcessContext,
  service: string,
  request: ProcessRequest,
  onExit: (child: ProcessHandle, status: ExitStatus) => void,
): ProcessHandle {
  const child = ctx.processes.spawn(request);
  pipeServiceOutput(service, child, ctx.sink, ctx.onLine);
  child.status.then((status) => {
    const level = status.code === 0 ? "debug" : "info";
    ctx.logger[level](
      `${service} exit status for pid=${child.pid} is '${formatProcStatus(status)}'`,
    );
    onExit(child, status);
  });
  return child;
}

/** Longest output line handed on in one piece; longer lines are split, never fatal. */
const MAX_LINE = 64 * 1024;
const SPLIT = { kind: "split" } as const;

/** The log record for one output line of a service; undefined for a blank line. */
export function serviceOutputRecord(
  service: string,
  pid: number,
  severity: number,
  line: string,
  sink: LogSink,
): LogRecord | undefined {
  if (line.trim() === "") return undefined;
  const tag = service.replace(/\.service$/, "");
  const target = { sink, threshold: Severity.DEBUG, tag, pid };
  // The `service` of json and logfmt lines (docs/logging.md).
  return { ...makeRecord(target, Facility.DAEMON, severity, line, tag, pid), service };
}

/** Pumps the child's piped streams into `sink` until they end; read errors end a pump quietly. */
export function pipeServiceOutput(
  service: string,
  child: ProcessHandle,
  sink: LogSink,
  onLine?: (line: string) => void,
): void {
  const pump = (stream: ReadableStream<Uint8Array> | null, severity: number) => {
    if (!stream) return;
    (async () => {
      for await (const line of readLines(stream, { maxBytes: MAX_LINE, tooLong: SPLIT })) {
        const text = line.trimEnd();
        onLine?.(text);
        const rec = serviceOutputRecord(service, child.pid, severity, text, sink);
        if (rec) sink.write(rec);
      }
    })().catch(() => {});
  };
  pump(child.stdout, Severity.INFO);
  pump(child.stderr, Severity.WARN);
}
