import assert from "node:assert/strict";
import {
  createUser,
  CreateUserError,
  lookupGroup,
  lookupUser,
  parseCreateUserSpec,
  parseGroup,
  parsePasswd,
} from "../../src/process/users.ts";

const PASSWD = [
  "root:x:0:0:root:/root:/bin/bash",
  "daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin",
  "# a comment",
  "broken line",
  "bad:x:notanumber:1::/:/bin/sh",
  "alice:x:1000:1000:Alice A:/home/alice:/bin/sh",
  "",
].join("\n");

const GROUP = [
  "root:x:0:",
  "staff:x:50:alice,bob",
  "alice:x:1000:",
  "nogid:x:",
  "",
].join("\n");

/** Giving the new home directory to the new user (chown) needs root. */
const ROOT = Deno.uid() === 0;

async function withRoot(fn: (root: string) => Promise<void>): Promise<void> {
  const root = await Deno.makeTempDir();
  try {
    await Deno.mkdir(`${root}/etc`);
    await Deno.writeTextFile(`${root}/etc/passwd`, PASSWD);
    await Deno.writeTextFile(`${root}/etc/group`, GROUP);
    await fn(root);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
}

Deno.test("parsePasswd() skips comments and malformed lines", () => {
  const users = parsePasswd(PASSWD);
  assert.deepEqual(users.map((u) => u.name), ["root", "daemon", "alice"]);
  assert.deepEqual(users[2], {
    name: "alice",
    uid: 1000,
    gid: 1000,
    gecos: "Alice A",
    home: "/home/alice",
    shell: "/bin/sh",
  });
});

Deno.test("parseGroup() reads members and skips lines without a numeric gid", () => {
  const groups = parseGroup(GROUP);
  assert.deepEqual(groups.map((g) => g.name), ["root", "staff", "alice"]);
  assert.deepEqual(groups[1]!.members, ["alice", "bob"]);
});

Deno.test("lookupUser() finds a user by name or by number", async () => {
  await withRoot((root) => {
    assert.deepEqual(lookupUser("alice", { root }), {
      uid: 1000,
      gid: 1000,
      name: "alice",
      home: "/home/alice",
    });
    assert.equal(lookupUser("0", { root })?.name, "root");
    assert.equal(lookupUser(1, { root })?.name, "daemon");
    assert.equal(lookupUser("nobody", { root }), undefined);
    assert.equal(lookupUser("4242", { root }), undefined);
    return Promise.resolve();
  });
});

Deno.test("lookupGroup() finds a group by name or by number", async () => {
  await withRoot((root) => {
    assert.equal(lookupGroup("staff", { root })?.gid, 50);
    assert.equal(lookupGroup("1000", { root })?.name, "alice");
    assert.equal(lookupGroup("wheel", { root }), undefined);
    return Promise.resolve();
  });
});

Deno.test("lookupUser() returns undefined when passwd does not exist", async () => {
  const root = await Deno.makeTempDir();
  try {
    assert.equal(lookupUser("root", { root }), undefined);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

const SPEC_CASES: [string, Record<string, unknown>][] = [
  ["bob", { name: "bob" }],
  ["bob:1000", { name: "bob", uid: 1000 }],
  ["bob:1000:100", { name: "bob", uid: 1000, gid: "100" }],
  ["bob:1000:staff", { name: "bob", uid: 1000, gid: "staff" }],
  ["bob::staff", { name: "bob", gid: "staff" }],
  ["bob:staff", { name: "bob", gid: "staff" }],
  ["bob:/home/x", { name: "bob", path: "/home/x" }],
  ["bob:/home/x:5:6", { name: "bob", path: "/home/x", uid: 5, gid: "6" }],
  ["bob:/a\\:b:7", { name: "bob", path: "/a:b", uid: 7 }],
  ["Bob_1-x", { name: "Bob_1-x" }],
  ["_svc:", { name: "_svc" }],
  ["bob:/a:b", { name: "bob", path: "/a", gid: "b" }],
];

Deno.test("parseCreateUserSpec() parses name[:/path][:uid][:gid]", () => {
  for (const [spec, expected] of SPEC_CASES) {
    assert.deepEqual(parseCreateUserSpec(spec), expected, spec);
  }
});

Deno.test("parseCreateUserSpec() rejects bad formats with the original message", () => {
  for (const spec of ["bob/1000", "1bob", "", "bob:1000:staff:extra", "bob:x/y"]) {
    assert.throws(
      () => parseCreateUserSpec(spec),
      (err: unknown) =>
        err instanceof CreateUserError &&
        err.message === `Invalid format for --create-user argument: ${spec}`,
      spec,
    );
  }
});

Deno.test("createUser() appends a user and a same-named group with the next free ids", {
  ignore: !ROOT,
}, async () => {
  await withRoot(async (root) => {
    const creds = await createUser({ name: "bob" }, { root });
    assert.deepEqual(creds, { uid: 1001, gid: 1001, name: "bob", home: "/home/bob" });
    assert.match(await Deno.readTextFile(`${root}/etc/passwd`), /\nbob:x:1001:1001::\/home\/bob:/);
    assert.match(await Deno.readTextFile(`${root}/etc/group`), /\nbob:x:1001:\n$/);
    const info = await Deno.stat(`${root}/home/bob`);
    assert.ok(info.isDirectory);
    assert.equal(info.uid, 1001);
    assert.equal(info.gid, 1001);
    assert.deepEqual(lookupUser("bob", { root }), creds);
  });
});

Deno.test("createUser() creates a group named like the user for a missing numeric gid", {
  ignore: !ROOT,
}, async () => {
  await withRoot(async (root) => {
    const creds = await createUser({ name: "carol", uid: 2000, gid: "3000" }, { root });
    assert.equal(creds.uid, 2000);
    assert.equal(creds.gid, 3000);
    assert.equal(lookupGroup("carol", { root })?.gid, 3000);
  });
});

Deno.test("createUser() uses an existing group given by name", { ignore: !ROOT }, async () => {
  await withRoot(async (root) => {
    const creds = await createUser({ name: "dave", gid: "staff" }, { root });
    assert.equal(creds.gid, 50);
    assert.equal(lookupGroup("dave", { root }), undefined);
  });
});

Deno.test("createUser() fails when a named group does not exist", async () => {
  await withRoot(async (root) => {
    await assert.rejects(
      createUser({ name: "erin", gid: "wheel" }, { root }),
      (err: unknown) =>
        err instanceof CreateUserError && err.message === "Group does not exist: wheel",
    );
    assert.equal(lookupUser("erin", { root }), undefined);
  });
});

Deno.test("createUser() accepts an existing user whose ids match", async () => {
  await withRoot(async (root) => {
    const before = await Deno.readTextFile(`${root}/etc/passwd`);
    const creds = await createUser({ name: "alice", uid: 1000, gid: "1000" }, { root });
    assert.equal(creds.uid, 1000);
    assert.equal(await Deno.readTextFile(`${root}/etc/passwd`), before);
  });
});

Deno.test("createUser() rejects an existing user with another uid or gid", async () => {
  await withRoot(async (root) => {
    await assert.rejects(
      createUser({ name: "alice", uid: 5 }, { root }),
      (err: unknown) =>
        err instanceof CreateUserError &&
        err.message === "User alice exists, but does not have expected UID=5",
    );
    await assert.rejects(
      createUser({ name: "alice", gid: "staff" }, { root }),
      (err: unknown) =>
        err instanceof CreateUserError &&
        err.message === "User alice exists, but does not have expected GID=staff",
    );
  });
});

Deno.test(
  "createUser() takes uid and gid from the owner of the given path",
  { ignore: !ROOT },
  async () => {
    await withRoot(async (root) => {
      const dir = `${root}/data`;
      await Deno.mkdir(dir);
      await Deno.chown(dir, 4321, 4322);
      const creds = await createUser({ name: "frank", path: dir }, { root });
      assert.equal(creds.uid, 4321);
      assert.equal(creds.gid, 4322);
      assert.equal(lookupGroup("4322", { root })?.name, "frank");
    });
  },
);

Deno.test("createUser() uses the default home when the users' directory has none", {
  ignore: !ROOT,
}, async () => {
  await withRoot(async (root) => {
    const creds = await createUser({ name: "gina", defaultHome: "/srv/gina" }, { root });
    assert.equal(creds.home, "/srv/gina");
    assert.ok((await Deno.stat(`${root}/srv/gina`)).isDirectory);
  });
});
