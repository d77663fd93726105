/**
 * The tree our YAML reader (yaml_parse.ts) builds, and how a plain scalar is read: YAML 1.1 as
 * PyYAML reads it, the way the original read its configuration (docs/configuration.md, "File
 * format"): `yes`/`no`/`on`/`off` (not a bare `y` or `n`) are booleans, `0755` is octal, `1:30`
 * is sexagesimal (90), `~` and `null` are null, and dates stay strings (PyYAML would make a date,
 * which no directive accepts; as a string it is at least usable in `env_set`).
 *
 * Every node keeps the line it starts on, so that later stages can say where a problem was
 * written. These rules are the ones of the `yaml` package's 1.1 schema with PyYAML's booleans
 * and no timestamps, which Chaperone used before it had its own reader; a test keeps the two in
 * agreement (tests/config/yaml_agreement_test.ts).
 */

/** A scalar as read: quoted and block scalars are always strings. */
export type ScalarValue = string | number | boolean | null;

/** What every node has: its 1-based line, and the anchor (`&name`) written on it. */
interface NodeBase {
  readonly line: number;
  readonly anchor?: string;
}

/** A scalar; `plain` when written without quotes (only then may `<<` be a merge key). */
export interface YamlScalar extends NodeBase {
  readonly kind: "scalar";
  readonly value: ScalarValue;
  readonly plain: boolean;
}

/** One `key: value` of a mapping; an absent value is a null scalar. */
export interface YamlPair {
  readonly key: YamlScalar;
  readonly value: YamlNode;
}

/** A block or flow mapping, pairs in written order (duplicates kept: the later one wins). */
export interface YamlMap extends NodeBase {
  readonly kind: "map";
  readonly pairs: readonly YamlPair[];
}

/** A block or flow sequence. */
export interface YamlSeq extends NodeBase {
  readonly kind: "seq";
  readonly items: readonly YamlNode[];
}

/** `*name`: the node last anchored `&name` before it in the document. */
export interface YamlAlias extends NodeBase {
  readonly kind: "alias";
  readonly name: string;
}

export type YamlNode = YamlScalar | YamlMap | YamlSeq | YamlAlias;

/** A syntax error (or a construct configurations have no use for), with its 1-based line. */
export class YamlSyntaxError extends Error {
  constructor(message: string, readonly line: number) {
    super(message);
    this.name = "YamlSyntaxError";
  }
}

const NULL = /^(?:~|[Nn]ull|NULL)?$/;
const TRUE = /^(?:[Yy]es|YES|[Tt]rue|TRUE|[Oo]n|ON)$/;
const FALSE = /^(?:[Nn]o|NO|[Ff]alse|FALSE|[Oo]ff|OFF)$/;
const INT_BIN = /^[-+]?0b[0-1_]+$/;
const INT_OCT = /^[-+]?0[0-7_]+$/;
const INT_DEC = /^[-+]?[0-9][0-9_]*$/;
const INT_HEX = /^[-+]?0x[0-9a-fA-F_]+$/;
const FLOAT_NAN = /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/;
const FLOAT_EXP = /^[-+]?(?:[0-9][0-9_]*)?(?:\.[0-9_]*)?[eE][-+]?[0-9]+$/;
const FLOAT = /^[-+]?(?:[0-9][0-9_]*)?\.[0-9_]*$/;
const INT_TIME = /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+$/;
const FLOAT_TIME = /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*$/;

/** An integer in `radix` after `prefix` characters (and the sign). */
function int(text: string, prefix: number, radix: number): number {
  const sign = text[0];
  const start = sign === "-" || sign === "+" ? prefix + 1 : prefix;
  const n = parseInt(text.slice(start).replace(/_/g, ""), radix);
  return sign === "-" ? -n : n;
}

/** `1:30:15` → 5415 (base 60), with its sign. */
function sexagesimal(text: string): number {
  const sign = text[0];
  const digits = sign === "-" || sign === "+" ? text.slice(1) : text;
  const n = digits.replace(/_/g, "").split(":").reduce((sum, part) => sum * 60 + Number(part), 0);
  return sign === "-" ? -n : n;
}

/** The value of a plain (unquoted) scalar, tried in the order of the YAML 1.1 schema. */
export function plainValue(text: string): ScalarValue {
  if (NULL.test(text)) return null;
  if (TRUE.test(text)) return true;
  if (FALSE.test(text)) return false;
  if (INT_BIN.test(text)) return int(text, 2, 2);
  if (INT_OCT.test(text)) return int(text, 1, 8);
  if (INT_DEC.test(text)) return int(text, 0, 10);
  if (INT_HEX.test(text)) return int(text, 2, 16);
  if (FLOAT_NAN.test(text)) {
    if (text.slice(-3).toLowerCase() === "nan") return NaN;
    return text[0] === "-" ? -Infinity : Infinity;
  }
  if (FLOAT_EXP.test(text) || FLOAT.test(text)) return parseFloat(text.replace(/_/g, ""));
  if (INT_TIME.test(text) || FLOAT_TIME.test(text)) return sexagesimal(text);
  return text;
}
