/**
 * `settings: http_listen` (docs/configuration.md, "`settings`"): where the HTTP endpoint for
 * probes and Prometheus listens, written `host:port`. The host is an IPv4 address, a name, or an
 * IPv6 address in brackets (`[::1]:9090`); the port is 1–65535. Parsed once, at validation, so a
 * bad value is a configuration error naming file, line and directive, never a start-up surprise.
 */

/** A parsed `host:port`. */
export interface ListenAddress {
  /** The host as Deno.serve takes it (an IPv6 address without its brackets). */
  readonly hostname: string;
  readonly port: number;
}

// A DNS name or a dotted IPv4 address: letters, digits, `-`, `_` and dots.
const NAME_REGEXP = /^[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_])?$/;
const IPV6_REGEXP = /^[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*$/;

/** Parses `host:port`; returns the problem as text when it is not one. */
export function parseListenAddress(value: unknown): ListenAddress | string {
  if (typeof value !== "string") {
    const got = value === null || value === undefined
      ? "nothing"
      : typeof value === "object"
      ? (Array.isArray(value) ? "a list" : "a mapping")
      : String(value);
    return `expected "host:port" in quotes, such as "127.0.0.1:9090", got ${got}`;
  }
  const text = value.trim();
  const bracket = /^\[([^\]]*)\]:([^:]*)$/.exec(text);
  const plain = bracket ? null : /^([^:[\]]*):([^:]*)$/.exec(text);
  const match = bracket ?? plain;
  if (!match) {
    return `expected "host:port" such as "127.0.0.1:9090" (an IPv6 host in brackets: "[::1]:9090"), got ${
      JSON.stringify(value)
    }`;
  }
  const host = match[1]!;
  const portText = match[2]!;
  if (bracket ? !IPV6_REGEXP.test(host) : !NAME_REGEXP.test(host)) {
    return `"${host}" is not a host name or address (in ${JSON.stringify(value)})`;
  }
  if (!/^\d+$/.test(portText)) {
    return `the port must be a number from 1 to 65535 (got "${portText}")`;
  }
  const port = Number(portText);
  if (port < 1 || port > 65535) return `the port must be from 1 to 65535 (got ${port})`;
  return { hostname: host, port };
}

/** The problem with a value of `http_listen`, or undefined when it is a valid `host:port`. */
export function listenAddressProblem(value: unknown): string | undefined {
  const parsed = parseListenAddress(value);
  return typeof parsed === "string" ? parsed : undefined;
}

/** `host:port` for messages (`[::1]:9090` for an IPv6 host). */
export function formatListenAddress(address: ListenAddress): string {
  const host = address.hostname.includes(":") ? `[${address.hostname}]` : address.hostname;
  return `${host}:${address.port}`;
}
