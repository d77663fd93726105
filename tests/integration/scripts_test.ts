/**
 * scripts/deno on a fresh clone (README's "installs itself on first use"), as a normal user:
 * into .tools/ of a checkout the user may write, else into the per-user cache, found there next
 * time; a clear error when neither is writable. npm is a stand-in on PATH that "installs" by
 * linking the Deno running these tests, so the test needs no network: what is checked is where
 * scripts/deno puts things and what it tells npm.
 */
import assert from "node:assert/strict";
import { REPO, tempTree } from "../_helpers/pid1.ts";
import { runProgram } from "../_helpers/run_program.ts";

const VERSION = Deno.readTextFileSync(`${REPO}/scripts/deno-version`).trim();

const FAKE_NPM = `#!/bin/sh
# npm install ... --cache DIR --prefix DIR deno@VERSION, without the network.
prefix=; cache=
while [ $# -gt 0 ]; do
  case "$1" in --prefix) prefix="$2"; shift ;; --cache) cache="$2"; shift ;; esac
  shift
done
[ -n "$prefix" ] && [ -n "$cache" ] || { echo "fake npm: no --prefix or --cache" >&2; exit 9; }
mkdir -p "$cache" || exit 9
for pkg in linux-x64-glibc linux-arm64-glibc; do
  mkdir -p "$prefix/node_modules/@deno/$pkg" && ln -s "${Deno.execPath()}" "$prefix/node_modules/@deno/$pkg/deno"
done
echo "$prefix" >>"$NPM_LOG"
`;

/** A copy of scripts/deno in DIR/NAME/scripts, owned by `owner`. */
async function checkout(dir: string, name: string, owner: number): Promise<string> {
  const root = `${dir}/${name}`;
  await Deno.mkdir(`${root}/scripts`, { recursive: true });
  for (const file of ["deno", "deno-version"]) {
    await Deno.copyFile(`${REPO}/scripts/${file}`, `${root}/scripts/${file}`);
  }
  for (const path of [root, `${root}/scripts`]) await Deno.chown(path, owner, owner);
  return root;
}

function asNobody(dir: string, root: string, home: string) {
  return runProgram(
    "setpriv",
    ["--reuid=nobody", "--regid=nogroup", "--clear-groups", `${root}/scripts/deno`, "--version"],
    { env: { PATH: `${dir}/bin:/usr/bin:/bin`, HOME: home, NPM_LOG: `${dir}/npm.log` } },
  );
}

async function entries(path: string): Promise<string[]> {
  const names: string[] = [];
  for await (const e of Deno.readDir(path)) names.push(e.name);
  return names.sort();
}

Deno.test({
  name: "scripts/deno installs Deno for a user into a read-only checkout's per-user cache, " +
    "or into .tools/ of a writable one",
  // Becoming nobody needs root.
  ignore: Deno.uid() !== 0,
  async fn() {
    const dir = await tempTree({ "bin/npm": FAKE_NPM, "npm.log": "" });
    try {
      await Deno.chmod(dir, 0o755);
      await Deno.chmod(`${dir}/bin/npm`, 0o755);
      await Deno.chmod(`${dir}/npm.log`, 0o666);
      const home = `${dir}/home`;
      await Deno.mkdir(home);
      await Deno.chown(home, 65534, 65534);

      // A clone that root owns: nobody cannot write it.
      const readOnly = await checkout(dir, "ro", 0);
      const first = await asNobody(dir, readOnly, home);
      const cache = `${home}/.cache/chaperone/deno-${VERSION}`;
      assert.equal(first.code, 0, first.stderr);
      assert.match(first.stdout, new RegExp(`^deno ${VERSION.replaceAll(".", "\\.")} `));
      assert.match(
        first.stderr,
        new RegExp(
          `installing Deno .* into ${cache} \\(the checkout is not writable for nobody\\)`,
        ),
      );
      assert.deepEqual(await entries(cache), ["bin", "node_modules"], "npm's cache is removed");
      assert.deepEqual(await entries(readOnly), ["scripts"]);
      // Found there the next time: no second install.
      const second = await asNobody(dir, readOnly, home);
      assert.deepEqual([second.code, second.stderr], [0, ""]);
      assert.equal(await Deno.readTextFile(`${dir}/npm.log`), `${cache}\n`);

      // A clone of one's own: into its .tools/, and nothing in HOME.
      const own = await checkout(dir, "rw", 65534);
      const emptyHome = `${dir}/home2`;
      await Deno.mkdir(emptyHome);
      await Deno.chown(emptyHome, 65534, 65534);
      const third = await asNobody(dir, own, emptyHome);
      assert.equal(third.code, 0, third.stderr);
      assert.match(third.stderr, /installing Deno .* into \.tools\/ in the checkout/);
      assert.ok((await Deno.stat(`${own}/.tools/deno-${VERSION}/bin/deno`)).isFile);
      assert.deepEqual(await entries(emptyHome), []);

      // Neither writable: a clear error, no attempt.
      const none = await asNobody(dir, readOnly, "/nonexistent");
      assert.equal(none.code, 1);
      assert.match(
        none.stderr,
        /cannot install Deno .*: neither .*\/ro\/\.tools nor .* is writable/,
      );
      assert.equal((await Deno.readTextFile(`${dir}/npm.log`)).split("\n").length, 3);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
