/** A tcp probe's attempt: a connect succeeds, and the connection is closed at once. */
import { startDeadline } from "./deadline.ts";
import { describeError } from "./describe_error.ts";
import { PROBE_OK, type ProbeContext, probeFailed, type ProbeResult } from "./probe_result.ts";

/** Connects to `host:port` within the attempt's time. */
export async function attemptTcp(
  host: string,
  port: number,
  ctx: ProbeContext,
): Promise<ProbeResult> {
  using deadline = startDeadline(ctx.clock, ctx.timeoutMs, ctx.signal);
  let connecting: Promise<Deno.TcpConn>;
  try {
    connecting = Deno.connect({ hostname: host, port, signal: deadline.signal });
  } catch (error) {
    return probeFailed(describeError(error));
  }
  // A connection that completes is closed, even one that completes after the deadline.
  const settled = connecting.then((conn) => conn.close(), () => {});
  const result = await deadline.bound(
    connecting.then(() => PROBE_OK, (error) => probeFailed(describeError(error))),
  );
  // After the deadline the aborted signal makes Deno give up the connect at once: waiting
  // for it leaves no operation behind the attempt.
  await settled;
  return result;
}
