/** Shared helpers for the syslog tests: logging specs, polling with a deadline, records. */
import type { LoggingSpec } from "../../src/config/schema.ts";
import type { LogRecord } from "../../src/log/record.ts";
import { parseSelector } from "../../src/log/selector.ts";

/** A resolved logging section with the schema's defaults; the selector is given as text. */
export function loggingSpec(
  name: string,
  fields: Partial<Omit<LoggingSpec, "selector">> & { selector?: string } = {},
): LoggingSpec {
  const { selector = "*.*", ...rest } = fields;
  return {
    name,
    selector: parseSelector(selector),
    stdout: false,
    stderr: false,
    enabled: true,
    overwrite: false,
    extended: false,
    format: "text",
    pos: { file: "test.conf", line: 1 },
    ...rest,
  };
}

/** Polls `check` until it returns a value other than undefined/false, or throws after the deadline. */
export async function waitFor<T>(
  check: () => T | undefined | false | Promise<T | undefined | false>,
  what: string,
  timeoutMs = 5000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Reads a file's lines, or [] when it does not exist. */
export function readLines(path: string): string[] {
  try {
    return Deno.readTextFileSync(path).split("\n").filter((l) => l !== "");
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return [];
    throw e;
  }
}

/** A record as a program (tag) would log it. */
export function record(
  tag: string,
  text: string,
  facility = 1,
  severity = 6,
  time = new Date(2024, 6, 6, 2, 53, 54),
): LogRecord {
  const rest = `[7]: ${text}`;
  return {
    time,
    facility,
    severity,
    tag,
    rest,
    raw: `<${facility * 8 + severity}>x ${tag}${rest}`,
  };
}

/** A writer that keeps what is written (stdout/stderr stand-in). */
export class MemoryStream {
  chunks: string[] = [];
  fail = false;
  writeSync(p: Uint8Array): number {
    if (this.fail) throw new Deno.errors.BrokenPipe("broken pipe");
    this.chunks.push(new TextDecoder().decode(p));
    return p.length;
  }
  get text(): string {
    return this.chunks.join("");
  }
}
