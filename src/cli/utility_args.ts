/**
 * The command-line reader of the subcommands (`ctl`/`telchap`, `check`, `envcp`, `sdnotify`,
 * `sdnotify-exec`), with the original's docopt rules rather than node:util's parseArgs:
 * long options may be abbreviated to any unambiguous prefix (`envcp --xgroup '('` from the
 * chaperone-docker base image's scripts), and a value may be the next word even when it starts
 * with `-`. Short flags may be grouped (`-va`); `--` ends the options; a lone `-` is a
 * positional.
 */
import { ambiguousOptionMessage, matchLongOption } from "../sys/long_option.ts";
import { UsageError } from "../text/usage_error.ts";

/** One option: a flag or an option with a value, and its one-letter form if it has one. */
export interface UtilityOption {
  readonly type: "boolean" | "string";
  readonly short?: string;
}

/** The values read for a set of options: true for a given flag, the text of a given value. */
export type UtilityValues<S extends Record<string, UtilityOption>> = {
  -readonly [K in keyof S]?: S[K]["type"] extends "string" ? string : boolean;
};

/** A command line that does not fit the utility's options; the message says why. */
/** How to read the words. */
export interface UtilityArgsOptions {
  /**
   * Options end at the first positional (docopt's `options_first`): what follows is a command
   * and its own arguments (`sdnotify-exec`, `ctl`). Otherwise options may come anywhere.
   */
  readonly optionsFirst?: boolean;
}

/**
 * Reads `args` against `spec` (option names without `--`). Throws UsageError for an
 * unknown or ambiguous option, a flag given a value, or a missing value.
 */
export function parseUtilityArgs<S extends Record<string, UtilityOption>>(
  args: readonly string[],
  spec: S,
  options: UtilityArgsOptions = {},
): { values: UtilityValues<S>; positionals: string[] } {
  const values: Record<string, string | boolean> = {};
  const positionals: string[] = [];
  const longNames = Object.keys(spec).map((name) => `--${name}`);
  let i = 0;
  for (; i < args.length; i++) {
    const word = args[i]!;
    if (word === "--") {
      i++;
      break;
    }
    if (word.startsWith("--")) {
      const eq = word.indexOf("=");
      const written = eq < 0 ? word : word.slice(0, eq);
      const match = matchLongOption(written, longNames);
      switch (match.kind) {
        case "unknown":
          throw new UsageError(`unknown option ${written}`);
        case "ambiguous":
          throw new UsageError(ambiguousOptionMessage(written, match.candidates));
        case "found":
          break;
      }
      const name = match.name.slice(2);
      if (spec[name]!.type === "boolean") {
        if (eq >= 0) throw new UsageError(`${match.name} must not have an argument`);
        values[name] = true;
      } else if (eq >= 0) {
        values[name] = word.slice(eq + 1);
      } else {
        const next = args[i + 1];
        if (next === undefined) throw new UsageError(`${match.name} requires an argument`);
        values[name] = next;
        i++;
      }
      continue;
    }
    if (word.startsWith("-") && word !== "-") {
      i += readShortGroup(args, i, spec, values);
      continue;
    }
    if (options.optionsFirst) break;
    positionals.push(word);
  }
  positionals.push(...args.slice(i));
  return { values: values as UtilityValues<S>, positionals };
}

/**
 * Reads `-abc` (flags) or `-xVALUE` / `-x VALUE` (a short option with a value); returns how
 * many words beyond the current one it consumed.
 */
function readShortGroup(
  args: readonly string[],
  at: number,
  spec: Record<string, UtilityOption>,
  values: Record<string, string | boolean>,
): number {
  const word = args[at]!;
  for (let j = 1; j < word.length; j++) {
    const letter = word[j]!;
    const name = Object.keys(spec).find((key) => spec[key]!.short === letter);
    if (name === undefined) throw new UsageError(`unknown option -${letter}`);
    if (spec[name]!.type === "boolean") {
      values[name] = true;
      continue;
    }
    if (j + 1 < word.length) {
      values[name] = word.slice(j + 1);
      return 0;
    }
    const next = args[at + 1];
    if (next === undefined) throw new UsageError(`-${letter} requires an argument`);
    values[name] = next;
    return 1;
  }
  return 0;
}
