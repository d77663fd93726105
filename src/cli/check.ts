/**
 * `chaperone check [--config PATH] [--user NAME] [--strict] [--skip-programs] [--quiet]`: a
 * dry run of start-up. Runs the run's own configuration pipeline (load, validate, resolve
 * services and logging sections), builds the dependency graph and resolves every service's
 * program the way the run's enable check does (unless `--skip-programs`: checking outside the
 * image), then prints every problem with its file and line. Exit 0 when clean (warnings
 * allowed unless `--strict`), 1 otherwise. Starts nothing.
 */
import { parseArgs } from "node:util";
import { serviceEnvironment } from "../config/env.ts";
import { checkConfig } from "../config/mod.ts";
import type { Config } from "../config/schema.ts";
import { resolveExecutable } from "../process/spawn.ts";
import { DependencyGraph } from "../supervisor/graph.ts";
import { disableReason, serviceArgv } from "../supervisor/service_command.ts";
import { errorMessage } from "../text/error_message.ts";

const USAGE =
  "Usage: chaperone check [--config=<file_or_dir>] [--user=<name>] [--strict] [--skip-programs]\n" +
  "                       [--quiet]\n";

function write(stream: "stdout" | "stderr", text: string): void {
  (stream === "stdout" ? Deno.stdout : Deno.stderr).writeSync(new TextEncoder().encode(text));
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

/** What the program checks found: errors fail the check, notes only inform. */
interface ProgramFindings {
  readonly errors: string[];
  readonly warnings: string[];
  readonly notes: string[];
}

/**
 * Resolves each service's program against its own PATH and directory, as the run does when it
 * enables the service (docs/configuration.md, "Finding the program"): a missing program fails a
 * required service, disables an optional one (a note) or an ignore_failures one (a warning); a
 * disabled service gets a note.
 */
function checkPrograms(config: Config): ProgramFindings {
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

/** Runs the check; resolves to the exit code. */
export async function checkCommand(args: string[]): Promise<number> {
  let values: {
    config?: string;
    user?: string;
    strict?: boolean;
    "skip-programs"?: boolean;
    quiet?: boolean;
    help?: boolean;
  };
  try {
    ({ values } = parseArgs({
      args,
      options: {
        config: { type: "string" },
        user: { type: "string" },
        strict: { type: "boolean" },
        "skip-programs": { type: "boolean" },
        quiet: { type: "boolean", short: "q" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    write("stderr", `${errorMessage(err)}\n${USAGE}`);
    return 1;
  }
  if (values.help) {
    write("stdout", USAGE);
    return 0;
  }
  // Unlike a run (relative to / or the user's home, as the original), check takes a relative
  // path from the current directory: it is run by people in their checkout.
  const given = values.config ?? "/etc/chaperone.d";
  const path = given.startsWith("/") ? given : `${Deno.cwd()}/${given}`;
  try {
    Deno.statSync(path);
  } catch {
    write("stderr", `error: ${given}: no such file or directory\n`);
    return 1;
  }
  const warnings: string[] = [];
  const result = await checkConfig(path, {
    env: Deno.env.toObject(),
    ...(values.user !== undefined ? { user: values.user } : {}),
    onWarning: (m) => warnings.push(m),
  });
  const problems = result.errors.map((e) => e.message);
  const notes: string[] = [];
  let graphText: string | undefined;
  // The services that resolved are checked further even when other sections have problems,
  // so that one run lists everything.
  if (result.partial) {
    try {
      graphText = DependencyGraph.from(result.partial.services).format();
    } catch (err) {
      problems.push(`${path}: ${errorMessage(err)}`);
    }
    if (!values["skip-programs"]) {
      const programs = checkPrograms(result.partial);
      problems.push(...programs.errors);
      warnings.push(...programs.warnings);
      notes.push(...programs.notes);
    }
  }
  for (const w of warnings) write("stderr", `warning: ${w}\n`);
  for (const n of notes) write("stderr", `note: ${n}\n`);
  for (const p of problems) write("stderr", `error: ${p}\n`);
  if (problems.length > 0) {
    write("stderr", `${plural(problems.length, "problem")} found in ${path}\n`);
    return 1;
  }
  if (values.strict && warnings.length > 0) {
    write("stderr", `${plural(warnings.length, "warning")} in ${path} (--strict)\n`);
    return 1;
  }
  if (!values.quiet) {
    const config = result.config!;
    const services = config.services.length;
    const sections = config.logging.filter((l) => !l.builtin).length;
    const logging = config.logging.some((l) => l.builtin)
      ? "no logging section: *.info goes to stdout"
      : plural(sections, "logging section");
    write(
      "stdout",
      `${path}: ok (${plural(result.files.length, "file")}, ${
        plural(services, "service")
      }, ${logging})\n`,
    );
    if (graphText && services > 0) write("stdout", graphText + "\n");
  }
  return 0;
}
