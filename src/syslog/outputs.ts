/**
 * Where logging sections write (docs/logging.md, "Outputs"; Decision 8 in docs/migration.md):
 * files, stdout/stderr and remote syslog hosts. Outputs are shared by identity (one open file per
 * expanded name), but each section formats its own lines, so `extended` and `logrec_hostname` stay
 * per section.
 *
 * Writes are buffered: a file is flushed at most FLUSH_DELAY_MS after its first unflushed
 * line (or when its buffer fills), the console at the end of the current task. Failures are
 * reported once per episode through an OutputReporter, and the output keeps retrying, so a
 * full disk or a deleted directory costs lines, never the daemon.
 */
import type { ConsoleOutput } from "./console_output.ts";
import type { FileOutput } from "./file_output.ts";
import type { RemoteOutput } from "./remote_output.ts";

export { ConsoleOutput } from "./console_output.ts";
export {
  FileOutput,
  type FileOutputOptions,
  FLUSH_DELAY_MS,
  ROTATION_CHECK_MS,
} from "./file_output.ts";
export { MAX_REMOTE_IN_FLIGHT, parseSyslogHost, RemoteOutput } from "./remote_output.ts";
export type { OutputReporter } from "./output_reporter.ts";

/** One destination of output lines. */
export type Output = FileOutput | ConsoleOutput | RemoteOutput;
