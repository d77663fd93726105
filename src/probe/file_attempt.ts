/** A file probe's attempt: the path exists (a symlink counts when its target does). */
import { startDeadline } from "./deadline.ts";
import { describeError } from "./describe_error.ts";
import { PROBE_OK, type ProbeContext, probeFailed, type ProbeResult } from "./probe_result.ts";

/** Looks `path` up within the attempt's time (a hung network file system cannot stall it). */
export async function attemptFile(path: string, ctx: ProbeContext): Promise<ProbeResult> {
  using deadline = startDeadline(ctx.clock, ctx.timeoutMs, ctx.signal);
  return await deadline.bound(
    Deno.stat(path).then(() => PROBE_OK, (error) => probeFailed(describeError(error))),
  );
}
