/** True when anything, a dangling symlink included, is at `path` (false when it cannot be seen). */
export function pathExists(path: string): boolean {
  try {
    // lstat, so a symlink counts by itself and not by what it points to.
    Deno.lstatSync(path);
    return true;
  } catch {
    return false;
  }
}
