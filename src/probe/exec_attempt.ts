/**
 * An exec probe's attempt: the command exits 0. It runs through the ProbeSpawner as the
 * service's user with its environment, in a process group of its own. When the attempt ends,
 * so does the group: a command that hangs past the timeout is killed with everything it
 * started, and one that left a background process behind does not leave it running (one per
 * attempt would pile up). A failure quotes the first line the command wrote to stderr.
 */
import { startDeadline } from "./deadline.ts";
import { describeError } from "./describe_error.ts";
import {
  PROBE_OK,
  type ProbeContext,
  type ProbeExecContext,
  probeFailed,
  type ProbeResult,
} from "./probe_result.ts";
import type { ProbeExit, ProbeProcess } from "./probe_spawner.ts";

/** Bytes of stderr kept for the message; the rest is read and dropped. */
const STDERR_KEPT = 512;
/** Characters of stderr quoted in a failure. */
const QUOTED = 160;

/** Runs `argv` within the attempt's time. */
export async function attemptExec(
  argv: readonly string[],
  ctx: ProbeContext,
): Promise<ProbeResult> {
  const exec = ctx.exec;
  if (exec === undefined) return probeFailed("exec probe has no process context");
  using deadline = startDeadline(ctx.clock, ctx.timeoutMs, ctx.signal);
  if (deadline.reason() !== undefined) return probeFailed(deadline.describe());
  let child: ProbeProcess;
  try {
    child = exec.spawner.spawn(requestOf(argv, exec));
  } catch (error) {
    return probeFailed(`cannot run '${argv[0]}': ${describeError(error)}`);
  }
  const stderr = readStderr(child.stderr);
  const exit = await Promise.race([child.status, deadline.ended.then(() => undefined)]);
  child.killGroup();
  if (exit === undefined) {
    // SIGKILL cannot be refused: the status follows at once, and no zombie is left.
    await child.status;
    await stderr.cancel();
    return probeFailed(deadline.describe());
  }
  if (exit.code === 0) {
    await stderr.cancel();
    return PROBE_OK;
  }
  // The group is gone, so stderr ends now, unless something escaped the group with it.
  await Promise.race([stderr.done, deadline.ended]);
  await stderr.cancel();
  const said = stderr.text();
  return probeFailed(`${describeExit(exit)}${said === "" ? "" : `: ${said}`}`);
}

function requestOf(argv: readonly string[], exec: ProbeExecContext) {
  return {
    argv,
    env: exec.env,
    ...(exec.cwd !== undefined ? { cwd: exec.cwd } : {}),
    ...(exec.uid !== undefined ? { uid: exec.uid } : {}),
    ...(exec.gid !== undefined ? { gid: exec.gid } : {}),
  };
}

/** `exit 1`, `killed by signal 9`. */
export function describeExit(exit: ProbeExit): string {
  if (exit.signal !== null) return `killed by signal ${exit.signal}`;
  if (exit.code !== null) return `exit ${exit.code}`;
  return "exit status unknown";
}

interface StderrReader {
  /** Resolves at end of file (or after cancel()). */
  readonly done: Promise<void>;
  /** Stops reading; resolves once the stream is released. */
  cancel(): Promise<void>;
  /** The first non-empty line read, shortened. */
  text(): string;
}

function readStderr(stream: ReadableStream<Uint8Array> | null): StderrReader {
  if (stream === null) {
    return { done: Promise.resolve(), cancel: () => Promise.resolve(), text: () => "" };
  }
  const reader = stream.getReader();
  const kept = new Uint8Array(STDERR_KEPT);
  let length = 0;
  const done = (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        const take = Math.min(value.length, STDERR_KEPT - length);
        kept.set(value.subarray(0, take), length);
        length += take;
      }
    } catch {
      // A read error only shortens the quote.
    }
  })();
  return {
    done,
    async cancel() {
      await reader.cancel().catch(() => {});
      await done;
      reader.releaseLock();
    },
    text() {
      const lines = new TextDecoder().decode(kept.subarray(0, length)).split("\n");
      const line = lines.map((l) => l.trim()).find((l) => l !== "") ?? "";
      return line.length > QUOTED ? `${line.slice(0, QUOTED)}…` : line;
    },
  };
}
