/** The error for a logging section that cannot be set up (an invalid selector or `enabled`). */
import type { SourcePos } from "../config/schema.ts";

/** A logging section's directive is invalid; a start-up failure (spec §2.8). */
export class LoggingSectionError extends Error {
  readonly section: string;
  readonly pos: SourcePos | undefined;
  constructor(section: string, directive: string, message: string, options: {
    pos?: SourcePos;
    cause?: unknown;
  } = {}) {
    const where = options.pos
      ? `${options.pos.file}${options.pos.line ? `:${options.pos.line}` : ""}: `
      : "";
    super(`${where}${section}: ${directive}: ${message}`, { cause: options.cause });
    this.name = "LoggingSectionError";
    this.section = section;
    this.pos = options.pos;
  }
}
