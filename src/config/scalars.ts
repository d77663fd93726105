/**
 * Reading raw YAML scalars as directive values: strings, numbers, booleans, and the boolean words
 * that an expanded `enabled` may be (docs/configuration.md). Shared by the resolution of services
 * and of logging sections, so both convert the same way.
 */

const TRUE_WORDS = ["y", "yes", "true", "on"];
const FALSE_WORDS = ["n", "no", "false", "off", ""];

/** Converts an `enabled` value: booleans as they are, strings by word; else undefined. */
export function parseEnabled(value: unknown): boolean | undefined {
  if (typeof value === "boolean") return value;
  if (typeof value !== "string") return undefined;
  const word = value.trim().toLowerCase();
  if (TRUE_WORDS.includes(word)) return true;
  if (FALSE_WORDS.includes(word)) return false;
  return undefined;
}

/** A string, number or boolean as text; undefined for anything else. */
export function str(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return undefined;
}

/** A finite number, or undefined. */
export function num(value: unknown): number | undefined {
  return typeof value === "number" && Number.isFinite(value) ? value : undefined;
}

/** A boolean, or undefined. */
export function bool(value: unknown): boolean | undefined {
  return typeof value === "boolean" ? value : undefined;
}
