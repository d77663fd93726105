import assert from "node:assert/strict";
import { join } from "node:path";
import { AF_UNIX, SOCK_DGRAM } from "../../src/sys/constants.ts";
import { lastError } from "../../src/sys/errno.ts";
import { libc } from "../../src/sys/libc.ts";
import { bindUnixDatagram, sockaddrUn } from "../../src/sys/unix_socket.ts";

Deno.test("sockaddrUn() lays out family, name and NUL for paths and abstract names", () => {
  const cases: [string, string, boolean, number[]][] = [
    ["a path gets a trailing NUL", "/a", false, [AF_UNIX, 0, 0x2f, 0x61, 0]],
    ["an abstract name gets a leading NUL", "x/y", true, [AF_UNIX, 0, 0, 0x78, 0x2f, 0x79]],
    ["a one-byte path", "s", false, [AF_UNIX, 0, 0x73, 0]],
  ];
  for (const [what, path, abstract, bytes] of cases) {
    assert.deepEqual([...sockaddrUn(path, { abstract })], bytes, what);
  }
  const utf8 = sockaddrUn("/é");
  assert.deepEqual([...utf8], [AF_UNIX, 0, 0x2f, 0xc3, 0xa9, 0]);
});

Deno.test("sockaddrUn() accepts 107 bytes and rejects longer or empty names", () => {
  assert.equal(sockaddrUn("/" + "a".repeat(106)).length, 2 + 108);
  assert.equal(sockaddrUn("a".repeat(107), { abstract: true }).length, 2 + 108);
  const rejected: [string, string, boolean][] = [
    ["a 108-byte path", "/" + "a".repeat(107), false],
    ["a 108-byte abstract name", "a".repeat(108), true],
    ["an empty path", "", false],
    ["an empty abstract name", "", true],
  ];
  for (const [what, path, abstract] of rejected) {
    assert.throws(() => sockaddrUn(path, { abstract }), RangeError, what);
  }
});

Deno.test("sockaddrUn() builds an address that bind() accepts for a real socket", () => {
  const dir = Deno.makeTempDirSync();
  const lib = libc();
  const fd = lib.socket(AF_UNIX, SOCK_DGRAM, 0);
  try {
    const path = join(dir, "bound.sock");
    const address = sockaddrUn(path);
    assert.equal(lib.bind(fd, address, address.length), 0, lastError().message);
    assert.ok(Deno.lstatSync(path).isSocket);
  } finally {
    lib.close(fd);
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("bindUnixDatagram() binds a socket file and reports a taken address as AddrInUse", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/d.sock`;
    const fd = bindUnixDatagram(sockaddrUn(path), "test socket");
    assert.ok(fd >= 0);
    assert.ok(Deno.statSync(path).isSocket);
    assert.throws(
      () => bindUnixDatagram(sockaddrUn(path), "test socket"),
      (e: unknown) =>
        e instanceof Deno.errors.AddrInUse && /Cannot bind test socket/.test(e.message),
    );
    libc().close(fd);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
