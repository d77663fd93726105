/** What one probe attempt found, and the context every attempt runs in. */
import type { Clock } from "../sys/clock.ts";
import type { ProbeSpawner } from "./probe_spawner.ts";

/** One attempt's outcome; `error` is short and human (`HTTP 503`, `timed out after 2 s`). */
export type ProbeResult = { readonly ok: true } | { readonly ok: false; readonly error: string };

/** The successful result. */
export const PROBE_OK: ProbeResult = Object.freeze({ ok: true });

/** A failed result saying `error`. */
export function probeFailed(error: string): ProbeResult {
  return { ok: false, error };
}

/** How and as whom an exec probe's command runs: the service's user and environment. */
export interface ProbeExecContext {
  readonly spawner: ProbeSpawner;
  /** The complete environment of the command (nothing is inherited implicitly). */
  readonly env: Readonly<Record<string, string>>;
  readonly cwd?: string;
  readonly uid?: number;
  readonly gid?: number;
}

/** What an attempt needs besides its source. */
export interface ProbeContext {
  /** Every timer of the attempt goes through it (src/sys/clock.ts). */
  readonly clock: Clock;
  /** How long the attempt may take (the probe's `timeout`). */
  readonly timeoutMs: number;
  /** Ends the attempt early, as a failure `cancelled` (the service is being stopped). */
  readonly signal?: AbortSignal;
  /** Required by exec probes; without it an exec attempt fails saying so. */
  readonly exec?: ProbeExecContext;
}
