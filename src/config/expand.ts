/**
 * Chaperone's `$(...)` expansion language (docs/environment.md, "Expansion forms"): the scanner
 * that finds expansions, the expression forms (`$(V)`, `:-`, `:+`, `:_`, `:?`, `:|`, `:/re/repl/`,
 * `` $(`cmd`) ``), the whole-environment expansion algorithm of the original (copied step by step,
 * because its odd results for self- and mutually-recursive variables are part of the behaviour
 * users see), and backtick execution.
 *
 * Decision 9 in docs/migration.md: a backtick only runs when its characters were written in the
 * configuration. Raw values inherited from the process environment expand `$(...)` but never run
 * commands, and text substituted from a variable never forms new backtick commands.
 */
import { globMatch } from "./glob.ts";
import { compilePyRegex } from "../text/py_regex.ts";
import { pySub } from "../text/py_sub.ts";
import { errorMessage } from "../text/error_message.ts";

/** A failing `$(V:?message)` or an invalid `$(V:/re/repl/)`; the message is the user's. */
export class ExpansionError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "ExpansionError";
  }
}

/** Syntax of the scanner: `prefix` then one of `openers` starts an expansion. */
export interface ScanOptions {
  /** Characters that start an expansion (`$` by default; envcp `--xprefix`, sdnotify-exec `%`). */
  readonly prefix?: string;
  /** Opening brackets accepted after the prefix, any of `({[` (default `({`). */
  readonly openers?: string;
}

/** A piece of scanner output; `source` is true when it is text of the scanned string itself. */
interface Piece {
  readonly text: string;
  readonly source: boolean;
}

// Closers first, so that an opener at index i (3..5) expects the closer at index i - 3.
const NEST = ")]}([{";
const HALF = 3;
const QUOTES = '"`';
const LOOK_FOR = NEST + QUOTES;
const REGEXP_CACHE = new Map<string, RegExp>();

function startRegExp(prefix: string, openers: string): RegExp {
  const key = `${openers}\u0000${prefix}`;
  let regexp = REGEXP_CACHE.get(key);
  if (regexp === undefined) {
    const escape = (s: string) => s.replace(/[\^$\\.*+?()[\]{}|/-]/g, "\\$&");
    regexp = new RegExp(`(\\\\)?${escape(prefix)}([${escape(openers)}])`, "g");
    REGEXP_CACHE.set(key, regexp);
  }
  return regexp;
}

/** The scanner of scanExpansions(), keeping track of which output came from the scanned text. */
function scanPieces(
  text: string,
  callback: (inner: string, whole: string) => Piece,
  options: ScanOptions = {},
): Piece[] {
  const prefix = options.prefix ?? "$";
  const start = startRegExp(prefix, options.openers ?? "({");
  start.lastIndex = 0;
  let match = start.exec(text);
  if (match === null) return [{ text, source: true }];
  const pieces: Piece[] = [];
  let from = 0;
  while (match !== null) {
    const at = match.index;
    const opener = at + match[0].length - 1;
    if (at !== from) pieces.push({ text: text.slice(from, at), source: true });
    if (match[1] !== undefined) {
      // An escaped prefix is output alone; the opener stays literal text and scanning goes on.
      pieces.push({ text: prefix, source: true });
      from = opener;
    } else {
      const stack: number[] = [];
      let pos = opener;
      let closed = false;
      for (; pos < text.length; pos += 1) {
        const ci = LOOK_FOR.indexOf(text[pos] as string);
        if (ci < 0) continue;
        const top = stack.length > 0 ? stack[stack.length - 1] as number : -1;
        if (top === ci) {
          stack.pop();
          if (stack.length === 0) {
            closed = true;
            break;
          }
        } else if (ci >= HALF && top < NEST.length) {
          // Nothing nests inside quotes; brackets push their closer, quotes push themselves.
          stack.push(ci < NEST.length ? ci - HALF : ci);
        }
      }
      if (!closed) {
        // Unterminated: the rest of the text, from the prefix on, is copied verbatim.
        from = at;
        break;
      }
      pieces.push(callback(text.slice(opener + 1, pos), text.slice(at, pos + 1)));
      from = pos + 1;
    }
    start.lastIndex = from;
    match = start.exec(text);
  }
  if (from < text.length) pieces.push({ text: text.slice(from), source: true });
  return pieces;
}

