/**
 * `after`/`before` entries that name neither a service nor a group. The dependency graph
 * ignores them (as the original does), so a slip such as `after: db` for `db.service` would
 * silently order nothing: each one is a warning naming file, line and a likely meant name.
 * `chaperone check --strict` turns the warnings into a failure.
 */
import type { RawConfig, SourcePos } from "./schema.ts";
import { escapeControls } from "./names.ts";
import { didYouMean } from "./suggest.ts";
import { isUpperCaseName, sectionKind, splitNameList } from "./validate.ts";

/** Calls `warn` once for every `after`/`before` entry that matches no service and no group. */
export function warnUnknownReferences(
  raw: RawConfig,
  posOf: (section: string, directive?: string) => SourcePos,
  warn: (message: string) => void,
): void {
  const services: string[] = [];
  const groups = new Set<string>();
  for (const [name, section] of raw.sections) {
    if (sectionKind(name) !== "service") continue;
    services.push(name);
    const list = typeof section.service_groups === "string"
      ? splitNameList(section.service_groups)
      : [];
    for (const g of list) groups.add(g);
  }
  const known = new Set([...services, ...groups]);
  for (const name of services) {
    const section = raw.sections.get(name)!;
    for (const directive of ["after", "before"] as const) {
      const value = section[directive];
      if (typeof value !== "string") continue;
      for (const item of splitNameList(value)) {
        // Upper-case names are the system's (IDLE, INIT, CONSOLE, MAIN; validate.ts checks
        // them). `default` is the implicit group: `before: default` in an INIT service is an
        // idiom that stays right when an ungrouped service is added later.
        if (known.has(item) || item === "default" || isUpperCaseName(item)) continue;
        const hint = known.has(`${item}.service`)
          ? ` (did you mean '${item}.service'?)`
          : didYouMean(item, known);
        const pos = posOf(name, directive);
        warn(
          `${pos.file}${pos.line ? `:${pos.line}` : ""}: ${escapeControls(name)}: ${directive}: '${
            escapeControls(item)
          }' matches no service and no group, so it orders nothing${hint}`,
        );
      }
    }
  }
}
