/** What a program that ran to its end printed, and its exit code. */
export interface ProgramResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `program` to its end with exactly the environment `env` (nothing inherited), feeding it
 * `stdin` when given (else /dev/null).
 */
export async function runProgram(
  program: string,
  args: readonly string[],
  options: { env: Record<string, string>; stdin?: string },
): Promise<ProgramResult> {
  const child = new Deno.Command(program, {
    args: [...args],
    env: options.env,
    clearEnv: true,
    stdin: options.stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (options.stdin !== undefined) {
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(options.stdin));
    await writer.close();
  }
  const out = await child.output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}
