/**
 * How Chaperone runs itself in one of its hidden helper modes (src/inetd/inetd_exec.ts,
 * src/cli/selftest_helper.ts).
 * A compiled chaperone runs its own executable, the mode selected through CHAPERONE_ARGV0 (the
 * same dispatch as its symlinked names). Run from source, the executable is deno: the helper's
 * module is then run directly as a small entry point, which starts much faster than the whole
 * program (only that module's import graph, no config, no lock, no type check).
 */

/** The program, arguments and extra environment that run `module` in helper `mode`. */
export function selfInvocation(
  module: string,
  mode: string,
  args: readonly string[],
): { program: string; args: string[]; env: Record<string, string> } {
  const exec = Deno.execPath();
  const here = new URL(module);
  if (here.protocol === "file:" && /(^|\/)deno$/.test(exec)) {
    return {
      program: exec,
      args: ["run", "--quiet", "--allow-all", "--no-prompt", "--no-config", here.pathname, ...args],
      env: {},
    };
  }
  return { program: exec, args: [...args], env: { CHAPERONE_ARGV0: mode } };
}
