/**
 * The reference for our YAML reader: how configuration files were read before it, over the
 * `yaml` package (YAML 1.1 schema with PyYAML's booleans and no timestamps). Kept verbatim as
 * it was in src/config/load.ts so tests/config/yaml_agreement_test.ts can require identical
 * results from both.
 */
import {
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  type Pair,
  parseDocument,
  type Tags,
  type YAMLMap,
} from "yaml";
import { ConfigError } from "../../src/config/config_error.ts";
import { type ConfigFile, expandTabs, type LoadOptions } from "../../src/config/load.ts";
import type { RawSection, SourcePos } from "../../src/config/schema.ts";
import { errorMessage } from "../../src/text/error_message.ts";

/** PyYAML's booleans: unlike the `yaml` package's 1.1 schema, a bare `y` or `n` stays a string. */
const TRUE_REGEXP = /^(?:[Yy]es|YES|[Tt]rue|TRUE|[Oo]n|ON)$/;
const FALSE_REGEXP = /^(?:[Nn]o|NO|[Ff]alse|FALSE|[Oo]ff|OFF)$/;

/**
 * Adjusts the `yaml` package's YAML 1.1 tags to PyYAML's reading: booleans as above, and no
 * timestamp tag so that `2024-01-02` stays a string (PyYAML makes it a date, which no directive
 * accepts; as a string it is at least usable in `env_set`).
 */
function pyyamlTags(tags: Tags): Tags {
  const out: Tags = [];
  for (const tag of tags) {
    if (typeof tag === "string") {
      out.push(tag);
    } else if (tag.tag === "tag:yaml.org,2002:timestamp") {
      continue;
    } else if (tag.tag === "tag:yaml.org,2002:bool" && tag.test) {
      out.push({ ...tag, test: tag.test.test("true") ? TRUE_REGEXP : FALSE_REGEXP });
    } else {
      out.push(tag);
    }
  }
  return out;
}

function keyText(node: unknown): string {
  if (isScalar(node)) return String(node.value);
  return String(node);
}

/**
 * Parses the text of one configuration file. Syntax errors and non-mapping sections are
 * returned as errors (all of them), duplicate keys are reported through `onWarning`.
 */
export function referenceParse(
  text: string,
  file: string,
  options: LoadOptions = {},
): { parsed: ConfigFile; errors: ConfigError[] } {
  const lineCounter = new LineCounter();
  const doc = parseDocument(expandTabs(text), {
    version: "1.1",
    uniqueKeys: false,
    prettyErrors: false,
    lineCounter,
    customTags: pyyamlTags,
  });
  const sections = new Map<string, RawSection | null>();
  const positions = new Map<string, SourcePos>();
  const parsed: ConfigFile = { file, sections, positions };
  const errors: ConfigError[] = [];
  const posOf = (node: Node | null | undefined | unknown): SourcePos => {
    const range = (node as Node | null | undefined)?.range;
    return range ? { file, line: lineCounter.linePos(range[0]).line } : { file };
  };

  const syntaxError = doc.errors[0];
  if (syntaxError !== undefined) {
    // Only the first: later ones are usually echoes of it (as PyYAML, which stops there).
    const line = lineCounter.linePos(syntaxError.pos[0]).line;
    errors.push(
      new ConfigError(`YAML syntax error: ${syntaxError.message.split("\n")[0]}`, {
        pos: { file, line },
        cause: syntaxError,
      }),
    );
    return { parsed, errors };
  }

  const warnDuplicates = (map: YAMLMap, context: string) => {
    const seen = new Set<string>();
    for (const pair of map.items as Pair[]) {
      const key = keyText(pair.key);
      if (seen.has(key)) {
        const pos = posOf(pair.key);
        options.onWarning?.(
          `${pos.file}:${pos.line ?? "?"}: ${context}duplicate key '${key}' (the later one wins)`,
        );
      }
      seen.add(key);
    }
  };

  const root = doc.contents;
  // An empty or comment-only file contributes nothing (Decision 7 in docs/migration.md).
  if (root === null || (isScalar(root) && root.value === null)) return { parsed, errors };
  if (isSeq(root)) {
    // A top-level list names sections with empty mappings, as the original accepts.
    for (const item of root.items) {
      const name = keyText(item);
      sections.set(name, {});
      positions.set(name, posOf(item));
    }
    return { parsed, errors };
  }
  if (!isMap(root)) {
    errors.push(
      new ConfigError("expected a mapping of section names at the top level", {
        pos: posOf(root),
      }),
    );
    return { parsed, errors };
  }

  warnDuplicates(root, "");
  for (const pair of root.items as Pair[]) {
    const name = keyText(pair.key);
    const sectionPos = posOf(pair.key);
    const value = pair.value as Node | null;
    positions.set(name, sectionPos);
    // Drop positions of an earlier duplicate of this section: the later one wins wholesale.
    for (const k of [...positions.keys()]) if (k.startsWith(`${name}/`)) positions.delete(k);
    if (value === null || (isScalar(value) && value.value === null)) {
      sections.set(name, null);
      continue;
    }
    if (!isMap(value)) {
      sections.delete(name);
      errors.push(
        new ConfigError(
          `expected a mapping of directives, got ${isSeq(value) ? "a list" : "a scalar"}`,
          { pos: sectionPos, directive: name },
        ),
      );
      continue;
    }
    warnDuplicates(value, `${name}: `);
    const section: RawSection = {};
    for (const dpair of value.items as Pair[]) {
      const directive = keyText(dpair.key);
      const dnode = dpair.value as Node | null;
      try {
        section[directive] = dnode === null ? null : dnode.toJS(doc);
      } catch (e) {
        // The yaml library throws here on an alias whose anchor is missing and on an alias
        // bomb (more expansions than its maxAliasCount): a problem of this file, not a crash.
        errors.push(
          new ConfigError(`YAML error: ${errorMessage(e)}`, {
            pos: posOf(dpair.key),
            directive: `${name}: ${directive}`,
          }),
        );
        continue;
      }
      positions.set(`${name}/${directive}`, posOf(dpair.key));
      if (isMap(dnode)) {
        warnDuplicates(dnode, `${name}: ${directive}: `);
        for (const epair of dnode.items as Pair[]) {
          positions.set(`${name}/${directive}/${keyText(epair.key)}`, posOf(epair.key));
        }
      }
    }
    sections.set(name, section);
  }
  return { parsed, errors };
}