function joinPieces(pieces: readonly Piece[]): string {
  return pieces.map((piece) => piece.text).join("");
}

/**
 * Replaces every `prefix(inner)` in `text` by `callback(inner, whole)`: the original's scanner,
 * whose rules docs/environment.md gives (brackets and double quotes balance, `\$(` is literal, an
 * unterminated expansion stays text).
 */
export function scanExpansions(
  text: string,
  callback: (inner: string, whole: string) => string,
  options: ScanOptions = {},
): string {
  return joinPieces(
    scanPieces(text, (inner, whole) => ({ text: callback(inner, whole), source: false }), options),
  );
}

/** Options for {@linkcode BacktickRunner}. */
export interface BacktickOptions {
  /** Remember each output for the life of the runner, keyed by `uid:gid:cmd` (default true). */
  readonly cache?: boolean;
  /** Receives `Backtick expansion returned error: ...` when a command fails. */
  readonly onError?: (message: string) => void;
}

/** Who a backtick command runs as; a zero or missing uid means "as chaperone itself". */
export interface BacktickIds {
  readonly uid?: number | undefined;
  readonly gid?: number | undefined;
}

/**
 * Runs backtick commands with `/bin/sh -c`, synchronously, as the original does
 * (docs/environment.md, "Backticks").
 */
export class BacktickRunner {
  readonly #cache: Map<string, string> | undefined;
  readonly #onError: ((message: string) => void) | undefined;

  constructor(options: BacktickOptions = {}) {
    this.#cache = options.cache === false ? undefined : new Map();
    this.#onError = options.onError;
  }

  /** Output of `command`, trimmed, inner newlines as spaces; "" (and onError) on failure. */
  run(command: string, ids: BacktickIds = {}): string {
    const key = `${ids.uid}:${ids.gid}:${command}`;
    const cached = this.#cache?.get(key);
    if (cached !== undefined) return cached;
    const result = this.#execute(command, ids).trim().replaceAll("\n", " ");
    this.#cache?.set(key, result);
    return result;
  }

  #execute(command: string, ids: BacktickIds): string {
    // Switching to our own uid would fail for a non-root chaperone (setgroups needs root).
    const asUser = ids.uid !== undefined && ids.uid !== 0 && ids.uid !== Deno.uid();
    try {
      // `exec 2>&1` merges stderr into stdout in order, like subprocess's stderr=STDOUT.
      const output = new Deno.Command("/bin/sh", {
        args: ["-c", `exec 2>&1\n${command}`],
        stdin: "null",
        stdout: "piped",
        stderr: "null",
        ...(asUser ? { uid: ids.uid } : {}),
        ...(asUser && ids.gid !== undefined ? { gid: ids.gid } : {}),
      }).outputSync();
      if (output.success) return new TextDecoder().decode(output.stdout);
      const why = output.signal === null
        ? `returned non-zero exit status ${output.code}.`
        : `died with signal ${output.signal}.`;
      this.#onError?.(`Backtick expansion returned error: Command '${command}' ${why}`);
    } catch (error) {
      this.#onError?.(`Backtick expansion returned error: ${errorMessage(error)}`);
    }
    return "";
  }
}

/**
 * Runs `` `cmd` `` pairs whose backticks both come from the scanned text (Decision 9 in
 * docs/migration.md).
 */
