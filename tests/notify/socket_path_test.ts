import assert from "node:assert/strict";
import { notifySocketPath, SOCKET_PATH_MAX } from "../../src/notify/socket_path.ts";

const DIR = "/dev/chaperone-notify";
const bytes = (text: string) => new TextEncoder().encode(text).length;

Deno.test("notifySocketPath() keeps a name that fits as <name>.sock", async () => {
  assert.equal(await notifySocketPath(DIR, "web.service"), `${DIR}/web.service.sock`);
  const longest = "a".repeat(SOCKET_PATH_MAX - bytes(`${DIR}/.sock`));
  assert.equal(await notifySocketPath(DIR, longest), `${DIR}/${longest}.sock`);
});

Deno.test("notifySocketPath() shortens a long name to a prefix and a hash, within sun_path", async () => {
  const name = `${"x".repeat(150)}.service`;
  const path = await notifySocketPath(DIR, name);
  assert.equal(bytes(path), SOCKET_PATH_MAX);
  assert.match(path, /^\/dev\/chaperone-notify\/x+~[0-9a-f]{16}\.sock$/);
  assert.equal(await notifySocketPath(DIR, name), path, "the same name, the same path");
});

Deno.test("notifySocketPath() gives names that share a long prefix different sockets", async () => {
  const base = "p".repeat(200);
  const paths = await Promise.all(
    ["a", "b", "c"].map((end) => notifySocketPath(DIR, `${base}${end}.service`)),
  );
  assert.equal(new Set(paths).size, 3);
  for (const p of paths) assert.ok(bytes(p) <= SOCKET_PATH_MAX);
});

Deno.test("notifySocketPath() never splits a multi-byte character", async () => {
  const path = await notifySocketPath(DIR, `${"é".repeat(100)}.service`);
  assert.ok(bytes(path) <= SOCKET_PATH_MAX);
  assert.match(path, /^\/dev\/chaperone-notify\/é+~[0-9a-f]{16}\.sock$/);
});

Deno.test("notifySocketPath() under a long runtime directory, and one too long for any socket", async () => {
  const dir = `/run/user/1000/${"d".repeat(40)}/chaperone/notify`;
  const path = await notifySocketPath(dir, "my-rather-long-service-name.service");
  assert.ok(bytes(path) <= SOCKET_PATH_MAX, path);
  assert.ok(path.startsWith(`${dir}/my-`), path);
  await assert.rejects(
    () => notifySocketPath(`/${"d".repeat(100)}`, "a.service"),
    (e) => e instanceof RangeError && /too long/.test(e.message),
  );
});
