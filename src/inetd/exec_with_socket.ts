/**
 * The last step of starting an inetd service's command: put the inherited connection on fds
 * 0, 1 and 2 and replace this process with the command, through libc FFI (docs/configuration.md, "inetd services").
 *
 * Why FFI: Deno.Command can only give a child piped, inherited or null stdio, never an
 * arbitrary fd; and Deno has no dup2() or execve(). Chaperone therefore starts itself in a
 * small helper mode (with the service's user, directory, environment and new session set by
 * Deno.Command) and that helper ends here. execve() keeps the pid, so the Spawner and the
 * stop signals reach the command itself.
 */

import { lastError } from "../sys/errno.ts";
import { libc } from "../sys/libc.ts";

const encoder = new TextEncoder();

/** A NULL-terminated char*[] over `strings`; `keep` holds the buffers alive for the call. */
export function cStringArray(strings: readonly string[], keep: Uint8Array[]): BigUint64Array {
  const pointers = new BigUint64Array(strings.length + 1);
  strings.forEach((s, i) => {
    const bytes = encoder.encode(`${s}\0`);
    keep.push(bytes);
    pointers[i] = BigInt(Deno.UnsafePointer.value(Deno.UnsafePointer.of(bytes)));
  });
  return pointers;
}

/**
 * Makes `fd` this process's stdin, stdout and stderr, closes `fd`, and execs `argv` (argv[0]
 * must be a path) with `env`. Returns only by throwing Error when something failed.
 */
export function execWithSocket(
  fd: number,
  argv: readonly string[],
  env: Readonly<Record<string, string>>,
): never {
  const program = argv[0];
  if (program === undefined) throw new TypeError("Cannot exec: argv is empty");
  const lib = libc();
  for (const target of [0, 1, 2]) {
    if (lib.dup2(fd, target) < 0) {
      throw new Error(`Cannot put fd ${fd} on fd ${target}: ${lastError().message}`);
    }
  }
  if (fd > 2) lib.close(fd);
  const keep: Uint8Array[] = [];
  const path = encoder.encode(`${program}\0`);
  const args = cStringArray(argv, keep);
  const envp = cStringArray(Object.entries(env).map(([k, v]) => `${k}=${v}`), keep);
  lib.execve(path, args, envp);
  throw new Error(`Cannot execute "${program}": ${lastError().message}`);
}