function backtickPass(pieces: readonly Piece[], run: (command: string) => string): string {
  let text = "";
  const active = new Set<number>();
  for (const piece of pieces) {
    if (piece.source) {
      for (let i = piece.text.indexOf("`"); i >= 0; i = piece.text.indexOf("`", i + 1)) {
        active.add(text.length + i);
      }
    }
    text += piece.text;
  }
  if (active.size === 0) return text;
  let out = "";
  let last = 0;
  let pos = 0;
  for (;;) {
    let open = text.indexOf("`", pos);
    while (open >= 0 && !active.has(open)) open = text.indexOf("`", open + 1);
    if (open < 0) break;
    const close = text.indexOf("`", open + 1);
    if (close < 0) break;
    if (close === open + 1 || !active.has(close)) {
      pos = open + 1;
      continue;
    }
    out += text.slice(last, open) + run(text.slice(open + 1, close));
    last = close + 1;
    pos = close + 1;
  }
  return out + text.slice(last);
}

/** The variables one expansion reads, and how backticks and self-references behave. */
export interface ExpansionScope {
  /** Raw (unexpanded) values. */
  readonly vars: ReadonlyMap<string, string>;
  /** Names whose raw values were written in the configuration; only these may run backticks. */
  readonly configured?: ReadonlySet<string>;
  /** Expanded value `name` had in the environment that this one overrode (self-reference). */
  readonly shadow?: (name: string) => string | undefined;
  /** Runs a backtick command; without it `` `cmd` `` stays as written. */
  readonly runBacktick?: (command: string) => string;
  readonly scan?: ScanOptions;
}

// Python `$` also matches before a final newline, hence `\n?$`.
const OPER_REGEXP = /^(?:([^:]+):([-|?+_/])(.*)|(`.+`))\n?$/s;
const SLASH_REGEXP = /^(.+)(?<!\\)\/(.*)(?<!\\)\/(i*)\n?$/s;

/** Splits on bars not preceded by a backslash, at most `max` parts (Python `split(s, max - 1)`). */
function splitBars(text: string, max: number): string[] {
  const parts: string[] = [];
  let from = 0;
  for (let i = 0; i < text.length && parts.length < max - 1; i += 1) {
    if (text[i] === "|" && text[i - 1] !== "\\") {
      parts.push(text.slice(from, i));
      from = i + 1;
    }
  }
  parts.push(text.slice(from));
  return parts;
}

/**
 * One expansion pass over a scope, writing into `result`: the original's algorithm, with its way of
 * stopping cycles (docs/environment.md, "Expansion forms").
 */
class ExpansionPass {
  readonly #scope: ExpansionScope;
  readonly #result: Map<string, string>;

  constructor(scope: ExpansionScope, result: Map<string, string>) {
    this.#scope = scope;
    this.#result = result;
  }

