/**
 * Merges parsed configuration files in order (docs/configuration.md, "How files are merged"). A
 * `*.service` section written again replaces the earlier one wholesale; any other section is
 * updated directive by directive, where two mappings (such as `env_set`) merge one level deep and
 * anything else (lists included) is replaced. A section written without a value counts as an empty
 * mapping (Decision 7 in docs/migration.md).
 */
import type { ConfigFile } from "./load.ts";
import type { RawConfig, RawSection, SourcePos } from "./schema.ts";

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * A file's positions grouped by section, so merging stays linear in the config's size. Keys
 * are `section` or `section/directive[/key]`; a section name may itself hold a `/` (an error
 * that validate.ts reports, with this position), so the section is the known name before a `/`.
 */
function bySection(file: ConfigFile): Map<string, Map<string, SourcePos>> {
  const out = new Map<string, Map<string, SourcePos>>();
  for (const [key, pos] of file.positions) {
    let section = key;
    if (!file.sections.has(key)) {
      for (let slash = key.indexOf("/"); slash >= 0; slash = key.indexOf("/", slash + 1)) {
        if (file.sections.has(key.slice(0, slash))) {
          section = key.slice(0, slash);
          break;
        }
      }
    }
    let m = out.get(section);
    if (!m) out.set(section, m = new Map());
    m.set(key, pos);
  }
  return out;
}

function dropPositions(positions: Map<string, SourcePos>, prefix: string): void {
  for (const key of [...positions.keys()]) if (key.startsWith(prefix)) positions.delete(key);
}

/** Merges files in the given order into one RawConfig; pure. */
export function mergeConfigFiles(files: readonly ConfigFile[]): RawConfig {
  const sections = new Map<string, RawSection>();
  const sectionPositions = new Map<string, Map<string, SourcePos>>();
  for (const file of files) {
    const filePositions = bySection(file);
    for (const [name, value] of file.sections) {
      const incoming: RawSection = value ?? {};
      const earlier = sections.get(name);
      const mine = filePositions.get(name) ?? new Map<string, SourcePos>();
      if (earlier === undefined || name.endsWith(".service")) {
        sections.set(name, { ...incoming });
        sectionPositions.set(name, new Map(mine));
        continue;
      }
      const positions = sectionPositions.get(name) ?? new Map<string, SourcePos>();
      sectionPositions.set(name, positions);
      const sectionPos = mine.get(name);
      if (sectionPos && !positions.has(name)) positions.set(name, sectionPos);
      const merged: RawSection = { ...earlier };
      for (const [directive, v] of Object.entries(incoming)) {
        const old = merged[directive];
        const prefix = `${name}/${directive}`;
        if (isMapping(old) && isMapping(v)) {
          merged[directive] = { ...old, ...v };
        } else {
          merged[directive] = v;
          dropPositions(positions, `${prefix}/`);
        }
        for (const [key, pos] of mine) {
          if (key === prefix || key.startsWith(`${prefix}/`)) positions.set(key, pos);
        }
      }
      sections.set(name, merged);
    }
  }
  const positions = new Map<string, SourcePos>();
  for (const m of sectionPositions.values()) for (const [k, v] of m) positions.set(k, v);
  return { sections, positions, files: files.map((f) => f.file) };
}
