/**
 * Whether every service's program can be found, as the run's enable check finds it: shared by
 * `chaperone check` and `chaperone selftest`.
 */
import { serviceEnvironment } from "../config/env.ts";
import type { Config } from "../config/schema.ts";
import { resolveExecutable } from "../process/spawn.ts";
import { disableReason, serviceArgv } from "../supervisor/service_process.ts";
import { errorMessage } from "../text/error_message.ts";

/** What the program checks found: errors fail the check, notes only inform. */
export interface ProgramFindings {
  readonly errors: string[];
  readonly warnings: string[];
  readonly notes: string[];
}

/**
 * Resolves each service's program against its own PATH and directory (docs/configuration.md, "Finding the program"), as the run
 * does when it enables the service: a missing program fails a required service, disables an
 * optional one (a note) or an ignore_failures one (a warning); a disabled service gets a note.
 */
export function checkPrograms(config: Config): ProgramFindings {
  const found: ProgramFindings = { errors: [], warnings: [], notes: [] };
  const processes = {
    resolve: (argv0: string, path: string | undefined, cwd: string | undefined) =>
      resolveExecutable(argv0, path, cwd ? { cwd } : {}),
  };
  for (const spec of config.services) {
    let path: string | undefined;
    try {
      path = serviceEnvironment(config.settingsEnv, spec).publicEnv().PATH;
    } catch {
      // The environment needs spawn-time variables; the run reports its failure at spawn.
      continue;
    }
    try {
      serviceArgv(spec, path, processes);
      continue;
    } catch (err) {
      const message = errorMessage(err);
      const where = `${spec.pos.file}${spec.pos.line ? `:${spec.pos.line}` : ""}: ${spec.name}`;
      const reason = spec.enabled ? disableReason(spec, message) : undefined;
      if (!spec.enabled) {
        found.notes.push(`${where}: command: ${message} (the service is disabled)`);
      } else if (reason?.level === "info") found.notes.push(`${where}: ${reason.message}`);
      else if (reason !== undefined) found.warnings.push(`${where}: ${reason.message}`);
      else found.errors.push(`${where}: command: ${message}`);
    }
  }
  return found;
}
