/**
 * Chaperone's own YAML reader, for what configuration files are written in: block and flow
 * mappings and sequences, plain, single- and double-quoted scalars (multi-line, folded), literal
 * and folded block scalars (`|`, `>`, with chomping and indentation indicators), comments,
 * anchors and aliases, `!!str`, and a `---` / `...` around the one document.
 *
 * Why not the `yaml` package: loaded through Deno's npm and CommonJS layers it added about 13 MB
 * of resident memory and tens of milliseconds to every boot of PID 1 (docs/benchmarks.md). It
 * stays the reference: a test parses generated configurations and every fixture with both and
 * requires identical results (tests/config/yaml_agreement_test.ts). Anything else YAML allows
 * that configurations have no use for (complex `?` keys, collections as keys, other tags,
 * `%` directives, several documents) is a syntax error naming its line, never a silent
 * misreading (Decision 29 in docs/migration.md). Error messages and lines follow the `yaml`
 * package's where configurations trip.
 *
 * The input has its tabs expanded already (load.ts); `\r\n` is read as a line break.
 */
import type { YamlAlias, YamlMap, YamlNode, YamlPair, YamlScalar, YamlSeq } from "./yaml_tree.ts";
import { FLOW_INDICATORS, isBlank } from "./yaml_cursor.ts";
import { foldLines, type Read, YamlScalarReader } from "./yaml_scalars.ts";

/** Parses one YAML document; null when it is empty (only comments, or nothing). */
export function parseYaml(text: string): YamlNode | null {
  return new Parser(text.replace(/\r\n/g, "\n").replace(/^\uFEFF/, "")).document();
}

class Parser extends YamlScalarReader {
  document(): YamlNode | null {
    this.skipBlank();
    if (this.peek() === "%") this.fail("Directives (%) are not supported");
    if (this.marker("---")) {
      this.pos += 3;
      this.skipSpaces();
      if (!this.atLineEnd()) this.fail("Content on the --- line is not supported");
      this.skipBlank();
    }
    let node: YamlNode | null = null;
    if (!this.atEnd() && !this.marker("...") && !this.marker("---")) {
      node = this.blockNode(-1, false);
      this.skipBlank();
    }
    if (this.marker("...")) {
      this.pos += 3;
      this.skipBlank();
    }
    if (this.marker("---")) {
      this.fail("Source contains multiple documents; please use YAML.parseAllDocuments()");
    }
    if (!this.atEnd()) this.fail("Unexpected content after the document");
    return node;
  }

  /**
   * A node starting here (pos on its first character). `parent` is the indentation of the
   * collection holding it; `compact` is true for a value on its key's line, where a block
   * mapping may not start.
   */
  protected blockNode(parent: number, compact: boolean): YamlNode {
    const start = this.pos;
    const anchor = this.properties();
    if (anchor !== undefined && this.atLineEnd()) {
      // `key: &a` with the node on the following lines.
      this.skipBlank();
      const col = this.col();
      if (this.atEnd() || col < parent || (col === parent && !this.seqIndicator())) {
        return { kind: "scalar", value: null, plain: true, line: this.lineOf(start), anchor };
      }
      return withAnchor(this.blockNode(parent, false), anchor);
    }
    const line = this.lineOf(this.pos);
    const col = this.col();
    const c = this.peek();
    let node: YamlNode;
    if (this.seqIndicator()) {
      if (compact) this.fail("Unexpected block-seq-ind on same line with key");
      node = this.blockSeq(col);
    } else if (c === "?" && isBlank(this.peek(1))) {
      this.fail("Complex mapping keys (?) are not supported");
    } else if (c === "|" || c === ">") {
      node = this.blockScalar(parent);
    } else if (c === "*" || c === "[" || c === "{") {
      node = c === "*" ? this.alias() : this.flowCollection();
      this.skipSpaces();
      if (this.peek() === ":" && isBlank(this.peek(1))) {
        this.fail("Collections and aliases as mapping keys are not supported");
      }
      this.endOfLine();
    } else {
      const first = this.emptyKey() ?? this.scalar(parent, false);
      this.skipSpaces();
      if (this.peek() === ":" && isBlank(this.peek(1))) {
        if (compact) this.fail("Nested mappings are not allowed in compact mappings", start);
        if (this.lineOf(this.pos) !== line) {
          this.fail("Implicit keys need to be on a single line", start);
        }
        if (anchor !== undefined) this.fail("Anchors on mapping keys are not supported", start);
        node = this.blockMap(col, first.node);
      } else {
        if (first.plain && !this.atLineEnd()) this.fail("Unexpected content", this.pos);
        node = first.plain ? this.plainRest(first, parent, start) : first.node;
        if (!first.plain) this.endOfLine();
      }
    }
    return anchor === undefined ? node : withAnchor(node, anchor);
  }

