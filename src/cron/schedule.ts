/**
 * Cron schedules: what an `interval` means and when it fires ("Cron intervals" in
 * docs/configuration.md). Five fields `M H DOM MON DOW`, or six where the sixth is SECONDS, as
 * the original read them with croniter, plus the nicknames yearly/annually/monthly/weekly/
 * daily/hourly with or without `@`. croner puts seconds first, so a six-field spec is rotated.
 *
 * The one file that imports croner: the configuration validates an interval with
 * toCronerPattern() when it is loaded, and a run schedules it with schedule().
 */
import { Cron } from "croner";

/** Five-field equivalents of the nicknames croniter's users write (`@reboot` is not one). */
export const CRON_NICKNAMES: Readonly<Record<string, string>> = {
  yearly: "0 0 1 1 *",
  annually: "0 0 1 1 *",
  monthly: "0 0 1 * *",
  weekly: "0 0 * * 0",
  daily: "0 0 * * *",
  hourly: "0 * * * *",
};

/** The five-field form of a nickname (`@daily`, `hourly`), or undefined for other specs. */
export function cronNickname(interval: string): string | undefined {
  const key = interval.trim().replace(/^@/, "").toLowerCase();
  return Object.hasOwn(CRON_NICKNAMES, key) ? CRON_NICKNAMES[key] : undefined;
}

/**
 * Converts a chaperone cron interval to a croner pattern and checks it with croner.
 * Throws SyntaxError `not a valid cron interval specification, '<spec>'`.
 */
export function toCronerPattern(interval: string): string {
  const invalid = (cause?: unknown) =>
    new SyntaxError(
      `not a valid cron interval specification, '${interval}'`,
      cause === undefined ? undefined : { cause },
    );
  const spec = cronNickname(interval) ?? interval.trim();
  const fields = spec.split(/\s+/).filter((f) => f !== "");
  let pattern: string;
  if (fields.length === 5) {
    pattern = fields.join(" ");
  } else if (fields.length === 6) {
    pattern = [fields[5], ...fields.slice(0, 5)].join(" ");
  } else {
    throw invalid();
  }
  try {
    new Cron(pattern, { paused: true }).stop();
  } catch (err) {
    throw invalid(err);
  }
  return pattern;
}

/** A running cron schedule. */
export interface CronSchedule {
  /** When the next tick is due, or null when none will come. */
  nextRun(): Date | null;
  stop(): void;
}

/** Calls `onTick` at every time the interval names (local time; honours TZ). */
export function schedule(interval: string, onTick: () => void): CronSchedule {
  const job = new Cron(toCronerPattern(interval), { protect: false }, onTick);
  return {
    nextRun: () => job.nextRun(),
    stop: () => job.stop(),
  };
}
