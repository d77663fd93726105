/**
 * Merges parsed configuration files in order (spec §2.3). A `*.service` section written again
 * replaces the earlier one wholesale; any other section is updated directive by directive, where
 * two mappings (such as `env_set`) merge one level deep and anything else (lists included) is
 * replaced. A section written without a value counts as an empty mapping (Decision 7).
 */
import type { ConfigFile } from "./load.ts";
import type { RawConfig, RawSection, SourcePos } from "./schema.ts";

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function dropPositions(positions: Map<string, SourcePos>, prefix: string): void {
  for (const key of [...positions.keys()]) if (key.startsWith(prefix)) positions.delete(key);
}

/** Merges files in the given order into one RawConfig; pure. */
export function mergeConfigFiles(files: readonly ConfigFile[]): RawConfig {
  const sections = new Map<string, RawSection>();
  const positions = new Map<string, SourcePos>();
  for (const file of files) {
    for (const [name, value] of file.sections) {
      const incoming: RawSection = value ?? {};
      const earlier = sections.get(name);
      const sectionPos = file.positions.get(name);
      if (earlier === undefined || name.endsWith(".service")) {
        sections.set(name, { ...incoming });
        dropPositions(positions, `${name}/`);
        if (sectionPos) positions.set(name, sectionPos);
        for (const [key, pos] of file.positions) {
          if (key.startsWith(`${name}/`)) positions.set(key, pos);
        }
        continue;
      }
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
        for (const [key, pos] of file.positions) {
          if (key === prefix || key.startsWith(`${prefix}/`)) positions.set(key, pos);
        }
      }
      sections.set(name, merged);
    }
  }
  return { sections, positions, files: files.map((f) => f.file) };
}
