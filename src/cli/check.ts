/**
 * `chaperone check [--config PATH] [--user NAME]`: a dry run of start-up. Loads and validates
 * the configuration and builds the dependency graph, printing every problem found with its file
 * and line. Exit 0 when clean, 1 otherwise. Starts nothing.
 */
import { parseArgs } from "node:util";
import { checkConfig } from "../config/mod.ts";
import { DependencyGraph } from "../supervisor/graph.ts";

const USAGE = "Usage: chaperone check [--config=<file_or_dir>] [--user=<name>] [--quiet]\n";

function write(stream: "stdout" | "stderr", text: string): void {
  (stream === "stdout" ? Deno.stdout : Deno.stderr).writeSync(new TextEncoder().encode(text));
}

/** Runs the check; resolves to the exit code. */
export async function checkCommand(args: string[]): Promise<number> {
  let values: { config?: string; user?: string; quiet?: boolean; help?: boolean };
  try {
    ({ values } = parseArgs({
      args,
      options: {
        config: { type: "string" },
        user: { type: "string" },
        quiet: { type: "boolean", short: "q" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    write("stderr", `${err instanceof Error ? err.message : err}\n${USAGE}`);
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
  let graphText: string | undefined;
  if (result.config) {
    try {
      graphText = DependencyGraph.from(result.config.services).format();
    } catch (err) {
      problems.push(`${path}: ${err instanceof Error ? err.message : err}`);
    }
  }
  for (const w of warnings) write("stderr", `warning: ${w}\n`);
  if (problems.length > 0) {
    for (const p of problems) write("stderr", `error: ${p}\n`);
    write(
      "stderr",
      `${problems.length} problem${problems.length === 1 ? "" : "s"} found in ${path}\n`,
    );
    return 1;
  }
  if (!values.quiet) {
    const services = result.config?.services.length ?? 0;
    const logging = result.config?.logging.length ?? 0;
    write(
      "stdout",
      `${path}: ok (${result.files.length} file${
        result.files.length === 1 ? "" : "s"
      }, ${services} service${services === 1 ? "" : "s"}, ${logging} logging section${
        logging === 1 ? "" : "s"
      })\n`,
    );
    if (graphText && services > 0) write("stdout", graphText + "\n");
  }
  return 0;
}
