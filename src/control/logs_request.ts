/**
 * The `logs` command's grammar (docs/ctl.md, `logs`): `logs [-n <lines>] [-f] [<service> ...]`,
 * as `docker logs` writes it (`-n`/`--lines`, `-f`/`--follow`; long options may be abbreviated),
 * options and names in any order, `--` ending the options. Kept apart from protocol.ts, whose
 * long-option grammar has no short options and no numbers.
 */
import { matchLongOption } from "../sys/long_option.ts";
import { UsageError } from "../text/usage_error.ts";

/** `ctl logs`: the last `lines` lines of `services` (all when empty), then new ones if `follow`. */
export interface LogsRequest {
  cmd: "logs";
  services: string[];
  lines?: number;
  follow?: boolean;
}

/** Lines printed when `-n` is not given. */
export const DEFAULT_LOG_LINES = 100;

const LONG = ["lines", "follow"];

function lineCount(text: string | undefined): number {
  if (text === undefined) throw new UsageError(`"logs": -n needs a number of lines`);
  if (!/^\d+$/.test(text)) {
    throw new UsageError(`"logs": -n needs a number of lines (0 or more), not "${text}"`);
  }
  return Number(text);
}

/** Parses the words after `logs`; throws UsageError. */
export function parseLogsWords(words: readonly string[]): LogsRequest {
  const services: string[] = [];
  let lines: number | undefined;
  let follow = false;
  let optionsEnded = false;
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    if (optionsEnded || !word.startsWith("-") || word === "-") {
      if (word.trim() === "") throw new UsageError("a service name cannot be empty");
      services.push(word);
    } else if (word === "--") {
      optionsEnded = true;
    } else if (word === "-f") {
      follow = true;
    } else if (word.startsWith("-n")) {
      lines = lineCount(word === "-n" ? words[++i] : word.slice(2));
    } else if (word.startsWith("--")) {
      const eq = word.indexOf("=");
      const name = word.slice(2, eq >= 0 ? eq : undefined);
      const match = matchLongOption(name, LONG);
      if (match.kind !== "found") {
        throw new UsageError(
          match.kind === "ambiguous"
            ? `"logs": option "${word}" is ambiguous`
            : `"logs" does not accept the option "${word}"`,
        );
      }
      if (match.name === "follow") {
        if (eq >= 0) throw new UsageError(`"logs": --follow takes no value`);
        follow = true;
      } else {
        lines = lineCount(eq >= 0 ? word.slice(eq + 1) : words[++i]);
      }
    } else {
      throw new UsageError(`"logs" does not accept the option "${word}"`);
    }
  }
  return {
    cmd: "logs",
    services,
    ...(lines !== undefined ? { lines } : {}),
    ...(follow ? { follow } : {}),
  };
}

/** Decodes a JSON `logs` request's fields; returns the problem as text when they are wrong. */
export function decodeLogsRequest(obj: Record<string, unknown>): LogsRequest | string {
  const { services, lines, follow } = obj;
  if (!Array.isArray(services) || !services.every((s) => typeof s === "string")) {
    return `"services" must be a list of strings`;
  }
  if (
    lines !== undefined && !(typeof lines === "number" && Number.isSafeInteger(lines) && lines >= 0)
  ) {
    return `"lines" must be an integer >= 0`;
  }
  if (follow !== undefined && typeof follow !== "boolean") return `"follow" must be a boolean`;
  return {
    cmd: "logs",
    services: services as string[],
    ...(lines !== undefined ? { lines } : {}),
    ...(follow !== undefined ? { follow } : {}),
  };
}
