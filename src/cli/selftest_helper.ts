/**
 * The hidden helper mode `__selftest-helper MODE [ARG]` that gives `chaperone selftest` its
 * child processes in an image that may have no shell and no other program: Chaperone runs
 * itself (as inetd_exec.ts does), selected through CHAPERONE_ARGV0; run from source, this
 * small file is the entry point. Modes:
 *
 * - `linger MS`: exits 0 after MS milliseconds;
 * - `orphan MS`: starts `linger MS`, prints its pid and exits at once, leaving it an orphan;
 * - `group`: starts `linger 60000`, which stays in the helper's process group, prints its pid
 *   and waits to be signalled with that group.
 *
 * Imports only src/process/self_invocation.ts: main.ts imports this file for its name, and
 * each helper starts quickly.
 */
import { selfInvocation } from "../process/self_invocation.ts";

/** The mode's name: the value of CHAPERONE_ARGV0 that selects it. */
export const SELFTEST_HELPER = "__selftest-helper";

/** A helper's mode and argument. */
export type HelperMode = "linger" | "orphan" | "group";

/** The program, arguments and extra environment that run the helper in `mode`. */
export function selftestHelperInvocation(
  mode: HelperMode,
  arg?: string,
): { program: string; args: string[]; env: Record<string, string> } {
  return selfInvocation(import.meta.url, SELFTEST_HELPER, arg === undefined ? [mode] : [mode, arg]);
}

function startHelper(mode: HelperMode, arg: string): number {
  const how = selftestHelperInvocation(mode, arg);
  const child = new Deno.Command(how.program, {
    args: how.args,
    env: how.env,
    stdin: "null",
    stdout: "null",
    stderr: "inherit",
  }).spawn();
  // The orphan's status is never awaited here: whoever adopts it collects it.
  child.unref();
  return child.pid;
}

/** Runs one mode; resolves to the exit code (2 for a usage error). */
export async function selftestHelperCommand(args: string[]): Promise<number> {
  const [mode, arg] = args;
  const ms = Number(arg ?? "0");
  const say = (text: string) => Deno.stdout.writeSync(new TextEncoder().encode(`${text}\n`));
  switch (mode) {
    case "linger":
      await new Promise((resolve) => setTimeout(resolve, ms));
      return 0;
    case "orphan":
      say(String(startHelper("linger", String(ms))));
      return 0;
    case "group": {
      say(String(startHelper("linger", "60000")));
      // Waits to be signalled with its group.
      await new Promise(() => setInterval(() => {}, 1 << 30));
      return 0;
    }
    default:
      Deno.stderr.writeSync(
        new TextEncoder().encode(`usage: ${SELFTEST_HELPER} linger MS | orphan MS | group\n`),
      );
      return 2;
  }
}

if (import.meta.main) Deno.exit(await selftestHelperCommand(Deno.args));