  protected seqIndicator(): boolean {
    return this.peek() === "-" && isBlank(this.peek(1));
  }

  /** A block mapping at column `indent` whose first key was read (pos on its `:`). */
  protected blockMap(indent: number, firstKey: YamlScalar): YamlMap {
    const pairs: YamlPair[] = [];
    let key = firstKey;
    for (;;) {
      this.pos++; // the ":"
      pairs.push({ key, value: this.mapValue(indent, key.line) });
      this.skipBlank();
      if (this.atEnd() || this.marker("---") || this.marker("...")) break;
      const col = this.col();
      if (col < indent) break;
      if (col > indent) this.fail("All mapping items must start at the same column");
      key = this.mapKey();
    }
    return { kind: "map", pairs, line: firstKey.line };
  }

  /** A key at the mapping's column: a scalar on one line, then `:`. */
  protected mapKey(): YamlScalar {
    const start = this.pos;
    this.asText = false;
    const c = this.peek();
    if (this.seqIndicator()) this.fail("Implicit keys need to be on a single line");
    if (c === "?" && isBlank(this.peek(1))) {
      this.fail("Complex mapping keys (?) are not supported");
    }
    if (c === "&" || c === "!" || c === "*" || c === "[" || c === "{") {
      this.fail("Anchors, tags, aliases and collections as mapping keys are not supported");
    }
    const { node } = this.emptyKey() ?? this.scalar(-1, false);
    this.skipSpaces();
    if (this.peek() !== ":" || !isBlank(this.peek(1))) {
      this.fail("Implicit map keys need to be followed by map values", start);
    }
    if (this.lineOf(this.pos) !== node.line) {
      this.fail("Implicit keys need to be on a single line", start);
    }
    return node;
  }

  /** The value after a key's `:` (pos just after it); a null scalar when there is none. */
  protected mapValue(indent: number, keyLine: number): YamlNode {
    this.skipSpaces();
    if (!this.atLineEnd()) return this.blockNode(indent, true);
    const empty: YamlScalar = { kind: "scalar", value: null, plain: true, line: keyLine };
    const back = this.pos;
    this.skipBlank();
    if (this.atEnd() || this.marker("---") || this.marker("...")) return empty;
    const col = this.col();
    if (col > indent) return this.blockNode(indent, false);
    if (col === indent && this.seqIndicator()) return this.blockSeq(indent);
    this.pos = back;
    return empty;
  }

  /** A block sequence whose `-` entries are at column `indent` (pos on the first `-`). */
  protected blockSeq(indent: number): YamlSeq {
    const items: YamlNode[] = [];
    const line = this.lineOf(this.pos);
    for (;;) {
      const itemLine = this.lineOf(this.pos);
      this.pos++; // the "-"
      this.skipSpaces();
      if (this.atLineEnd()) {
        const back = this.pos;
        this.skipBlank();
        if (!this.atEnd() && this.col() > indent) items.push(this.blockNode(indent, false));
        else {
          this.pos = back;
          items.push({ kind: "scalar", value: null, plain: true, line: itemLine });
        }
      } else {
        items.push(this.blockNode(indent, false));
      }
      this.skipBlank();
      if (this.atEnd() || this.marker("---") || this.marker("...")) break;
      const col = this.col();
      if (col < indent) break;
      if (col > indent) this.fail("All sequence items must start at the same column");
      if (!this.seqIndicator()) break;
    }
    return { kind: "seq", items, line };
  }

  /**
   * The lines after a plain scalar's first one that continue it (indented more than `parent`),
   * folded as YAML folds them: one line break becomes a space, each empty line a line break.
   */
  protected plainRest(first: Read, parent: number, start: number): YamlScalar {
    let text = first.text;
    let raw = true;
    for (;;) {
      const save = this.pos;
      const breaks = this.skipBreaks();
      if (breaks === 0 || this.atEnd() || this.col() <= parent || this.peek() === "#") {
        this.pos = save;
        break;
      }
      if (this.marker("---") || this.marker("...")) {
        this.pos = save;
        break;
      }
      const more = this.plainLine(false, true);
      this.skipSpaces();
      if (this.peek() === ":" && isBlank(this.peek(1))) {
        this.fail("Nested mappings are not allowed in compact mappings", start);
      }
      text = foldLines(text, breaks, more);
      raw = false;
      if (this.peek() === "#") break;
    }
    return raw ? first.node : { ...first.node, value: this.plainValue(text) };
  }

