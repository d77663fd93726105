/**
 * Users and groups read straight from /etc/passwd and /etc/group. Distroless and busybox images
 * have neither NSS nor `useradd`, so Chaperone parses and appends to these files itself. The root
 * directory is injectable so tests work on their own copies.
 */
import type { Credentials } from "../users/credentials.ts";

/** One line of /etc/passwd. */
export interface PasswdEntry {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
  readonly gecos: string;
  readonly home: string;
  readonly shell: string;
}

/** One line of /etc/group. */
export interface GroupEntry {
  readonly name: string;
  readonly gid: number;
  readonly members: readonly string[];
}

/** Where the passwd and group files live: `<root>/etc/passwd` (default root `/`). */
export interface UsersOptions {
  readonly root?: string;
}

/** What `--create-user` asks for (docs/command-line.md, `--create-user`). */
export interface CreateUserSpec {
  readonly name: string;
  /** A file or directory whose owner supplies uid and gid when they are not given. */
  readonly path?: string;
  readonly uid?: number;
  /** Group name or number. */
  readonly gid?: string;
  /** Home for a new user when `<users dir>/<name>` does not exist (`--default-home`). */
  readonly defaultHome?: string;
}

/** A failure of `--create-user`; the CLI prints it after `--create-user failure: `. */
export class CreateUserError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "CreateUserError";
  }
}

const DIGITS_REGEXP = /^\d+$/;
const FIRST_ID = 1000;
/** Ids above this are system-reserved (nobody = 65534); allocation stays below. */
const LAST_ID = 60000;

/** Parses /etc/passwd text; malformed lines (wrong field count, bad ids) are skipped. */
export function parsePasswd(text: string): PasswdEntry[] {
  const entries: PasswdEntry[] = [];
  for (const line of text.split("\n")) {
    if (line.trim() === "" || line.startsWith("#")) continue;
    const f = line.split(":");
    if (f.length < 7 || !DIGITS_REGEXP.test(f[2]!) || !DIGITS_REGEXP.test(f[3]!)) continue;
    entries.push({
      name: f[0]!,
      uid: Number(f[2]),
      gid: Number(f[3]),
      gecos: f[4]!,
      home: f[5]!,
      shell: f.slice(6).join(":"),
    });
  }
  return entries;
}

/** Parses /etc/group text; malformed lines are skipped. */
export function parseGroup(text: string): GroupEntry[] {
  const entries: GroupEntry[] = [];
  for (const line of text.split("\n")) {
    if (line.trim() === "" || line.startsWith("#")) continue;
    const f = line.split(":");
    if (f.length < 3 || !DIGITS_REGEXP.test(f[2]!)) continue;
    const members = (f[3] ?? "").split(",").map((m) => m.trim()).filter((m) => m !== "");
    entries.push({ name: f[0]!, gid: Number(f[2]), members });
  }
  return entries;
}

function etcPath(file: string, options: UsersOptions): string {
  const root = (options.root ?? "/").replace(/\/+$/, "");
  return `${root}/etc/${file}`;
}

function readOptional(path: string): string {
  try {
    return Deno.readTextFileSync(path);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return "";
    throw err;
  }
}

/** Reads and parses `<root>/etc/passwd` (a missing file is an empty table). */
export function readPasswd(options: UsersOptions = {}): PasswdEntry[] {
  return parsePasswd(readOptional(etcPath("passwd", options)));
}

/** Reads and parses `<root>/etc/group` (a missing file is an empty table). */
export function readGroups(options: UsersOptions = {}): GroupEntry[] {
  return parseGroup(readOptional(etcPath("group", options)));
}

/**
 * Finds a user by name, or by number when the text is all digits and no user has that name
 * (as the original's lookup: a numeric uid must exist too). Undefined when there is none.
 */
export function lookupUser(
  nameOrId: string | number,
  options: UsersOptions = {},
): Credentials | undefined {
  const key = String(nameOrId);
  const users = readPasswd(options);
  const entry = users.find((u) => u.name === key) ??
    (DIGITS_REGEXP.test(key) ? users.find((u) => u.uid === Number(key)) : undefined);
  if (entry === undefined) return undefined;
  return { uid: entry.uid, gid: entry.gid, name: entry.name, home: entry.home };
}

/** Finds a group by name, or by number when the text is all digits. Undefined when there is none. */
export function lookupGroup(
  nameOrId: string | number,
  options: UsersOptions = {},
): GroupEntry | undefined {
  const key = String(nameOrId);
  const groups = readGroups(options);
  return groups.find((g) => g.name === key) ??
    (DIGITS_REGEXP.test(key) ? groups.find((g) => g.gid === Number(key)) : undefined);
}

const CREATE_USER_REGEXP =
  /^([a-z_][a-z0-9_-]*)(?::(\/(?:\\:|[^:])+))?(?::(\d*))?(?::([a-z_][a-z0-9_-]*|\d+)?)?$/i;

/**
 * Parses a `--create-user` argument, `name[:/path][:uid][:gid]` with `\:` for a colon in the
 * path (docs/command-line.md, `--create-user`). Throws CreateUserError `Invalid format for --create-user argument: <spec>`.
 */
