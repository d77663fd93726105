/**
 * Logging-section selectors, as docs/logging.md describes them ("Selectors"), with the forced
 * minimum level of Decision 3 in docs/migration.md. `/regex/` terms are Python regular
 * expressions (text/py_regex.ts), as in the original. A selector is parsed once into terms
 * and compiled once into a predicate that does no regex compilation and (almost) no
 * allocation per record: the hot path runs for every /dev/log datagram and every section.
 *
 * Pure and in layer 0, so that the configuration (which validates selectors when it is
 * loaded, for `chaperone check` and a run alike) and the log router share this one parser.
 */
import { FACILITIES, type LogRecord, SEVERITIES } from "./record.ts";
import { compilePyRegex } from "../text/py_regex.ts";
import { errorMessage } from "../text/error_message.ts";

/** What the facility part of an element tests. */
export type FacilityTest =
  | { readonly kind: "any" }
  | { readonly kind: "regex"; readonly regex: RegExp }
  | { readonly kind: "program"; readonly program: string }
  | { readonly kind: "facilities"; readonly mask: number };

/** What the priority part of an element tests. */
export type PriorityTest =
  | { readonly kind: "any" }
  | { readonly kind: "atLeast"; readonly level: number }
  | { readonly kind: "exactly"; readonly level: number };

/** One `;`-separated element. */
export interface SelectorTerm {
  readonly text: string;
  readonly negateFacility: boolean;
  readonly negatePriority: boolean;
  readonly facility: FacilityTest;
  readonly priority: PriorityTest;
}

/** A parsed selector. */
export interface Selector {
  readonly text: string;
  readonly terms: readonly SelectorTerm[];
}

/** A compiled selector: true when the record is selected. */
export type SelectorPredicate = (record: LogRecord) => boolean;

const ELEMENT = /^(!?)(?:\/(.+)\/|\[(.+)\]|([,*0-9a-zA-Z]+))\.(!?=?)([*a-zA-Z]+)$/;

/** An invalid selector: one message per bad element, in the original's wording. */
export class SelectorError extends SyntaxError {
  /** Every element's problem (`message` is the first; `chaperone check` shows them all). */
  readonly problems: readonly string[];
  constructor(problems: readonly string[], options?: ErrorOptions) {
    super(problems[0], options);
    this.name = "SelectorError";
    this.problems = problems;
  }
}

/**
 * Parses a selector (an empty one means `*.*`). Throws SelectorError naming every bad element,
 * not only the first, so a user fixes them all in one pass.
 */
export function parseSelector(text: string): Selector {
  const source = text === "" ? "*.*" : text;
  const terms: SelectorTerm[] = [];
  const problems: string[] = [];
  let cause: unknown;
  for (const elem of source.split(/\s*;\s*/)) {
    try {
      terms.push(parseElement(elem));
    } catch (e) {
      problems.push(errorMessage(e));
      cause ??= e;
    }
  }
  if (problems.length > 0) throw new SelectorError(problems, { cause });
  return { text: source, terms };
}

function parseElement(elem: string): SelectorTerm {
  const m = ELEMENT.exec(elem);
  if (!m) throw new SyntaxError(`Invalid log spec syntax: ${elem}`);
  const [, fpfx, regex, prog, fac, pfx, pri] = m;
  let facility: FacilityTest;
  if (regex !== undefined) {
    let compiled: RegExp;
    try {
      // The original compiled these with Python's `re`, case-insensitively.
      compiled = compilePyRegex(regex, { ignoreCase: true });
    } catch (e) {
      throw new SyntaxError(`Invalid log spec syntax: ${elem}`, { cause: e });
    }
    facility = { kind: "regex", regex: compiled };
  } else if (prog !== undefined) {
    facility = { kind: "program", program: prog.toLowerCase() };
  } else if (fac === "*") {
    facility = { kind: "any" };
  } else {
    let mask = 0;
    for (const name of fac!.toLowerCase().split(",")) {
      const code = Object.hasOwn(FACILITIES, name) ? FACILITIES[name] : undefined;
      if (code === undefined) {
        throw new SyntaxError(`Invalid logging facility code, ${fac}: ${elem}`);
      }
      mask |= 1 << code;
    }
    facility = { kind: "facilities", mask };
  }
  let priority: PriorityTest;
  if (pri === "*") {
    priority = { kind: "any" };
  } else {
    const key = pri!.toLowerCase();
    const level = Object.hasOwn(SEVERITIES, key) ? SEVERITIES[key] : undefined;
    if (level === undefined) throw new SyntaxError(`Invalid logging priority, ${pri}: ${elem}`);
    priority = pfx!.includes("=") ? { kind: "exactly", level } : { kind: "atLeast", level };
  }
  return {
    text: elem,
    negateFacility: fpfx === "!",
    negatePriority: pfx!.includes("!"),
    facility,
    priority,
  };
}

