/**
 * `chaperone check [--config PATH] [--user NAME] [--strict] [--skip-programs] [--quiet]`: a
 * dry run of start-up. Runs the run's own configuration pipeline (load, validate, resolve
 * services and logging sections), builds the dependency graph and resolves every service's
 * program the way the run's enable check does (unless `--skip-programs`: checking outside the
 * image), then prints every problem with its file and line. Exit 0 when clean (warnings
 * allowed unless `--strict`), 1 otherwise. Starts nothing.
 */
import { checkConfig } from "../config/mod.ts";
import { formatListenAddress } from "../config/listen_address.ts";
import { DependencyGraph } from "../system/graph.ts";
import { checkPrograms } from "./program_findings.ts";
import { parseUtilityArgs } from "./utility_args.ts";
import { UsageError } from "../text/usage_error.ts";
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

const CHECK_FLAGS = {
  config: { type: "string" },
  user: { type: "string" },
  strict: { type: "boolean" },
  "skip-programs": { type: "boolean" },
  quiet: { type: "boolean", short: "q" },
  help: { type: "boolean", short: "h" },
} as const;

/** Runs the check; resolves to the exit code. */
export async function checkCommand(args: string[]): Promise<number> {
  let values;
  try {
    let positionals;
    ({ values, positionals } = parseUtilityArgs(args, CHECK_FLAGS));
    if (positionals.length > 0) {
      throw new UsageError(`unexpected argument ${positionals[0]} (use --config)`);
    }
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    write("stderr", `${err.message}\n${USAGE}`);
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
    const listen = config.settings.httpListen;
    const http = listen ? `, HTTP endpoint on ${formatListenAddress(listen)}` : "";
    write(
      "stdout",
      `${path}: ok (${plural(result.files.length, "file")}, ${
        plural(services, "service")
      }, ${logging}${http})\n`,
    );
    if (graphText && services > 0) write("stdout", graphText + "\n");
  }
  return 0;
}
