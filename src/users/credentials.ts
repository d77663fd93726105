/**
 * Who a process runs as, and turning `uid`/`gid` text (already expanded) into it, for services
 * and logging sections alike: a user by name or number, its primary group unless a `gid` names
 * another ("Users and groups" in docs/configuration.md). Lookups go through a UserDirectory
 * (process/users.ts in production, a temporary root in tests).
 *
 * In layer 0 because the configuration (which resolves users when it is loaded) and the process
 * layer (which reads /etc/passwd and spawns as the user) both speak of Credentials, and neither
 * may import the other for it.
 */

/** Credentials resolved from /etc/passwd and /etc/group. */
export interface Credentials {
  readonly uid: number;
  readonly gid: number;
  /** Set when the user exists in /etc/passwd. */
  readonly name?: string;
  readonly home?: string;
}

/** The user database seam. */
export interface UserDirectory {
  lookupUser(nameOrId: string): Credentials | undefined;
  lookupGroup(nameOrId: string): { readonly gid: number } | undefined;
}

/** What lookupCredentials found: the credentials, or the directive at fault and why. */
export type CredentialsLookup =
  | { readonly user: Credentials; readonly problem?: undefined }
  | {
    readonly user?: undefined;
    readonly problem: { readonly directive: "uid" | "gid"; readonly message: string };
    /** The group, when only the user was unknown. */
    readonly gid?: number;
  };

const DIGITS_REGEXP = /^\d+$/;

/** A group by name or number; a numeric gid is taken as it is, like setgid() would. */
export function groupId(nameOrId: string, users: UserDirectory): number | undefined {
  const group = users.lookupGroup(nameOrId);
  if (group !== undefined) return group.gid;
  return DIGITS_REGEXP.test(nameOrId) ? Number(nameOrId) : undefined;
}

/** Looks up `uid` and the optional `gid` that replaces its primary group. */
export function lookupCredentials(
  uidText: string,
  gidText: string | undefined,
  users: UserDirectory,
): CredentialsLookup {
  const found = users.lookupUser(uidText);
  const gid = gidText === undefined ? found?.gid : groupId(gidText, users);
  if (found === undefined) {
    return {
      problem: { directive: "uid", message: `user '${uidText}' does not exist` },
      ...(gid !== undefined ? { gid } : {}),
    };
  }
  if (gid === undefined) {
    return { problem: { directive: "gid", message: `group '${gidText}' does not exist` } };
  }
  return { user: { ...found, gid } };
}
