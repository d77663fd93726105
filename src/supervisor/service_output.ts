/**
 * A service's piped stdout and stderr become log records (spec §4.2): facility daemon, stdout
 * lines at info and stderr lines at warning, tagged with the service name without `.service`
 * and the child's pid. Blank lines are dropped.
 */
import { makeRecord } from "../log/logger.ts";
import { Facility, type LogRecord, type LogSink, Severity } from "../log/record.ts";
import type { ProcessHandle } from "./ports.ts";
import { readLines } from "./read_lines.ts";

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
  return makeRecord(target, Facility.DAEMON, severity, line, tag, pid);
}

/** Pumps the child's piped streams into `sink` until they end; read errors end a pump quietly. */
export function pipeServiceOutput(service: string, child: ProcessHandle, sink: LogSink): void {
  const pump = (stream: ReadableStream<Uint8Array> | null, severity: number) => {
    if (!stream) return;
    readLines(stream, (line) => {
      const rec = serviceOutputRecord(service, child.pid, severity, line, sink);
      if (rec) sink.write(rec);
    }).catch(() => {});
  };
  pump(child.stdout, Severity.INFO);
  pump(child.stderr, Severity.WARN);
}
