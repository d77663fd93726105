/**
 * Where Chaperone's sockets live (Decision 13 in docs/migration.md). Root in a container keeps the
 * original's paths under /dev; a user who cannot write /dev (a laptop, the README demo) gets a
 * private per-user runtime directory instead, and `ctl` looks in both places.
 */

/** Paths of the endpoints a running Chaperone creates. */
export interface RuntimePaths {
  /** The syslog datagram socket (`/dev/log`). */
  syslogSocket: string;
  /** The control stream socket (`/dev/chaperone.sock`). */
  controlSocket: string;
  /** The command FIFO (`/dev/chaperone`). */
  controlFifo: string;
  /** Directory holding one notify socket per notify service. */
  notifyDir: string;
  /** The per-user directory in use, which the caller creates with ensureRuntimeDir(); none under /dev. */
  runtimeDir?: string;
}

/** Where the per-user runtime directory is found. */
export interface UserDirOptions {
  /** Numeric user id (default: the current user's). */
  uid?: number;
  /** Environment to read `XDG_RUNTIME_DIR` from (default: the process environment). */
  env?: Readonly<Record<string, string | undefined>>;
}

/** Environment variable naming the control socket for `ctl`. */
export const SOCKET_ENV = "CHAPERONE_SOCKET";

/** The control socket path of a Chaperone running as root in a container. */
export const DEV_CONTROL_SOCKET = "/dev/chaperone.sock";

function currentUid(): number {
  // Deno.uid() is null only on Windows, which Chaperone does not run on.
  return Deno.uid() ?? 0;
}

function xdgRuntimeDir(env: Readonly<Record<string, string | undefined>>): string | undefined {
  const dir = env.XDG_RUNTIME_DIR;
  // The XDG spec requires an absolute path; anything else is ignored.
  return dir !== undefined && dir.startsWith("/") ? dir.replace(/\/+$/, "") || "/" : undefined;
}

/** The per-user runtime directory: `$XDG_RUNTIME_DIR/chaperone`, else `/tmp/chaperone-<uid>`. */
export function userRuntimeDir(options: UserDirOptions = {}): string {
  const env = options.env ?? Deno.env.toObject();
  const xdg = xdgRuntimeDir(env);
  if (xdg !== undefined) return `${xdg === "/" ? "" : xdg}/chaperone`;
  return `/tmp/chaperone-${options.uid ?? currentUid()}`;
}

/** Endpoint paths: under /dev when it is writable, else in the per-user runtime directory. */
export function runtimePaths(options: { devWritable: boolean } & UserDirOptions): RuntimePaths {
  if (options.devWritable) {
    return {
      syslogSocket: "/dev/log",
      controlSocket: DEV_CONTROL_SOCKET,
      controlFifo: "/dev/chaperone",
      notifyDir: "/dev/chaperone-notify",
    };
  }
  const dir = userRuntimeDir(options);
  return {
    syslogSocket: `${dir}/log`,
    controlSocket: `${dir}/chaperone.sock`,
    controlFifo: `${dir}/chaperone`,
    notifyDir: `${dir}/notify`,
    runtimeDir: dir,
  };
}

/** Whether this process can create files in `dir` (default /dev), found by trying it. */
export function isDirWritable(dir = "/dev"): boolean {
  try {
    const probe = Deno.makeTempFileSync({ dir, prefix: ".chaperone-probe-" });
    Deno.removeSync(probe);
    return true;
  } catch {
    return false;
  }
}

/**
 * Creates the per-user runtime directory with mode 0700, or checks an existing one. Under /tmp
 * anyone could have made it first, so a directory owned by another user, or a symlink, is
 * refused rather than used.
 */
export function ensureRuntimeDir(dir: string, options: { uid?: number } = {}): void {
  const uid = options.uid ?? currentUid();
  try {
    Deno.mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (error) {
    if (!(error instanceof Deno.errors.AlreadyExists)) throw error;
  }
  const info = Deno.lstatSync(dir);
  if (!info.isDirectory) {
    throw new Deno.errors.PermissionDenied(`Runtime directory ${dir} is not a directory`);
  }
  if (info.uid !== uid) {
    throw new Deno.errors.PermissionDenied(
      `Runtime directory ${dir} belongs to uid ${info.uid}, not ${uid}`,
    );
  }
  if ((info.mode! & 0o777) !== 0o700) Deno.chmodSync(dir, 0o700);
}

/**
 * Control sockets for `ctl` to try, in order: the `--socket` flag alone when given, else
 * `$CHAPERONE_SOCKET` alone when set, else /dev/chaperone.sock and then the per-user
 * directories (both the XDG one and the /tmp one, since `ctl` may run with a different
 * environment than the server, e.g. through `docker exec`).
 */
export function ctlSocketCandidates(
  options: { flag?: string } & UserDirOptions = {},
): string[] {
  if (options.flag !== undefined && options.flag !== "") return [options.flag];
  const env = options.env ?? Deno.env.toObject();
  const fromEnv = env[SOCKET_ENV];
  if (fromEnv !== undefined && fromEnv !== "") return [fromEnv];
  const uid = options.uid ?? currentUid();
  const candidates = [DEV_CONTROL_SOCKET, `${userRuntimeDir({ uid, env })}/chaperone.sock`];
  const tmp = `${userRuntimeDir({ uid, env: {} })}/chaperone.sock`;
  if (!candidates.includes(tmp)) candidates.push(tmp);
  return candidates;
}