  expandInto(k: string, whole: string | null, parent: string | null, trusted: boolean): Piece {
    const m = OPER_REGEXP.exec(k);
    if (m !== null && m[4] !== undefined) {
      return { text: this.recurse(m[4], parent, trusted), source: false };
    }
    const name = m === null ? k : m[1] as string;
    let val: string;
    if (whole !== null && name === parent) {
      val = this.#scope.shadow?.(name) ?? "";
    } else if (whole !== null && this.#result.has(name)) {
      val = this.#result.get(name) as string;
    } else if (!this.#scope.vars.has(name)) {
      if (m === null) return { text: whole ?? "", source: true };
      val = "";
    } else {
      const raw = this.#scope.vars.get(name) as string;
      // Storing the raw value first is what stops (and shapes) circular references.
      this.#result.set(name, raw);
      val = this.recurse(raw, name, this.#scope.configured?.has(name) ?? false);
      this.#result.set(name, val);
    }
    if (m === null) return { text: val, source: false };
    return {
      text: this.#operate(k, val, m[2] as string, m[3] as string, parent, trusted),
      source: false,
    };
  }

  recurse(text: string, parent: string | null, trusted: boolean): string {
    const pieces = scanPieces(
      text,
      (inner, whole) => this.expandInto(inner, whole, parent, trusted),
      this.#scope.scan,
    );
    const run = this.#scope.runBacktick;
    return trusted && run !== undefined ? backtickPass(pieces, run) : joinPieces(pieces);
  }

  #operate(
    inner: string,
    val: string,
    op: string,
    arg: string,
    parent: string | null,
    trusted: boolean,
  ): string {
    const expand = (text: string) => this.recurse(text, parent, trusted);
    switch (op) {
      case "-":
        return val !== "" ? val : expand(arg);
      case "+":
        return val !== "" ? expand(arg) : "";
      case "_":
        return val !== "" ? "" : expand(arg);
      case "?":
        if (val === "") throw new ExpansionError(expand(arg));
        return val;
      case "|": {
        const parts = splitBars(arg, 4);
        if (parts.length === 1) return val !== "" ? expand(parts[0] as string) : "";
        if (parts.length === 2) return expand((val !== "" ? parts[0] : parts[1]) as string);
        const matched = globMatch(val.replaceAll("\\|", "|"), parts[0] as string, {
          ignoreCase: true,
        });
        return expand(((matched ? parts[1] : parts[2]) as string).replaceAll("\\|", "|"));
      }
      case "/": {
        const s = SLASH_REGEXP.exec(arg);
        if (s === null) throw new ExpansionError(`invalid regex replacement syntax in '${inner}'`);
        let replaced: string;
        try {
          const regexp = compilePyRegex(s[1] as string, { ignoreCase: s[3] !== "" });
          replaced = pySub(regexp, (s[2] as string).replaceAll("\\/", "/"), val);
        } catch (error) {
          throw new ExpansionError(
            `invalid regex replacement in '${inner}': ${errorMessage(error)}`,
            { cause: error },
          );
        }
        return expand(replaced);
      }
      default:
        throw new TypeError(`Unexpected expansion operator "${op}"`);
    }
  }
}

/** Expands every variable of `scope` (`expandAll`): sorted keys, each recomputed at top level. */
export function expandAll(scope: ExpansionScope): Map<string, string> {
  const result = new Map<string, string>();
  const pass = new ExpansionPass(scope, result);
  for (const key of [...scope.vars.keys()].sort()) {
    pass.expandInto(key, null, key, scope.configured?.has(key) ?? false);
  }
  return result;
}

/**
 * Expands directive text (`command`, `directory`, ...) against already-expanded values
 * (`directiveExpand`). Bare backticks stay literal; `` $(`cmd`) `` runs when the scope can run.
 */
export function expandDirective(
  text: string,
  expanded: ReadonlyMap<string, string>,
  options: Pick<ExpansionScope, "runBacktick" | "scan"> = {},
): string {
  const values = new Map(expanded);
  const pass = new ExpansionPass({ ...options, vars: values }, values);
  return joinPieces(
    scanPieces(text, (inner, whole) => pass.expandInto(inner, whole, null, true), options.scan),
  );
}

/** Options for {@linkcode expandWithVars}. */
export interface ExpandWithVarsOptions extends ScanOptions {
  /** Run `` $(`cmd`) `` written in the text (uncached); otherwise it becomes `` `cmd` ``. */
  readonly backticks?: boolean;
  /** Insert values as they are, without expanding `$(...)` inside them (envcp). */
  readonly raw?: boolean;
  /** Receives backtick failures. */
  readonly onError?: (message: string) => void;
}

/** Directive-style expansion of `text` against a plain map of (untrusted) variables. */
export function expandWithVars(
  text: string,
  vars: Readonly<Record<string, string>>,
  options: ExpandWithVarsOptions = {},
): string {
  const scan: ScanOptions = {
    ...(options.prefix !== undefined ? { prefix: options.prefix } : {}),
    ...(options.openers !== undefined ? { openers: options.openers } : {}),
  };
  const runner = options.backticks
    ? new BacktickRunner({ cache: false, ...(options.onError ? { onError: options.onError } : {}) })
    : undefined;
  const run = runner ? { runBacktick: (command: string) => runner.run(command) } : {};
  const map = new Map(Object.entries(vars));
  const expanded = options.raw ? map : expandAll({ vars: map, scan, ...run });
  return expandDirective(text, expanded, { scan, ...run });
}
