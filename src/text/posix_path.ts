/**
 * The few POSIX path operations Chaperone needs (dirname, isAbsolute, join, resolve), with the
 * results of node:path's posix functions. Ours because node:path loads Deno's Node polyfill
 * layer, which a bundled PID 1 would pay for at every boot (docs/benchmarks.md, "Boot and
 * footprint").
 */

/** Collapses `.`, `..` and repeated slashes (no trailing slash except for the root). */
function normalize(path: string): string {
  const absolute = path.startsWith("/");
  const parts: string[] = [];
  for (const part of path.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") {
      if (parts.length > 0 && parts[parts.length - 1] !== "..") parts.pop();
      else if (!absolute) parts.push("..");
    } else parts.push(part);
  }
  const joined = parts.join("/");
  if (absolute) return `/${joined}`;
  return joined === "" ? "." : joined;
}

/** True for a path that starts at the root. */
export function isAbsolute(path: string): boolean {
  return path.startsWith("/");
}

/** The directory part: `/a/b` → `/a`, `/a/b/` → `/a`, `a` → `.`, `/` → `/` (as node:path). */
export function dirname(path: string): string {
  if (path === "") return ".";
  const trimmed = path.replace(/\/+$/, "");
  if (trimmed === "") return "/";
  const slash = trimmed.lastIndexOf("/");
  if (slash < 0) return ".";
  const head = trimmed.slice(0, slash);
  return head === "" ? "/" : head;
}

/** Joins and normalizes: `join("/a", "b/../c")` → `/a/c`. */
export function join(...parts: string[]): string {
  const path = parts.filter((p) => p !== "").join("/");
  if (path === "") return ".";
  const out = normalize(path);
  // A trailing slash stays, as node:path keeps it.
  return path.endsWith("/") && !out.endsWith("/") ? `${out}/` : out;
}

/** An absolute, normalized path: each part taken relative to the ones before it. */
export function resolve(...parts: string[]): string {
  let path = "";
  for (let i = parts.length - 1; i >= 0 && !path.startsWith("/"); i--) {
    const part = parts[i]!;
    if (part !== "") path = path === "" ? part : `${part}/${path}`;
  }
  if (!path.startsWith("/")) path = `${Deno.cwd()}/${path}`;
  return normalize(path);
}
