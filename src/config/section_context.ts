/**
 * What resolving one service or logging section needs from the whole configuration (the
 * resolved settings, their user and environment, the options), and the expansion helper both
 * use: an expansion error becomes a problem of that directive instead of an exception.
 */
import type { Environment } from "./env.ts";
import type { ResolveOptions } from "./resolve.ts";
import { parseEnabled } from "./scalars.ts";
import type { Settings, SourcePos } from "./schema.ts";
import type { Credentials } from "../users/credentials.ts";
import { errorMessage } from "../text/error_message.ts";

/**
 * Records a problem of one directive of the section being resolved; `posPath`
 * (`ready_probe/tcp`) locates it when it is not the directive's own line.
 */
export type Fail = (directive: string, message: string, cause?: unknown, posPath?: string) => void;

/** The context of one section's resolution. */
export interface SectionContext {
  readonly settings: Settings;
  readonly settingsUser: Credentials | undefined;
  readonly settingsEnv: Environment;
  readonly options: ResolveOptions;
  readonly pos: SourcePos;
  readonly fail: Fail;
}

/**
 * Expands `text` (when given) against `env`; an error is reported through `fail`. So is a
 * result holding NUL (`$(V:/x/\0/)` makes one), which no path, argument or name can carry.
 */
export function expandWith(
  env: Environment,
  text: string | undefined,
  directive: string,
  fail: Fail,
): string | undefined {
  if (text === undefined) return undefined;
  let value: string;
  try {
    value = env.expand(text);
  } catch (err) {
    fail(directive, errorMessage(err), err);
    return undefined;
  }
  if (value.includes("\0")) {
    fail(directive, "expands to a value with a NUL character");
    return undefined;
  }
  return value;
}

/**
 * The `enabled` directive (docs/configuration.md): a boolean as written, or a string converted
 * after expansion (`"$(X:+true)"`); anything else is a problem and counts as enabled.
 */
export function enabledOf(
  value: unknown,
  expand: (text: string) => string | undefined,
  fail: Fail,
): boolean {
  if (typeof value === "boolean") return value;
  if (typeof value !== "string") return true;
  const text = expand(value);
  if (text === undefined) return true;
  const parsed = parseEnabled(text);
  if (parsed === undefined) fail("enabled", `invalid boolean parameter: '${text}'`);
  return parsed ?? true;
}
