/**
 * Opens a log file for appending without letting whoever can write its directories redirect
 * root's writes (docs/logging.md, "Files"). A service running as `nobody` owns the directory
 * Chaperone created for its section's `uid`, so it can put a symlink to /etc/passwd, a FIFO or
 * a hard link where the log file was, or a symlink where a subdirectory was.
 *
 * The path is walked one component at a time from `/` (or the working directory) with
 * openat(O_NOFOLLOW), each directory checked with fstat:
 * - a symlink is followed only when it lies in a directory that no one but root (or
 *   Chaperone's own user) can write: an administrator's `/var/log -> /data/log` or
 *   `/dev/stdout` keep working, a link planted by a service is refused;
 * - missing directories are created one by one in the directory just opened, so creation
 *   cannot be diverted either;
 * - the file is opened with O_NONBLOCK (a FIFO cannot block PID 1) and O_NOFOLLOW; in a
 *   directory others can write it must be a regular file that is not a hard link to a file of
 *   another user. `overwrite` truncates only after these checks.
 * Every refusal is an Error whose message says why; the caller reports it once and retries.
 */
import { AT_FDCWD, O, S_IFDIR, S_IFLNK, S_IFMT, S_IFREG } from "../sys/constants.ts";
import { Errno, ErrnoError } from "../sys/errno.ts";
import { FileDescriptor, type FileStatus, fileTypeName, mkdirAt } from "../sys/file_descriptor.ts";

/** Ownership and truncation of one opening. */
export interface LogFileOptions {
  /** Owner of created directories and files (a non-root uid: they are chowned to it). */
  readonly uid?: number | undefined;
  readonly gid?: number | undefined;
  /** Empty the file once it is known to be safe to write. */
  readonly truncate: boolean;
}

const FILE_FLAGS = O.WRONLY | O.APPEND | O.NONBLOCK | O.NOCTTY | O.CLOEXEC;
// Attempts when a name vanishes or appears between two calls (a rotation under our feet).
const RACE_RETRIES = 3;

let self: { uid: number; gid: number } | undefined;

// Chaperone's own user and group: what it creates is theirs.
function selfIds(): { uid: number; gid: number } {
  return self ??= { uid: Deno.uid() ?? 0, gid: Deno.gid() ?? 0 };
}

// Who else than root and Chaperone's own user can change the entries of this directory, as
// text for a message; undefined when no one.
function writableByOthers(dir: FileStatus): string | undefined {
  const self = selfIds();
  if (dir.uid !== 0 && dir.uid !== self.uid) return `owned by uid ${dir.uid}`;
  if ((dir.mode & 0o002) !== 0) return "writable by everyone";
  if ((dir.mode & 0o020) !== 0 && dir.gid !== 0 && dir.gid !== self.gid) {
    return `writable by group ${dir.gid}`;
  }
  return undefined;
}

function isErrno(e: unknown, errno: number): boolean {
  return e instanceof ErrnoError && e.errno === errno;
}

/** Opens (creating when missing) the log file `path` for appending; see the module comment. */
export function openLogFile(path: string, options: LogFileOptions): FileDescriptor {
  const parts = path.split("/").filter((p) => p !== "" && p !== ".");
  const name = parts.pop();
  if (name === undefined || name === "..") throw new Error("not a file name");
  const held: FileDescriptor[] = [];
  try {
    const start = path.startsWith("/") ? "/" : ".";
    let dir = FileDescriptor.openAt(AT_FDCWD, start, O.PATH | O.DIRECTORY | O.CLOEXEC);
    held.push(dir);
    let walked = start === "/" ? "" : ".";
    for (const part of parts) {
      walked += `/${part}`;
      dir = enterDirectory(dir, dir.stat(), part, walked, options);
      held.push(dir);
    }
    return openFileIn(dir, dir.stat(), name, options);
  } finally {
    for (const fd of held) fd.close();
  }
}

