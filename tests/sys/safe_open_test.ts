import assert from "node:assert/strict";
import { readSmallFile, UnsafeFileError } from "../../src/sys/safe_open.ts";
import { withTempDir } from "../_helpers/with_temp_dir.ts";

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

Deno.test("readSmallFile() reads a small regular file", () =>
  withTempDir((dir) => {
    Deno.writeTextFileSync(`${dir}/a.pid`, "1234\n");
    assert.equal(text(readSmallFile(`${dir}/a.pid`, 64)), "1234\n");
    Deno.writeTextFileSync(`${dir}/empty`, "");
    assert.equal(text(readSmallFile(`${dir}/empty`, 64)), "");
    Deno.writeTextFileSync(`${dir}/exact`, "x".repeat(64));
    assert.equal(readSmallFile(`${dir}/exact`, 64).length, 64);
  }));

Deno.test("readSmallFile() refuses a file longer than the limit", () =>
  withTempDir((dir) => {
    Deno.writeTextFileSync(`${dir}/big`, "1".repeat(65));
    assert.throws(() => readSmallFile(`${dir}/big`, 64), (e) => {
      assert.ok(e instanceof UnsafeFileError);
      assert.match(e.message, /larger than 64 bytes/);
      return true;
    });
  }));

Deno.test("readSmallFile() refuses a symlink, even to a regular file, and /dev/zero", () =>
  withTempDir((dir) => {
    Deno.writeTextFileSync(`${dir}/real`, "42\n");
    Deno.symlinkSync(`${dir}/real`, `${dir}/link`);
    Deno.symlinkSync("/dev/zero", `${dir}/zero`);
    for (const name of ["link", "zero"]) {
      assert.throws(() => readSmallFile(`${dir}/${name}`, 64), (e) => {
        assert.ok(e instanceof UnsafeFileError, String(e));
        assert.match(e.message, /is a symbolic link/);
        return true;
      });
    }
  }));

Deno.test("readSmallFile() refuses a FIFO at once (no writer: open would block) and a device", () =>
  withTempDir((dir) => {
    const mk = new Deno.Command("mkfifo", { args: [`${dir}/fifo`] }).outputSync();
    assert.ok(mk.success);
    const began = performance.now();
    assert.throws(() => readSmallFile(`${dir}/fifo`, 64), /is a FIFO/);
    assert.ok(performance.now() - began < 1000);
    assert.throws(() => readSmallFile("/dev/zero", 64), /is a character device/);
    assert.throws(() => readSmallFile(dir, 64), /is a directory/);
  }));

Deno.test("readSmallFile() reports a missing file as NotFound", () =>
  withTempDir((dir) => {
    assert.throws(() => readSmallFile(`${dir}/none`, 64), Deno.errors.NotFound);
  }));
