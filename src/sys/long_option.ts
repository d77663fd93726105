/**
 * docopt's rule for long options, which the original's command lines rely on: an option may be
 * written as any prefix of its name that names no other option (`--create` for `--create-user`,
 * `--xgroup` for `--xgrouping`). Every command line of Chaperone resolves its long options here:
 * `chaperone` itself, `ctl`/`telchap` and the options of its commands, `check`, `envcp`,
 * `sdnotify` and `sdnotify-exec`. Pure; each caller turns a miss into its own usage error.
 */

/** What a written long option name means among the known names. */
export type LongOptionMatch =
  | { readonly kind: "found"; readonly name: string }
  | { readonly kind: "unknown" }
  | { readonly kind: "ambiguous"; readonly candidates: readonly string[] };

/**
 * Resolves `written` against `known` (both in the same form, with or without the leading
 * `--`): an exact name wins, else the one name it is a prefix of. An empty name is unknown.
 */
export function matchLongOption(written: string, known: readonly string[]): LongOptionMatch {
  if (known.includes(written)) return { kind: "found", name: written };
  const bare = written.replace(/^--/, "");
  if (bare === "") return { kind: "unknown" };
  const candidates = known.filter((name) => name.startsWith(written));
  if (candidates.length === 1) return { kind: "found", name: candidates[0]! };
  return candidates.length === 0 ? { kind: "unknown" } : { kind: "ambiguous", candidates };
}

/** The usage error text for an ambiguous prefix, naming every candidate (as docopt words it). */
export function ambiguousOptionMessage(written: string, candidates: readonly string[]): string {
  return `${written} is not a unique prefix: ${candidates.join(", ")}?`;
}
