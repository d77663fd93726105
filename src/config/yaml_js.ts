/**
 * Turns a node of our YAML tree (yaml_parse.ts) into plain JavaScript values, one directive at a
 * time, as the `yaml` package's `toJS` did before (docs/configuration.md, "File format"):
 *
 * - an alias `*a` is the value of the node last anchored `&a` before it anywhere in the file;
 *   an alias without such an anchor is an error of its directive;
 * - the `yaml` package's guard against alias bombs, exactly: each anchor counts how often it
 *   was used and how many alias expansions it holds, and more than 100 expansions in one
 *   directive is an error, so a few lines cannot expand into gigabytes;
 * - YAML 1.1 merge keys (`<<: *defaults`, `<<: [*a, *b]`) insert the keys a mapping lacks;
 * - mapping keys become strings (`~` → `""`, `1.50` → `"1.5"`).
 */
import type { YamlAlias, YamlNode } from "./yaml_tree.ts";

/** The `yaml` package's maxAliasCount. */
const MAX_ALIAS_COUNT = 100;

interface AnchorData {
  count: number;
  aliasCount: number;
  res: unknown;
}

/** Converts nodes of one document; aliases resolve over the whole document. */
export class YamlValues {
  #ordered: YamlNode[] = [];
  #resolved = new Map<YamlAlias, YamlNode | undefined>();

  constructor(root: YamlNode | null) {
    if (root) this.#collect(root);
  }

  /** The node an alias refers to (the last one anchored with its name before it). */
  resolve(alias: YamlAlias): YamlNode | undefined {
    if (this.#resolved.has(alias)) return this.#resolved.get(alias);
    let found: YamlNode | undefined;
    for (const node of this.#ordered) {
      if (node === alias) break;
      if (node.anchor === alias.name) found = node;
    }
    this.#resolved.set(alias, found);
    return found;
  }

  /** The JavaScript value of `node`; throws ReferenceError for a bad alias or an alias bomb. */
  toJS(node: YamlNode): unknown {
    return this.#toJS(node, new Map());
  }

  #collect(node: YamlNode): void {
    if (node.kind === "alias" || node.anchor !== undefined) this.#ordered.push(node);
    if (node.kind === "map") {
      for (const { key, value } of node.pairs) {
        this.#collect(key);
        this.#collect(value);
      }
    } else if (node.kind === "seq") {
      for (const item of node.items) this.#collect(item);
    }
  }

  #toJS(node: YamlNode, anchors: Map<YamlNode, AnchorData>): unknown {
    const data: AnchorData | undefined = node.anchor !== undefined
      ? { count: 1, aliasCount: 0, res: undefined }
      : undefined;
    if (data) anchors.set(node, data);
    switch (node.kind) {
      case "scalar":
        if (data) data.res = node.value;
        return node.value;
      case "alias":
        return this.#alias(node, anchors);
      case "seq": {
        const out: unknown[] = [];
        if (data) data.res = out;
        for (const item of node.items) out.push(this.#toJS(item, anchors));
        return out;
      }
      case "map": {
        const out: Record<string, unknown> = {};
        if (data) data.res = out;
        for (const { key, value } of node.pairs) {
          if (key.plain && key.value === "<<") this.#merge(out, value, anchors);
          else setKey(out, key.value === null ? "" : String(key.value), this.#toJS(value, anchors));
        }
        return out;
      }
      default: {
        const _exhaustive: never = node;
        throw new TypeError(`Unexpected YAML node ${JSON.stringify(_exhaustive)}`);
      }
    }
  }

  /** Resolves an alias and counts the use against the bomb guard. */
  #source(alias: YamlAlias, anchors: Map<YamlNode, AnchorData>): YamlNode {
    const found = this.resolve(alias);
    if (!found) {
      throw new ReferenceError(
        `Unresolved alias (the anchor must be set before the alias): ${alias.name}`,
      );
    }
    let data = anchors.get(found);
    if (!data) {
      this.#toJS(found, anchors);
      data = anchors.get(found)!;
    }
    data.count += 1;
    if (data.aliasCount === 0) data.aliasCount = this.#aliasCount(found, anchors);
    if (data.count * data.aliasCount > MAX_ALIAS_COUNT) {
      throw new ReferenceError("Excessive alias count indicates a resource exhaustion attack");
    }
    return found;
  }

  #alias(alias: YamlAlias, anchors: Map<YamlNode, AnchorData>): unknown {
    return anchors.get(this.#source(alias, anchors))!.res;
  }

  /** How many expansions a node holds: what its aliases' anchors count, 1 for a scalar. */
  #aliasCount(node: YamlNode, anchors: Map<YamlNode, AnchorData>): number {
    switch (node.kind) {
      case "alias": {
        const found = this.resolve(node);
        const data = found && anchors.get(found);
        return data ? data.count * data.aliasCount : 0;
      }
      case "seq":
        return Math.max(0, ...node.items.map((n) => this.#aliasCount(n, anchors)));
      case "map":
        return Math.max(
          0,
          ...node.pairs.map((p) =>
            Math.max(this.#aliasCount(p.key, anchors), this.#aliasCount(p.value, anchors))
          ),
        );
      case "scalar":
        return 1;
      default: {
        const _exhaustive: never = node;
        throw new TypeError(`Unexpected YAML node ${JSON.stringify(_exhaustive)}`);
      }
    }
  }

  /** `<<`: each source mapping adds the keys `out` does not have yet. */
  #merge(out: Record<string, unknown>, value: YamlNode, anchors: Map<YamlNode, AnchorData>) {
    const source = value.kind === "alias" ? this.#source(value, anchors) : value;
    const sources = source.kind === "seq" ? source.items : [source];
    for (const item of sources) {
      const map = item.kind === "alias" ? this.#source(item, anchors) : item;
      if (map.kind !== "map") throw new Error("Merge sources must be maps or map aliases");
      // A fresh copy of the source's values (its own anchor is not counted again).
      const { anchor: _anchor, ...unanchored } = map;
      const values = this.#toJS(unanchored, anchors);
      for (const [k, v] of Object.entries(values as Record<string, unknown>)) {
        if (!Object.prototype.hasOwnProperty.call(out, k)) setKey(out, k, v);
      }
    }
  }
}

/** Sets a key, also one such as `__proto__` that plain assignment would not create. */
function setKey(out: Record<string, unknown>, key: string, value: unknown): void {
  if (key in out) {
    Object.defineProperty(out, key, {
      value,
      writable: true,
      enumerable: true,
      configurable: true,
    });
  } else {
    out[key] = value;
  }
}
