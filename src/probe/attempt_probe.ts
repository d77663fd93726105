/**
 * One attempt of a ready or health probe (docs/configuration.md, "Probes"): the probe room's
 * entry point. Whoever schedules attempts (the supervisor) decides what a result means; an
 * attempt only finds out, within its timeout, and never throws: every error becomes a failed
 * result, and no socket, timer or process outlives it.
 */
import type { ProbeSource } from "../config/schema.ts";
import { attemptExec } from "./exec_attempt.ts";
import { attemptFile } from "./file_attempt.ts";
import { attemptHttp } from "./http_attempt.ts";
import { describeError } from "./describe_error.ts";
import { type ProbeContext, probeFailed, type ProbeResult } from "./probe_result.ts";
import { attemptTcp } from "./tcp_attempt.ts";

export type { ProbeContext, ProbeExecContext, ProbeResult } from "./probe_result.ts";

/** Runs one attempt of `source`, bounded by `ctx.timeoutMs`. */
export async function attemptProbe(source: ProbeSource, ctx: ProbeContext): Promise<ProbeResult> {
  try {
    switch (source.kind) {
      case "tcp":
        return await attemptTcp(source.host, source.port, ctx);
      case "http":
        return await attemptHttp(source.url, ctx);
      case "exec":
        return await attemptExec(source.argv, ctx);
      case "file":
        return await attemptFile(source.path, ctx);
      case "log":
        // A log probe is a LogWatch over the service's output, fed line by line.
        return probeFailed("a log probe is watched, not attempted");
      default: {
        const _exhaustive: never = source;
        return probeFailed(`unknown probe source ${JSON.stringify(_exhaustive)}`);
      }
    }
  } catch (error) {
    // The attempts handle their own errors; this is the promise that nothing escapes.
    return probeFailed(describeError(error));
  }
}
