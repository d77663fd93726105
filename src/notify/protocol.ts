/**
 * The sd_notify datagram protocol (docs/configuration.md, "Notify sockets"): what a service may
 * tell chaperone through NOTIFY_SOCKET. Pure: the caller decides what `ready` means for its service
 * and logs what could not be understood.
 */

/** One understood notification. */
export type NotifyMessage =
  | { readonly type: "ready" }
  | { readonly type: "status"; readonly text: string }
  | { readonly type: "mainpid"; readonly pid: number }
  | { readonly type: "errno"; readonly errno: number }
  | { readonly type: "buserror"; readonly error: string }
  | { readonly type: "stopping" }
  | { readonly type: "extend-timeout"; readonly usec: number }
  | { readonly type: "watchdog" }
  | { readonly type: "watchdog-usec"; readonly usec: number }
  | { readonly type: "barrier" };

/** The result of parsing one datagram. */
export interface ParsedNotify {
  /** Understood messages, in the order they were sent. */
  readonly messages: NotifyMessage[];
  /** Lines that were malformed or carried an unusable value, for the caller to log. */
  readonly invalid: string[];
}

const LINE_REGEXP = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s;
const UINT_REGEXP = /^[0-9]+$/;

/**
 * Parses one notify datagram. Lines are split on "\n"; names are upper-cased (`ready=1`
 * works); a line with an empty value and unknown names are ignored, as are flag values
 * other than 1 (`READY=0`). Malformed lines and bad numbers go to `invalid`.
 */
export function parseNotify(text: string): ParsedNotify {
  const messages: NotifyMessage[] = [];
  const invalid: string[] = [];
  for (const line of text.split("\n")) {
    if (line === "") continue;
    const match = LINE_REGEXP.exec(line);
    if (!match) {
      invalid.push(line);
      continue;
    }
    const name = match[1]!.toUpperCase();
    const value = match[2]!;
    if (value === "") continue;
    const message = toMessage(name, value);
    if (message === "invalid") invalid.push(line);
    else if (message !== null) messages.push(message);
  }
  return { messages, invalid };
}

/** The message for one NAME=value pair; null to ignore it, "invalid" for a bad value. */
function toMessage(name: string, value: string): NotifyMessage | null | "invalid" {
  switch (name) {
    case "READY":
      return value === "1" ? { type: "ready" } : null;
    case "STOPPING":
      return value === "1" ? { type: "stopping" } : null;
    case "WATCHDOG":
      return value === "1" ? { type: "watchdog" } : null;
    case "BARRIER":
      return value === "1" ? { type: "barrier" } : null;
    case "STATUS":
      return { type: "status", text: value };
    case "BUSERROR":
      return { type: "buserror", error: value };
    case "MAINPID": {
      const pid = toUint(value);
      return pid === null || pid === 0 ? "invalid" : { type: "mainpid", pid };
    }
    case "ERRNO": {
      const errno = toUint(value);
      return errno === null ? "invalid" : { type: "errno", errno };
    }
    case "EXTEND_TIMEOUT_USEC": {
      const usec = toUint(value);
      return usec === null ? "invalid" : { type: "extend-timeout", usec };
    }
    case "WATCHDOG_USEC": {
      const usec = toUint(value);
      return usec === null ? "invalid" : { type: "watchdog-usec", usec };
    }
    default:
      return null;
  }
}

/** A non-negative safe integer written in decimal digits (surrounding blanks allowed). */
function toUint(value: string): number | null {
  const text = value.trim();
  if (!UINT_REGEXP.test(text)) return null;
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : null;
}
