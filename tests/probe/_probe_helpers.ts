/** Helpers of the probe tests: a clock that counts its armed timers, and contexts. */
import { type Clock, systemClock, type TimerId } from "../../src/sys/clock.ts";
import type { ProbeContext } from "../../src/probe/attempt_probe.ts";

/** The real clock, counting the timers armed and not yet fired or cleared. */
export class CountingClock implements Clock {
  readonly #armed = new Set<TimerId>();
  now(): number {
    return systemClock.now();
  }
  setTimeout(fn: () => void, ms: number): TimerId {
    const id: TimerId = systemClock.setTimeout(() => {
      this.#armed.delete(id);
      fn();
    }, ms);
    this.#armed.add(id);
    return id;
  }
  clearTimeout(id: TimerId): void {
    this.#armed.delete(id);
    systemClock.clearTimeout(id);
  }
  /** Timers still armed. */
  get armed(): number {
    return this.#armed.size;
  }
}

/** A context on `clock` with `timeoutMs`. */
export function contextOf(clock: Clock, timeoutMs = 2000, extra: Partial<ProbeContext> = {}) {
  return { clock, timeoutMs, ...extra };
}

/**
 * A loopback port whose connects hang: a python3 listener with a backlog of 0 whose queue is
 * filled and never accepted, so the kernel drops further SYNs. Close it with the returned
 * function.
 */
export async function hangingPort(): Promise<{ port: number; close(): Promise<void> }> {
  const script = [
    "import socket, sys",
    "s = socket.socket(); s.bind(('127.0.0.1', 0)); s.listen(0)",
    "fill = []",
    "for i in range(3):",
    "    c = socket.socket(); c.setblocking(False)",
    "    try: c.connect(s.getsockname())",
    "    except BlockingIOError: pass",
    "    fill.append(c)",
    "print(s.getsockname()[1], flush=True)",
    "sys.stdin.read()",
  ].join("\n");
  const child = new Deno.Command("python3", {
    args: ["-c", script],
    stdin: "piped",
    stdout: "piped",
  }).spawn();
  const reader = child.stdout.getReader();
  let text = "";
  while (!text.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) throw new Error("the hanging listener did not start");
    text += new TextDecoder().decode(value);
  }
  return {
    port: Number(text.trim()),
    async close() {
      await child.stdin.close();
      await reader.cancel();
      await child.status;
    },
  };
}