  /** `&anchor` and `!!str` before a node; returns the anchor. Other tags are refused. */
  protected properties(): string | undefined {
    let anchor: string | undefined;
    this.asText = false;
    for (;;) {
      const c = this.peek();
      if (c === "&") anchor = this.name("anchor");
      else if (c === "!") {
        const start = this.pos;
        const tag = this.name("tag");
        if (tag !== "!str") this.fail(`The tag !${tag} is not supported`, start);
        this.asText = true;
      } else return anchor;
      this.skipSpaces();
    }
  }

  protected name(what: string): string {
    const start = ++this.pos;
    while (!isBlank(this.peek()) && !FLOW_INDICATORS.includes(this.peek()!)) this.pos++;
    if (this.pos === start) this.fail(`An ${what} needs a name`);
    return this.src.slice(start, this.pos);
  }

  protected alias(): YamlAlias {
    const line = this.lineOf(this.pos);
    return { kind: "alias", name: this.name("alias"), line };
  }

  protected flowNode(): YamlNode {
    const anchor = this.properties();
    this.skipBlank();
    const c = this.peek();
    let node: YamlNode;
    if (c === "*") node = this.alias();
    else if (c === "[" || c === "{") node = this.flowCollection();
    else node = this.flowScalar();
    return anchor === undefined ? node : withAnchor(node, anchor);
  }

  /** A scalar in a flow collection; a plain one may go on over lines (folded). */
  protected flowScalar(): YamlScalar {
    const c = this.peek();
    if (c === "," || c === "]" || c === "}") this.fail(`Unexpected ${c} in flow collection`);
    const first = this.scalar(-1, true);
    if (!first.plain) return first.node;
    let text = first.text;
    let multi = false;
    // (A plain scalar over several lines followed by ":" is refused by the caller.)
    for (;;) {
      const save = this.pos;
      const breaks = this.skipBreaks();
      const n = this.peek();
      if (breaks === 0 || n === undefined || n === "#" || FLOW_INDICATORS.includes(n)) {
        this.pos = save;
        break;
      }
      if (n === ":" && isBlank(this.peek(1))) {
        this.pos = save;
        break;
      }
      const more = this.plainLine(true, true);
      text = foldLines(text, breaks, more);
      multi = true;
    }
    return multi ? { ...first.node, value: this.plainValue(text) } : first.node;
  }

  protected flowCollection(): YamlMap | YamlSeq {
    const line = this.lineOf(this.pos);
    const isMap = this.peek() === "{";
    const close = isMap ? "}" : "]";
    this.pos++;
    const pairs: YamlPair[] = [];
    const items: YamlNode[] = [];
    for (;;) {
      this.skipBlank();
      if (this.atEnd()) {
        this.fail(
          `Flow ${isMap ? "map" : "sequence"} in block collection must be sufficiently ` +
            `indented and end with a ${close}`,
        );
      }
      if (this.peek() === close) {
        this.pos++;
        break;
      }
      const start = this.pos;
      const next = this.peek(1);
      const emptyKey = isMap && this.peek() === ":" &&
        (isBlank(next) || FLOW_INDICATORS.includes(next!));
      const node: YamlNode = emptyKey
        ? { kind: "scalar", value: null, plain: true, line: this.lineOf(start) }
        : this.flowNode();
      this.skipSpaces();
      const colon = this.peek() === ":";
      if (colon && this.lineOf(this.pos) !== this.lineOf(start)) {
        this.fail("Implicit keys need to be on a single line", start);
      }
      if (isMap) {
        if (node.kind !== "scalar") this.fail("Collections as mapping keys are not supported");
        let value: YamlNode = { kind: "scalar", value: null, plain: true, line: node.line };
        if (colon) {
          this.pos++;
          this.skipBlank();
          if (this.peek() !== "," && this.peek() !== "}") value = this.flowNode();
        }
        pairs.push({ key: node, value });
      } else {
        if (colon) this.fail("Mappings inside flow sequences are not supported");
        items.push(node);
      }
      this.skipBlank();
      const sep = this.peek();
      if (sep === ",") this.pos++;
      else if (sep !== close) {
        if (sep === ":") this.fail("Implicit keys need to be on a single line", start);
        this.fail(
          `Missing , or ${isMap ? ":" : "]"} between flow ${isMap ? "map" : "sequence"} items`,
        );
      }
    }
    return isMap ? { kind: "map", pairs, line } : { kind: "seq", items, line };
  }
}

function withAnchor(node: YamlNode, anchor: string): YamlNode {
  return { ...node, anchor };
}
