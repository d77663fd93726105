import assert from "node:assert/strict";
import { AT_FDCWD, O } from "../../src/sys/constants.ts";
import { Errno, ErrnoError } from "../../src/sys/errno.ts";
import {
  FileDescriptor,
  fileTypeName,
  mkdirAt,
  sameFile,
  statPath,
} from "../../src/sys/file_descriptor.ts";
import { withTempDir } from "../_helpers/with_temp_dir.ts";

function errnoOf(fn: () => unknown): number | undefined {
  try {
    fn();
    return undefined;
  } catch (e) {
    assert.ok(e instanceof ErrnoError, String(e));
    return e.errno;
  }
}

Deno.test("FileDescriptor.openAt() creates, appends and reports errno for O_EXCL and O_NOFOLLOW", () =>
  withTempDir(async (dir) => {
    const base = FileDescriptor.openAt(AT_FDCWD, dir, O.PATH | O.DIRECTORY);
    try {
      const flags = O.WRONLY | O.APPEND | O.CREAT | O.CLOEXEC;
      const file = FileDescriptor.openAt(base, "a.log", flags | O.EXCL, 0o640);
      assert.equal(file.writeSync(new TextEncoder().encode("one\n")), 4);
      file.chmod(0o640); // exact, whatever the umask
      file.close();
      file.close(); // twice: nothing
      assert.equal(file.fd, -1);
      assert.equal(
        errnoOf(() => FileDescriptor.openAt(base, "a.log", flags | O.EXCL)),
        Errno.EEXIST,
      );
      Deno.symlinkSync(`${dir}/a.log`, `${dir}/link`);
      assert.equal(
        errnoOf(() => FileDescriptor.openAt(base, "link", O.WRONLY | O.NOFOLLOW)),
        Errno.ELOOP,
      );
      assert.equal(errnoOf(() => FileDescriptor.openAt(base, "none", O.WRONLY)), Errno.ENOENT);
      mkdirAt(base, "sub", 0o700);
      assert.equal(errnoOf(() => mkdirAt(base, "sub", 0o700)), Errno.EEXIST);
      const again = FileDescriptor.openAt(base, "link", O.WRONLY | O.APPEND);
      again.writeSync(new TextEncoder().encode("two\n"));
      const st = again.stat();
      again.close();
      assert.equal(await Deno.readTextFile(`${dir}/a.log`), "one\ntwo\n");
      assert.equal(st.mode & 0o7777, 0o640);
      assert.equal(st.nlink, 1);
      assert.equal(st.uid, Deno.uid());
      assert.equal(fileTypeName(st), "a regular file");
      assert.ok(sameFile(st, statPath(`${dir}/link`)), "stat follows the link");
      assert.ok(!sameFile(st, statPath(dir)));
      assert.equal(fileTypeName(statPath(`${dir}/sub`)), "a directory");
    } finally {
      base.close();
    }
  }));

Deno.test("FileDescriptor.truncate() empties a file and setBlocking() clears O_NONBLOCK", () =>
  withTempDir(async (dir) => {
    await Deno.writeTextFile(`${dir}/f`, "content\n");
    const file = FileDescriptor.openAt(AT_FDCWD, `${dir}/f`, O.WRONLY | O.NONBLOCK);
    file.truncate();
    file.setBlocking();
    file.close();
    assert.equal(await Deno.readTextFile(`${dir}/f`), "");
    assert.equal(errnoOf(() => statPath(`${dir}/missing`)), Errno.ENOENT);
    assert.throws(() => file.writeSync(new Uint8Array(1)), /Bad file descriptor/);
  }));
