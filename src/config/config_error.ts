/** The one error type the configuration pipeline throws; it always names where. */
import type { SourcePos } from "./schema.ts";

/** A configuration problem: file, line (when known), directive, and what is wrong. */
export class ConfigError extends Error {
  readonly file: string;
  readonly line: number | undefined;
  readonly directive: string | undefined;
  /** The section at fault, as written (the directive text shows it with escapes). */
  readonly section: string | undefined;
  constructor(
    message: string,
    options: { pos?: SourcePos; directive?: string; section?: string; cause?: unknown } = {},
  ) {
    const where = options.pos
      ? `${options.pos.file}${options.pos.line ? `:${options.pos.line}` : ""}: `
      : "";
    const what = options.directive ? `${options.directive}: ` : "";
    super(`${where}${what}${message}`, { cause: options.cause });
    this.name = "ConfigError";
    this.file = options.pos?.file ?? "";
    this.line = options.pos?.line;
    this.directive = options.directive;
    this.section = options.section;
  }
}

/** Several configuration problems found in one pass (`chaperone check` prints them all). */
export class ConfigErrors extends Error {
  readonly errors: readonly ConfigError[];
  constructor(errors: readonly ConfigError[]) {
    super(errors.map((e) => e.message).join("\n"));
    this.name = "ConfigErrors";
    this.errors = errors;
  }
}
