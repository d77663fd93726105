import assert from "node:assert/strict";
import { AF_UNIX, SOCK_DGRAM } from "../../src/sys/constants.ts";
import { Errno, errnoText, lastErrno, lastError } from "../../src/sys/errno.ts";
import { libc } from "../../src/sys/libc.ts";
import { sockaddrUn } from "../../src/sys/unix_socket.ts";

Deno.test("lastError() reports EBADF and its message after close(-1) fails", () => {
  assert.equal(libc().close(-1), -1);
  assert.deepEqual(lastError(), { errno: Errno.EBADF, message: "Bad file descriptor" });
});

Deno.test("lastErrno() reads errno of the latest failed call, not an earlier one", () => {
  const lib = libc();
  assert.equal(lib.close(-1), -1);
  assert.equal(lastErrno(), Errno.EBADF);
  const fd = lib.socket(AF_UNIX, SOCK_DGRAM, 0);
  assert.ok(fd >= 0);
  try {
    const address = sockaddrUn(`/nonexistent-${crypto.randomUUID()}/s.sock`);
    assert.equal(lib.bind(fd, address, address.length), -1);
    assert.equal(lastErrno(), Errno.ENOENT);
  } finally {
    lib.close(fd);
  }
});

Deno.test("errnoText() gives strerror's text for a code that is not errno", () => {
  assert.equal(errnoText(Errno.ENOENT), "No such file or directory");
  assert.equal(errnoText(Errno.EADDRINUSE), "Address already in use");
});
