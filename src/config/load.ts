/**
 * Finds and parses configuration files (docs/configuration.md, "Where the configuration
 * comes from" and "File format"). A path is either one file or a
 * directory whose top-level `*.conf` and `*.yaml` entries are read in code-point order. Files are
 * YAML 1.1 as PyYAML reads them (yes/no/on/off booleans, sexagesimal numbers, tabs expanded to
 * 8-column stops, duplicate keys: last wins), read by our own reader (yaml_parse.ts). Every
 * section key and directive keeps its line so that later stages can say where a problem was
 * written.
 */
import { parseYaml } from "./yaml_parse.ts";
import { YamlValues } from "./yaml_js.ts";
import type { YamlMap, YamlNode, YamlScalar } from "./yaml_tree.ts";
import { YamlSyntaxError } from "./yaml_tree.ts";
import { ConfigError } from "./config_error.ts";
import type { RawSection, SourcePos } from "./schema.ts";
import { errorMessage } from "../text/error_message.ts";

/** One parsed file: its sections in written order, with positions. */
export interface ConfigFile {
  readonly file: string;
  /** Section name → directives; `null` when the section was written without a value. */
  readonly sections: Map<string, RawSection | null>;
  /** Position of each section key, each directive (`section/directive`) and each `env_set` entry. */
  readonly positions: Map<string, SourcePos>;
}

/** The files making up a configuration path, and `_CHAP_CONFIG_DIR` when the path exists. */
export interface LocatedConfig {
  readonly files: readonly string[];
  readonly configDir?: string;
}

/** Result of reading a whole configuration path. */
export interface LoadedFiles extends LocatedConfig {
  readonly parsed: readonly ConfigFile[];
  /** Problems found while reading (syntax errors, sections that are not mappings). */
  readonly errors: readonly ConfigError[];
}

/** Options for reading configuration files. */
export interface LoadOptions {
  /** Receives non-fatal findings such as duplicate keys. */
  onWarning?(message: string): void;
}

const CONFIG_NAME_REGEXP = /\.(conf|yaml)$/;

/** Expands tabs to spaces with tab stops every 8 columns, per line (Python's `expandtabs`). */
export function expandTabs(text: string): string {
  if (!text.includes("\t")) return text;
  let out = "";
  let column = 0;
  for (const c of text) {
    if (c === "\t") {
      const n = 8 - (column % 8);
      out += " ".repeat(n);
      column += n;
    } else {
      out += c;
      column = c === "\n" || c === "\r" ? 0 : column + 1;
    }
  }
  return out;
}

/** Python's `os.path.dirname`: `/a/b` → `/a`, and `/a/b/` → `/a/b` (the trailing-slash quirk). */
export function configDirOf(path: string): string {
  const head = path.slice(0, path.lastIndexOf("/") + 1);
  if (head !== "" && !/^\/+$/.test(head)) return head.replace(/\/+$/, "");
  return head;
}

function compareCodePoints(a: string, b: string): number {
  const x = [...a];
  const y = [...b];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = x[i]!.codePointAt(0)! - y[i]!.codePointAt(0)!;
    if (d !== 0) return d;
  }
  return x.length - y.length;
}

/**
 * Lists the files of a configuration path (absolute): a file is the only source; a directory
 * contributes its `*.conf` and `*.yaml` entries (hidden ones too) sorted by code point. A
 * missing path is an empty configuration, not an error, and then has no config dir.
 */
export async function locateConfig(path: string): Promise<LocatedConfig> {
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(path);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return { files: [] };
    throw new ConfigError(`cannot read configuration path: ${errorMessage(err)}`, {
      pos: { file: path },
      cause: err,
    });
  }
  const configDir = configDirOf(path);
  if (!info.isDirectory) return { files: [path], configDir };
  const names: string[] = [];
  try {
    for await (const entry of Deno.readDir(path)) {
      if (CONFIG_NAME_REGEXP.test(entry.name)) names.push(entry.name);
    }
  } catch (err) {
    throw new ConfigError(`cannot read configuration directory: ${errorMessage(err)}`, {
      pos: { file: path },
      cause: err,
    });
  }
  names.sort(compareCodePoints);
  const dir = path.endsWith("/") ? path : `${path}/`;
  return { files: names.map((n) => `${dir}${n}`), configDir };
}

function keyText(node: YamlNode): string {
  return node.kind === "scalar" ? String(node.value) : `*${node.kind === "alias" ? node.name : ""}`;
}

const isNull = (node: YamlNode) => node.kind === "scalar" && node.value === null;

/**
 * Parses the text of one configuration file. Syntax errors and non-mapping sections are
 * returned as errors (all of them), duplicate keys are reported through `onWarning`.
 */
