/** Runs the program from source as an ordinary process (not PID 1) and collects what it said. */
import { CHAPERONE } from "./pid1.ts";

/** Exit code and both output streams of one run. */
export interface ChaperoneResult {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

/** Runs `scripts/chaperone args...` with stdin from /dev/null and NO_COLOR set. */
export async function runChaperone(
  args: string[],
  options: { env?: Record<string, string>; cwd?: string } = {},
): Promise<ChaperoneResult> {
  const o = await new Deno.Command(CHAPERONE, {
    args,
    ...(options.cwd !== undefined ? { cwd: options.cwd } : {}),
    env: { NO_COLOR: "1", ...options.env },
    stdout: "piped",
    stderr: "piped",
    stdin: "null",
  }).output();
  const dec = new TextDecoder();
  return { code: o.code, out: dec.decode(o.stdout), err: dec.decode(o.stderr) };
}