// Opens (creating when missing) directory `part` of `dir`, following a symlink only where
// nobody else can write.
function enterDirectory(
  dir: FileDescriptor,
  dirStatus: FileStatus,
  part: string,
  walked: string,
  options: LogFileOptions,
): FileDescriptor {
  for (let attempt = 0;; attempt++) {
    let entry: FileDescriptor;
    try {
      entry = FileDescriptor.openAt(dir, part, O.PATH | O.NOFOLLOW | O.CLOEXEC);
    } catch (e) {
      if (!isErrno(e, Errno.ENOENT)) throw e;
      try {
        return makeDirectory(dir, part, options);
      } catch (e) {
        if (isErrno(e, Errno.EEXIST) && attempt < RACE_RETRIES) continue;
        throw e;
      }
    }
    const type = entry.stat().mode & S_IFMT;
    if (type === S_IFDIR) return entry;
    entry.close();
    if (type !== S_IFLNK) throw new Error(`${walked} is not a directory`);
    const others = writableByOthers(dirStatus);
    if (others !== undefined) {
      throw new Error(`${walked} is a symbolic link in a directory ${others}: not followed`);
    }
    return FileDescriptor.openAt(dir, part, O.PATH | O.DIRECTORY | O.CLOEXEC);
  }
}

function makeDirectory(dir: FileDescriptor, part: string, options: LogFileOptions): FileDescriptor {
  const mode = options.gid === undefined ? 0o755 : 0o775;
  mkdirAt(dir, part, mode);
  const made = FileDescriptor.openAt(dir, part, O.RDONLY | O.DIRECTORY | O.NOFOLLOW | O.CLOEXEC);
  try {
    // Replaced by someone else's directory in between: theirs to keep as it is.
    if (made.stat().uid === selfIds().uid) {
      made.chmod(mode); // the umask must not change the documented mode
      if (options.uid !== undefined && options.uid !== 0) made.chown(options.uid, options.gid);
    }
    return made;
  } catch (e) {
    made.close();
    throw e;
  }
}

function openFileIn(
  dir: FileDescriptor,
  dirStatus: FileStatus,
  name: string,
  options: LogFileOptions,
): FileDescriptor {
  const others = writableByOthers(dirStatus);
  // A root-owned log is 0600: services running as other users must not read what root's
  // services logged. With a gid the group may read it.
  const mode = options.gid === undefined ? 0o600 : 0o664;
  for (let attempt = 0;; attempt++) {
    let file: FileDescriptor;
    try {
      file = FileDescriptor.openAt(dir, name, FILE_FLAGS | O.NOFOLLOW | O.CREAT | O.EXCL, mode);
    } catch (e) {
      if (!isErrno(e, Errno.EEXIST)) throw e;
      try {
        file = openExisting(dir, name, others, mode);
      } catch (e) {
        if (isErrno(e, Errno.ENOENT) && attempt < RACE_RETRIES) continue;
        throw e;
      }
      try {
        checkExisting(file, dirStatus, others, options);
      } catch (e) {
        file.close();
        throw e;
      }
      return file;
    }
    try {
      file.chmod(mode);
      if (options.uid !== undefined && options.uid !== 0) file.chown(options.uid, options.gid);
    } catch (e) {
      file.close();
      throw e;
    }
    return file;
  }
}

function openExisting(
  dir: FileDescriptor,
  name: string,
  others: string | undefined,
  mode: number,
): FileDescriptor {
  try {
    return FileDescriptor.openAt(dir, name, FILE_FLAGS | O.NOFOLLOW);
  } catch (e) {
    if (isErrno(e, Errno.ELOOP)) {
      if (others !== undefined) {
        throw new Error(`a symbolic link in a directory ${others}: not followed`);
      }
      // An administrator's link (`/dev/stdout`, `current -> app-1.log`), created when dangling.
      return FileDescriptor.openAt(dir, name, FILE_FLAGS | O.CREAT, mode);
    }
    if (isErrno(e, Errno.ENXIO)) throw new Error("a FIFO or socket that no one is reading");
    throw e;
  }
}

function checkExisting(
  file: FileDescriptor,
  dir: FileStatus,
  others: string | undefined,
  options: LogFileOptions,
): void {
  const status = file.stat();
  const regular = (status.mode & S_IFMT) === S_IFREG;
  if (others !== undefined) {
    if (!regular) {
      throw new Error(`${fileTypeName(status)}, not a regular file, in a directory ${others}`);
    }
    // Another user's file linked in here: writing it would write theirs. One the directory's
    // owner owns is no one else's.
    if (status.nlink > 1 && status.uid !== dir.uid) {
      throw new Error(
        `a hard link (${status.nlink} names) to a file of uid ${status.uid} in a directory ${others}`,
      );
    }
  }
  if (regular) {
    if (options.truncate) file.truncate();
  } else {
    // A device or pipe an administrator chose (`/dev/console`): write to it as before.
    file.setBlocking();
  }
}