export function parseConfigText(
  text: string,
  file: string,
  options: LoadOptions = {},
): { parsed: ConfigFile; errors: ConfigError[] } {
  const sections = new Map<string, RawSection | null>();
  const positions = new Map<string, SourcePos>();
  const parsed: ConfigFile = { file, sections, positions };
  const errors: ConfigError[] = [];
  const posOf = (node: YamlNode): SourcePos => ({ file, line: node.line });

  let root: YamlNode | null;
  try {
    root = parseYaml(expandTabs(text));
  } catch (err) {
    if (!(err instanceof YamlSyntaxError)) throw err;
    // Only the first: later ones are usually echoes of it (as PyYAML, which stops there).
    errors.push(
      new ConfigError(`YAML syntax error: ${err.message}`, {
        pos: { file, line: err.line },
        cause: err,
      }),
    );
    return { parsed, errors };
  }
  const values = new YamlValues(root);

  const warnDuplicates = (map: YamlMap, context: string) => {
    const seen = new Set<string>();
    for (const pair of map.pairs) {
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
  // A merge key where sections or directives are named would name nothing.
  const mergeKey = (key: YamlScalar, where: string) => {
    if (!key.plain || key.value !== "<<") return false;
    errors.push(
      new ConfigError(`YAML merge keys (<<) are only allowed inside directive values ${where}`, {
        pos: posOf(key),
      }),
    );
    return true;
  };

  // An empty or comment-only file contributes nothing (Decision 7 in docs/migration.md).
  if (root === null || isNull(root)) return { parsed, errors };
  if (root.kind === "seq") {
    // A top-level list names sections with empty mappings, as the original accepts.
    for (const item of root.items) {
      const name = keyText(item);
      sections.set(name, {});
      positions.set(name, posOf(item));
    }
    return { parsed, errors };
  }
  if (root.kind !== "map") {
    errors.push(
      new ConfigError("expected a mapping of section names at the top level", {
        pos: posOf(root),
      }),
    );
    return { parsed, errors };
  }

  warnDuplicates(root, "");
  for (const pair of root.pairs) {
    if (mergeKey(pair.key, "(not at the top level)")) continue;
    const name = keyText(pair.key);
    const sectionPos = posOf(pair.key);
    const value = pair.value;
    positions.set(name, sectionPos);
    // Drop positions of an earlier duplicate of this section: the later one wins wholesale.
    for (const k of [...positions.keys()]) if (k.startsWith(`${name}/`)) positions.delete(k);
    if (isNull(value)) {
      sections.set(name, null);
      continue;
    }
    if (value.kind !== "map") {
      sections.delete(name);
      errors.push(
        new ConfigError(
          `expected a mapping of directives, got ${value.kind === "seq" ? "a list" : "a scalar"}`,
          { pos: sectionPos, directive: name },
        ),
      );
      continue;
    }
    warnDuplicates(value, `${name}: `);
    const section: RawSection = {};
    for (const dpair of value.pairs) {
      if (mergeKey(dpair.key, `(not in section ${name})`)) continue;
      const directive = keyText(dpair.key);
      const dnode = dpair.value;
      try {
        section[directive] = values.toJS(dnode);
      } catch (e) {
        // An alias whose anchor is missing, an alias bomb (more expansions than the guard
        // allows), a merge of something that is not a mapping: a problem of this file.
        errors.push(
          new ConfigError(`YAML error: ${errorMessage(e)}`, {
            pos: posOf(dpair.key),
            directive: `${name}: ${directive}`,
          }),
        );
        continue;
      }
      positions.set(`${name}/${directive}`, posOf(dpair.key));
      if (dnode.kind === "map") {
        warnDuplicates(dnode, `${name}: ${directive}: `);
        for (const epair of dnode.pairs) {
          if (epair.key.plain && epair.key.value === "<<") continue; // a merge, not a key
          positions.set(`${name}/${directive}/${keyText(epair.key)}`, posOf(epair.key));
        }
      }
    }
    sections.set(name, section);
  }
  return { parsed, errors };
}

/**
 * Reads every file of a configuration path (absolute) and parses it. All problems of all files
 * are collected in `errors`; a file that cannot be read (a directory named `x.conf`) is one.
 */
export async function loadConfigFiles(
  path: string,
  options: LoadOptions = {},
): Promise<LoadedFiles> {
  const located = await locateConfig(path);
  const parsed: ConfigFile[] = [];
  const errors: ConfigError[] = [];
  for (const file of located.files) {
    let text: string;
    try {
      text = await Deno.readTextFile(file);
    } catch (err) {
      errors.push(
        new ConfigError(`cannot read configuration file: ${errorMessage(err)}`, {
          pos: { file },
          cause: err,
        }),
      );
      continue;
    }
    const result = parseConfigText(text, file, options);
    parsed.push(result.parsed);
    errors.push(...result.errors);
  }
  return { ...located, parsed, errors };
}