/**
 * Compiles a selector into a predicate. With `forcedLevel` L, every positive "at least n" term
 * with n more severe than L becomes "at least L" (Decision 3 in docs/migration.md: `=` and
 * negated terms are kept).
 */
export function compileSelector(selector: Selector, forcedLevel?: number): SelectorPredicate {
  const positives: SelectorPredicate[] = [];
  const excludes: SelectorPredicate[] = [];
  for (const term of selector.terms) {
    const negative = term.negateFacility || term.negatePriority;
    let priority = term.priority;
    if (
      !negative && forcedLevel !== undefined && priority.kind === "atLeast" &&
      priority.level < forcedLevel
    ) {
      priority = { kind: "atLeast", level: forcedLevel };
    }
    const f = facilityPredicate(term.facility);
    const p = priorityPredicate(priority);
    if (!negative) {
      positives.push(f === undefined ? p ?? always : p === undefined ? f : (r) => f(r) && p(r));
    } else if (term.negateFacility && term.negatePriority) {
      // `!F.!P` keeps only records with neither F nor P: exclude on either.
      const ff = f ?? always;
      const pp = p ?? always;
      excludes.push((r) => ff(r) || pp(r));
    } else {
      // `!F.P` and `F.!P` both exclude records with F and P.
      excludes.push(f === undefined ? p ?? always : p === undefined ? f : (r) => f(r) && p(r));
    }
  }
  if (positives.length === 0) return never;
  const pos = positives;
  const exc = excludes;
  return (record) => {
    for (let i = 0; i < exc.length; i++) if (exc[i]!(record)) return false;
    for (let i = 0; i < pos.length; i++) if (pos[i]!(record)) return true;
    return false;
  };
}

const always: SelectorPredicate = () => true;
const never: SelectorPredicate = () => false;

// undefined means "always true", so callers can drop the test altogether.
function facilityPredicate(test: FacilityTest): SelectorPredicate | undefined {
  switch (test.kind) {
    case "any":
      return undefined;
    case "regex": {
      const re = test.regex;
      return (r) => re.test(r.raw);
    }
    case "program": {
      const prog = test.program;
      const len = prog.length;
      // Comparing lengths first avoids lowercasing (allocating) almost every tag.
      return (r) => r.tag.length === len && r.tag.toLowerCase() === prog;
    }
    case "facilities": {
      const mask = test.mask;
      return (r) => r.facility >= 0 && r.facility < 31 && ((mask >>> r.facility) & 1) === 1;
    }
    default:
      return assertNever(test);
  }
}

function priorityPredicate(test: PriorityTest): SelectorPredicate | undefined {
  switch (test.kind) {
    case "any":
      return undefined;
    case "atLeast": {
      const n = test.level;
      return (r) => r.severity <= n;
    }
    case "exactly": {
      const n = test.level;
      return (r) => r.severity === n;
    }
    default:
      return assertNever(test);
  }
}

function assertNever(x: never): never {
  throw new TypeError(`unexpected selector test ${JSON.stringify(x)}`);
}
