/**
 * Signal names and numbers for Linux on x86_64 and arm64 (both use the generic numbering for
 * 1–31), plus a listener helper. Deno's own APIs take signal *names*; configuration, wait
 * statuses and the exit-code contract speak in *numbers*, so every conversion goes through here.
 */

/**
 * Signal numbers by canonical name: the one table every signal number in Chaperone comes from
 * (`SIGNO.SIGTERM`, never a bare 15).
 */
export const SIGNO = Object.freeze(
  {
    SIGHUP: 1,
    SIGINT: 2,
    SIGQUIT: 3,
    SIGILL: 4,
    SIGTRAP: 5,
    SIGABRT: 6,
    SIGBUS: 7,
    SIGFPE: 8,
    SIGKILL: 9,
    SIGUSR1: 10,
    SIGSEGV: 11,
    SIGUSR2: 12,
    SIGPIPE: 13,
    SIGALRM: 14,
    SIGTERM: 15,
    SIGSTKFLT: 16,
    SIGCHLD: 17,
    SIGCONT: 18,
    SIGSTOP: 19,
    SIGTSTP: 20,
    SIGTTIN: 21,
    SIGTTOU: 22,
    SIGURG: 23,
    SIGXCPU: 24,
    SIGXFSZ: 25,
    SIGVTALRM: 26,
    SIGPROF: 27,
    SIGWINCH: 28,
    SIGIO: 29,
    SIGPWR: 30,
    SIGSYS: 31,
  } as const,
);

/** Canonical signal names indexed by number (index 0 is unused). */
const NAMES: readonly string[] = Object.entries(SIGNO).reduce(
  (names, [name, n]) => {
    names[n] = name;
    return names;
  },
  [""],
);

/** Alternative names the kernel headers (and Python's signal module) also accept. */
const ALIASES: Readonly<Record<string, number>> = {
  SIGIOT: 6,
  SIGCLD: 17,
  SIGPOLL: 29,
};

/** Signal numbers by name, aliases included (e.g. `SIGTERM` → 15). */
export const SIGNALS: Readonly<Record<string, number>> = Object.freeze({ ...SIGNO, ...ALIASES });

/** The highest standard (non real-time) signal number on Linux. */
export const MAX_SIGNAL = NAMES.length - 1;

const DIGITS_REGEXP = /^[0-9]+$/;

/**
 * Parses a signal specifier: `SIGTERM`, `TERM`, `term` or `15` (a number is accepted too).
 * Throws a RangeError `Invalid signal specifier: X` for anything else.
 */
export function parseSignal(spec: string | number): number {
  if (typeof spec === "number") {
    if (Number.isInteger(spec) && spec >= 1 && spec <= MAX_SIGNAL) return spec;
    throw new RangeError(`Invalid signal specifier: ${spec}`);
  }
  const text = spec.trim();
  if (DIGITS_REGEXP.test(text)) {
    const n = Number(text);
    if (n >= 1 && n <= MAX_SIGNAL) return n;
    throw new RangeError(`Invalid signal specifier: ${spec}`);
  }
  const upper = text.toUpperCase();
  const name = upper.startsWith("SIG") ? upper : `SIG${upper}`;
  const n = SIGNALS[name];
  if (n === undefined) throw new RangeError(`Invalid signal specifier: ${spec}`);
  return n;
}

/** The canonical name of a signal number (`15` → `SIGTERM`); `SIG<n>` for an unknown number. */
export function signalName(signo: number): string {
  return NAMES[signo] || `SIG${signo}`;
}

/** The Deno.Signal name for a signal number, for Deno.kill; throws RangeError if it has none. */
export function denoSignal(signo: number): Deno.Signal {
  const name = NAMES[signo];
  if (!name) throw new RangeError(`Invalid signal specifier: ${signo}`);
  return name as Deno.Signal;
}

/** The signal number of a Deno.Signal name (`"SIGTERM"` → 15). */
export function signalNumber(name: Deno.Signal): number {
  const n = SIGNALS[name];
  if (n === undefined) throw new RangeError(`Invalid signal specifier: ${name}`);
  return n;
}

/** Options for onSignals(). */
export interface OnSignalsOptions {
  /** Removes the listeners when aborted. */
  signal?: AbortSignal;
}

/**
 * Calls `handler(signo)` whenever one of `signals` (numbers) arrives. Returns a function that
 * removes the listeners; aborting `options.signal` does the same.
 */
export function onSignals(
  signals: readonly number[],
  handler: (signo: number) => void,
  options: OnSignalsOptions = {},
): () => void {
  const installed: [Deno.Signal, () => void][] = [];
  for (const signo of signals) {
    const name = denoSignal(signo);
    const listener = () => handler(signo);
    Deno.addSignalListener(name, listener);
    installed.push([name, listener]);
  }
  let removed = false;
  const remove = () => {
    if (removed) return;
    removed = true;
    for (const [name, listener] of installed) Deno.removeSignalListener(name, listener);
    options.signal?.removeEventListener("abort", remove);
  };
  if (options.signal?.aborted) remove();
  else options.signal?.addEventListener("abort", remove, { once: true });
  return remove;
}
