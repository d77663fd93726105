/**
 * An http probe's attempt: a 2xx or 3xx answer (redirects are not followed), its body
 * cancelled. A fresh client per attempt keeps no connection open between attempts, so each
 * one also proves that the service still accepts connections.
 */
import { startDeadline } from "./deadline.ts";
import { describeError } from "./describe_error.ts";
import { PROBE_OK, type ProbeContext, probeFailed, type ProbeResult } from "./probe_result.ts";
import { errorMessage } from "../text/error_message.ts";

/** Asks `url` with GET within the attempt's time. */
export async function attemptHttp(url: string, ctx: ProbeContext): Promise<ProbeResult> {
  using deadline = startDeadline(ctx.clock, ctx.timeoutMs, ctx.signal);
  let client: Deno.HttpClient | undefined;
  try {
    client = Deno.createHttpClient({ poolMaxIdlePerHost: 0 });
    const response = await fetch(url, {
      redirect: "manual",
      signal: deadline.signal,
      client,
      headers: { "user-agent": "chaperone-probe" },
    });
    await response.body?.cancel().catch(() => {});
    if (response.status >= 200 && response.status < 400) return PROBE_OK;
    return probeFailed(`HTTP ${response.status}`);
  } catch (error) {
    if (deadline.reason() !== undefined) return probeFailed(deadline.describe());
    return probeFailed(describeFetchError(error));
  } finally {
    client?.close();
  }
}

/**
 * Deno's fetch throws `TypeError: fetch failed` with the reason in `cause`: a `(Connect)`
 * client error is about reaching the server, a `(SendRequest)` one about what it answered.
 */
function describeFetchError(error: unknown): string {
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  const message = errorMessage(cause);
  if (/\(SendRequest\)/.test(message)) {
    if (/connection closed before message completed/i.test(message)) {
      return "connection closed without an answer";
    }
    return "not an HTTP answer";
  }
  if (/\(Connect\)/.test(message)) {
    return describeError(
      new Error(message.replace(/^.*\(Connect\):\s*(tcp connect error:\s*)?/s, "")),
    );
  }
  return describeError(cause);
}
