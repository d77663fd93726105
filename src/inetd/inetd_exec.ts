/**
 * The hidden helper mode `__inetd-exec FD -- PROGRAM ARGS...` that starts an inetd service's
 * command with the accepted connection as its fds 0, 1 and 2 (docs/configuration.md, "inetd services"), and how
 * chaperone invokes itself in that mode.
 *
 * Chaperone spawns the helper through Deno.Command (user, directory, environment and new
 * session as for any service) with the connection's fd inherited; the helper dup2()s it and
 * execve()s the command, so the command runs with the helper's pid.
 *
 * A compiled chaperone runs itself, selecting the mode through CHAPERONE_ARGV0 (the same
 * dispatch as its symlinked names). Run from source, the binary is deno: this file is then
 * run directly as a small entry point, which starts much faster than the whole program
 * (src/process/self_invocation.ts, shared with selftest's helper).
 */
import { selfInvocation } from "../process/self_invocation.ts";
import { errorMessage } from "../text/error_message.ts";
import { execWithSocket } from "./exec_with_socket.ts";

/** The mode's name: the value of CHAPERONE_ARGV0 that selects it. */
export const INETD_EXEC = "__inetd-exec";

/** Runs the helper mode: never returns on success; exit code 127 (as a shell) when it fails. */
export function inetdExecCommand(args: string[]): Promise<number> {
  const [fdText, dashes, ...argv] = args;
  const fd = Number(fdText);
  const write = (text: string) => {
    try {
      Deno.stderr.writeSync(new TextEncoder().encode(`${INETD_EXEC}: ${text}\n`));
    } catch {
      // No stderr left to report on.
    }
  };
  if (!Number.isInteger(fd) || fd < 0 || dashes !== "--" || argv.length === 0) {
    write(`usage: ${INETD_EXEC} FD -- PROGRAM [ARGS...]`);
    return Promise.resolve(2);
  }
  try {
    execWithSocket(fd, argv, Deno.env.toObject());
  } catch (err) {
    // stderr is the connection by now: the client sees why, as with inetd.
    write(errorMessage(err));
  }
  return Promise.resolve(127);
}

/** The program, arguments and extra environment that run the helper for this chaperone. */
export function inetdExecInvocation(
  fd: number,
  argv: readonly string[],
): { program: string; args: string[]; env: Record<string, string> } {
  return selfInvocation(import.meta.url, INETD_EXEC, [String(fd), "--", ...argv]);
}

if (import.meta.main) Deno.exit(await inetdExecCommand(Deno.args));
