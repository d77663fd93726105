/**
 * Programs the tests take from the machine (Debian packages: scripts/setup-test-machine lists
 * them and installs them as root, which scripts/test does on every run). Without root they
 * cannot be installed, so a test that needs a missing one is skipped (scripts/test has named
 * what is missing); as root a missing program is a failure, since the setup installs them.
 */

function onPath(program: string): boolean {
  const path = Deno.env.get("PATH") ?? "/usr/bin:/bin";
  for (const dir of path.split(":")) {
    if (dir === "") continue;
    try {
      const info = Deno.statSync(`${dir}/${program}`);
      if (info.isFile && ((info.mode ?? 0) & 0o111) !== 0) return true;
    } catch {
      // Not in this directory.
    }
  }
  return false;
}

/** True when a test needing these programs is to be skipped: one is missing and we are not root. */
export function lacks(...programs: string[]): boolean {
  return Deno.uid() !== 0 && programs.some((program) => !onPath(program));
}
