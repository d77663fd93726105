/**
 * openLogFile() against what a user who owns a log directory can plant there: symlinks (for
 * the file and for a parent), FIFOs with and without a reader, hard links to root's files;
 * and what an administrator may legitimately configure: symlinks in root's directories,
 * devices. The "service" here is uid 65534 owning the directory (chown needs root).
 */
import assert from "node:assert/strict";
import { openLogFile } from "../../src/syslog/open_log_file.ts";
import { withTempDir } from "../_helpers/with_temp_dir.ts";

const NOBODY = 65534;
const asRoot = { ignore: Deno.uid() !== 0 };
const enc = new TextEncoder();

// Opens, appends `text`, closes; the error message when refused.
function append(path: string, text: string, options = {}): string | undefined {
  try {
    const file = openLogFile(path, { truncate: false, ...options });
    try {
      file.writeSync(enc.encode(text));
    } finally {
      file.close();
    }
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

// A directory owned by nobody, as Chaperone creates it for a section with `uid: nobody`.
function nobodyDir(dir: string): string {
  const d = `${dir}/logs`;
  Deno.mkdirSync(d, { mode: 0o755 });
  Deno.chownSync(d, NOBODY, NOBODY);
  return d;
}

// A root-owned file that must stay as it is.
function target(dir: string): string {
  Deno.mkdirSync(`${dir}/etc`);
  Deno.writeTextFileSync(`${dir}/etc/passwd`, "root:x:0:0:root:/root:/bin/bash\n");
  return `${dir}/etc/passwd`;
}

const ORIGINAL = "root:x:0:0:root:/root:/bin/bash\n";

Deno.test({
  name:
    "openLogFile() creates missing directories and the file with the documented modes and owner",
  ...asRoot,
  fn: () =>
    withTempDir(async (dir) => {
      assert.equal(append(`${dir}/a/b/root.log`, "one\n"), undefined);
      assert.equal(
        append(`${dir}/n/m/nobody.log`, "two\n", { uid: NOBODY, gid: NOBODY }),
        undefined,
      );
      const mode = (p: string) => (Deno.statSync(p).mode! & 0o7777).toString(8);
      assert.deepEqual(
        [mode(`${dir}/a/b`), mode(`${dir}/a/b/root.log`), Deno.statSync(`${dir}/a/b/root.log`).uid],
        ["755", "600", 0],
      );
      assert.deepEqual(
        [mode(`${dir}/n/m`), mode(`${dir}/n/m/nobody.log`), Deno.statSync(`${dir}/n/m`).uid],
        ["775", "664", NOBODY],
      );
      assert.equal(Deno.statSync(`${dir}/n/m/nobody.log`).uid, NOBODY);
      assert.equal(append(`${dir}/a/b/root.log`, "three\n"), undefined);
      assert.equal(await Deno.readTextFile(`${dir}/a/b/root.log`), "one\nthree\n");
    }),
});

Deno.test({
  name: "openLogFile() refuses a symlink planted in a directory another user owns",
  ...asRoot,
  fn: () =>
    withTempDir(async (dir) => {
      const passwd = target(dir);
      const logs = nobodyDir(dir);
      Deno.symlinkSync(passwd, `${logs}/app.log`);
      assert.equal(
        append(`${logs}/app.log`, "owned::0:0::/:/bin/sh\n", { uid: NOBODY, truncate: true }),
        "a symbolic link in a directory owned by uid 65534: not followed",
      );
      assert.equal(await Deno.readTextFile(passwd), ORIGINAL);
    }),
});

Deno.test({
  name:
    "openLogFile() refuses a symlinked parent directory in another user's directory, and creates nothing",
  ...asRoot,
  fn: () =>
    withTempDir(async (dir) => {
      target(dir);
      const logs = nobodyDir(dir);
      Deno.symlinkSync(`${dir}/etc`, `${logs}/sub`);
      for (const path of [`${logs}/sub/passwd`, `${logs}/sub/new.log`, `${logs}/sub/d/x.log`]) {
        assert.equal(
          append(path, "owned\n"),
          `${logs}/sub is a symbolic link in a directory owned by uid 65534: not followed`,
        );
      }
      assert.deepEqual([...Deno.readDirSync(`${dir}/etc`)].map((e) => e.name), ["passwd"]);
      assert.equal(await Deno.readTextFile(`${dir}/etc/passwd`), ORIGINAL);
    }),
});

Deno.test({
  name:
    "openLogFile() never blocks on a FIFO and refuses one with a reader in another user's directory",
  ...asRoot,
  fn: () =>
    withTempDir(async (dir) => {
      const logs = nobodyDir(dir);
      const fifo = `${logs}/app.log`;
      const made = new Deno.Command("mkfifo", { args: [fifo] }).outputSync();
      assert.equal(made.code, 0);
      // No reader: a blocking open would wait forever here.
      assert.equal(append(fifo, "x\n"), "a FIFO or socket that no one is reading");
      // A reader that holds the FIFO open (read-write, so its own open does not block).
      const cat = new Deno.Command("bash", {
        args: ["-c", `exec 3<>"$1"; cat <&3 & sleep 0.3; kill $!`, "-", fifo],
        stdout: "piped",
      }).spawn();
      await new Promise((r) => setTimeout(r, 100));
      assert.equal(
        append(fifo, "x\n"),
        "a FIFO, not a regular file, in a directory owned by uid 65534",
      );
      const out = await cat.output();
      assert.equal(out.stdout.length, 0);
    }),
});

Deno.test({
  name:
    "openLogFile() refuses a hard link to another user's file, and truncates nothing before checking",
  ...asRoot,
  fn: () =>
    withTempDir(async (dir) => {
      const passwd = target(dir);
      const logs = nobodyDir(dir);
      Deno.linkSync(passwd, `${logs}/app.log`);
      assert.equal(
        append(`${logs}/app.log`, "owned\n", { uid: NOBODY, truncate: true }),
        "a hard link (2 names) to a file of uid 0 in a directory owned by uid 65534",
      );
      assert.equal(await Deno.readTextFile(passwd), ORIGINAL);
      // The directory owner's own file, even hard-linked, is theirs to have written.
      Deno.removeSync(`${logs}/app.log`);
      Deno.writeTextFileSync(`${logs}/own`, "");
      Deno.chownSync(`${logs}/own`, NOBODY, NOBODY);
      Deno.linkSync(`${logs}/own`, `${logs}/app.log`);
      assert.equal(append(`${logs}/app.log`, "line\n"), undefined);
      assert.equal(await Deno.readTextFile(`${logs}/own`), "line\n");
    }),
});

Deno.test({
  name: "openLogFile() follows symlinks root placed, writes devices, and truncates with overwrite",
  ...asRoot,
  fn: () =>
    withTempDir(async (dir) => {
      Deno.mkdirSync(`${dir}/real`);
      Deno.symlinkSync(`${dir}/real`, `${dir}/logs`);
      Deno.symlinkSync(`${dir}/real/app-1.log`, `${dir}/real/current.log`);
      // A dangling link of root's creates its target, as opening it always did.
      assert.equal(append(`${dir}/logs/current.log`, "one\n"), undefined);
      assert.equal(await Deno.readTextFile(`${dir}/real/app-1.log`), "one\n");
      assert.equal(append(`${dir}/logs/current.log`, "two\n", { truncate: true }), undefined);
      assert.equal(await Deno.readTextFile(`${dir}/real/app-1.log`), "two\n");
      assert.equal(append("/dev/null", "x\n", { truncate: true }), undefined);
      assert.equal(append("/dev/full", "x\n"), "No space left on device");
    }),
});

Deno.test({
  name: "openLogFile() names a path component that is not a directory",
  ...asRoot,
  fn: () =>
    withTempDir((dir) => {
      Deno.writeTextFileSync(`${dir}/logs`, "in the way\n");
      assert.equal(append(`${dir}/logs/app.log`, "x\n"), `${dir}/logs is not a directory`);
      assert.equal(append(`${dir}/`, "x\n"), "Is a directory");
      assert.equal(append("/", "x\n"), "not a file name");
      return Promise.resolve();
    }),
});