export function parseCreateUserSpec(spec: string): CreateUserSpec {
  const m = CREATE_USER_REGEXP.exec(spec);
  if (m === null) throw new CreateUserError(`Invalid format for --create-user argument: ${spec}`);
  const [, name, path, uid, gid] = m;
  return {
    name: name!,
    ...(path ? { path: path.replaceAll("\\:", ":") } : {}),
    ...(uid ? { uid: Number(uid) } : {}),
    ...(gid ? { gid } : {}),
  };
}

/** The parent of new users' homes: HOME= in /etc/default/useradd, else /home. */
function usersDir(options: UsersOptions): string {
  const text = readOptional(etcPath("default/useradd", options));
  const m = /^HOME=(\S+)\s*$/m.exec(text);
  return m ? m[1]! : "/home";
}

function hostPath(path: string, options: UsersOptions): string {
  const root = (options.root ?? "/").replace(/\/+$/, "");
  return `${root}${path.startsWith("/") ? "" : "/"}${path}`;
}

function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return false;
    throw err;
  }
}

function nextFreeId(used: Iterable<number>, preferred?: number): number {
  const taken = new Set(used);
  if (preferred !== undefined && !taken.has(preferred)) return preferred;
  const max = Math.max(FIRST_ID - 1, ...[...taken].filter((id) => id >= FIRST_ID && id <= LAST_ID));
  if (max < LAST_ID) return max + 1;
  for (let id = FIRST_ID; id <= LAST_ID; id++) if (!taken.has(id)) return id;
  throw new CreateUserError(`No free id between ${FIRST_ID} and ${LAST_ID}`);
}

async function appendLine(path: string, line: string): Promise<void> {
  const current = readOptional(path);
  const sep = current === "" || current.endsWith("\n") ? "" : "\n";
  await Deno.writeTextFile(path, `${sep}${line}\n`, { append: true, create: true });
}

/**
 * Makes sure the `--create-user` user exists (docs/command-line.md, `--create-user`). An existing user must match the
 * given uid and gid (a restarted container finds it again); otherwise the user, and a group
 * named like it when needed, are appended to passwd and group, and the home directory is
 * created owned by the user. Returns the user's credentials. Throws CreateUserError.
 */
export async function createUser(
  spec: CreateUserSpec,
  options: UsersOptions = {},
): Promise<Credentials> {
  let uid = spec.uid;
  let gidText = spec.gid;
  if (spec.path !== undefined && (uid === undefined || gidText === undefined)) {
    let info: Deno.FileInfo;
    try {
      info = await Deno.stat(spec.path);
    } catch (err) {
      throw new CreateUserError(`Cannot read owner of ${spec.path}: ${(err as Error).message}`, {
        cause: err,
      });
    }
    uid ??= info.uid ?? undefined;
    gidText ??= info.gid === null ? undefined : String(info.gid);
  }

  const existing = lookupUser(spec.name, options);
  if (existing !== undefined) {
    if (uid !== undefined && uid !== existing.uid) {
      throw new CreateUserError(
        `User ${spec.name} exists, but does not have expected UID=${uid}`,
      );
    }
    if (gidText !== undefined) {
      const group = lookupGroup(gidText, options);
      if (group === undefined) throw new CreateUserError(`Group does not exist: ${gidText}`);
      if (group.gid !== existing.gid) {
        throw new CreateUserError(
          `User ${spec.name} exists, but does not have expected GID=${gidText}`,
        );
      }
    }
    return existing;
  }

  const users = readPasswd(options);
  const groups = readGroups(options);
  if (uid !== undefined && users.some((u) => u.uid === uid)) {
    throw new CreateUserError(`UID ${uid} is already in use`);
  }
  const newUid = uid ?? nextFreeId(users.map((u) => u.uid));

  let gid: number;
  let newGroup: string | undefined;
  if (gidText !== undefined) {
    const group = lookupGroup(gidText, options);
    if (group !== undefined) {
      gid = group.gid;
    } else if (DIGITS_REGEXP.test(gidText)) {
      // A numeric gid that does not exist gets a group named like the user (as groupadd -g).
      if (groups.some((g) => g.name === spec.name)) {
        throw new CreateUserError(`Group ${spec.name} exists, but does not have GID=${gidText}`);
      }
      gid = Number(gidText);
      newGroup = `${spec.name}:x:${gid}:`;
    } else {
      throw new CreateUserError(`Group does not exist: ${gidText}`);
    }
  } else {
    const same = groups.find((g) => g.name === spec.name);
    if (same !== undefined) {
      gid = same.gid;
    } else {
      gid = nextFreeId(groups.map((g) => g.gid), newUid);
      newGroup = `${spec.name}:x:${gid}:`;
    }
  }

  let home = `${usersDir(options).replace(/\/+$/, "")}/${spec.name}`;
  if (spec.defaultHome !== undefined && !exists(hostPath(home, options))) home = spec.defaultHome;

  if (newGroup !== undefined) await appendLine(etcPath("group", options), newGroup);
  await appendLine(etcPath("passwd", options), `${spec.name}:x:${newUid}:${gid}::${home}:/bin/sh`);

  const homeDir = hostPath(home, options);
  if (!exists(homeDir)) {
    await Deno.mkdir(homeDir, { recursive: true, mode: 0o755 });
    await Deno.chown(homeDir, newUid, gid);
  }
  return { uid: newUid, gid, name: spec.name, home };
}
