/**
 * Where a notify service's socket lives (Decision 17 in docs/migration.md). A Unix socket's path
 * must fit in `sockaddr_un.sun_path`: 107 bytes and a NUL. `/dev/chaperone-notify/<name>.sock`
 * leaves a service name about 80 bytes, less under a long `$XDG_RUNTIME_DIR`, while a valid name
 * may be longer. So every valid name gets a socket: `<name>.sock` when that fits, otherwise the
 * start of the name, `~`, and 16 hex digits of the SHA-256 of the whole name (unique in practice,
 * and the same for the same name on every start).
 */

/** Bytes of `sun_path` a path may take (108 with its terminating NUL). */
export const SOCKET_PATH_MAX = 107;
const SUFFIX = ".sock";
const HASH_DIGITS = 16;

const bytes = (text: string) => new TextEncoder().encode(text).length;

async function hashOf(name: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(name));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("")
    .slice(0, HASH_DIGITS);
}

/**
 * The socket path of `service` in `dir`. Throws RangeError when `dir` itself leaves no room
 * for even a shortened name.
 */
export async function notifySocketPath(dir: string, service: string): Promise<string> {
  const plain = `${dir}/${service}${SUFFIX}`;
  if (bytes(plain) <= SOCKET_PATH_MAX) return plain;
  const tail = `~${await hashOf(service)}${SUFFIX}`;
  let room = SOCKET_PATH_MAX - bytes(`${dir}/`) - bytes(tail);
  if (room < 0) {
    throw new RangeError(
      `notify socket directory ${dir} is too long for a socket path (${SOCKET_PATH_MAX} bytes)`,
    );
  }
  let prefix = "";
  for (const ch of service) {
    room -= bytes(ch);
    if (room < 0) break;
    prefix += ch;
  }
  return `${dir}/${prefix}${tail}`;
}
