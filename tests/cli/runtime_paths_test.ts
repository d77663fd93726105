import assert from "node:assert/strict";
import {
  ctlSocketCandidates,
  ensureRuntimeDir,
  isDirWritable,
  runtimePaths,
  userRuntimeDir,
} from "../../src/cli/runtime_paths.ts";

Deno.test("runtimePaths() keeps the original /dev paths when /dev is writable", () => {
  assert.deepEqual(runtimePaths({ devWritable: true, uid: 0, env: {} }), {
    syslogSocket: "/dev/log",
    controlSocket: "/dev/chaperone.sock",
    controlFifo: "/dev/chaperone",
    notifyDir: "/dev/chaperone-notify",
  });
});

Deno.test("runtimePaths() uses $XDG_RUNTIME_DIR/chaperone when /dev is not writable", () => {
  assert.deepEqual(
    runtimePaths({ devWritable: false, uid: 1000, env: { XDG_RUNTIME_DIR: "/run/user/1000/" } }),
    {
      syslogSocket: "/run/user/1000/chaperone/log",
      controlSocket: "/run/user/1000/chaperone/chaperone.sock",
      controlFifo: "/run/user/1000/chaperone/chaperone",
      notifyDir: "/run/user/1000/chaperone/notify",
      runtimeDir: "/run/user/1000/chaperone",
    },
  );
});

const USER_DIR_CASES: { env: Record<string, string>; uid: number; want: string }[] = [
  { env: {}, uid: 1000, want: "/tmp/chaperone-1000" },
  { env: { XDG_RUNTIME_DIR: "" }, uid: 7, want: "/tmp/chaperone-7" },
  { env: { XDG_RUNTIME_DIR: "relative/dir" }, uid: 7, want: "/tmp/chaperone-7" },
  { env: { XDG_RUNTIME_DIR: "/run/user/7" }, uid: 7, want: "/run/user/7/chaperone" },
  { env: { XDG_RUNTIME_DIR: "/" }, uid: 7, want: "/chaperone" },
];

for (const c of USER_DIR_CASES) {
  Deno.test(`userRuntimeDir() is ${c.want} for ${JSON.stringify(c.env)}`, () => {
    assert.equal(userRuntimeDir({ uid: c.uid, env: c.env }), c.want);
  });
}

const CANDIDATE_CASES: {
  name: string;
  flag?: string;
  env: Record<string, string>;
  want: string[];
}[] = [
  {
    name: "the flag alone",
    flag: "/x.sock",
    env: { CHAPERONE_SOCKET: "/y.sock" },
    want: ["/x.sock"],
  },
  {
    name: "the environment variable alone",
    env: { CHAPERONE_SOCKET: "/y.sock" },
    want: ["/y.sock"],
  },
  {
    name: "/dev then /tmp",
    env: {},
    want: ["/dev/chaperone.sock", "/tmp/chaperone-5/chaperone.sock"],
  },
  {
    name: "/dev, XDG, then /tmp",
    env: { XDG_RUNTIME_DIR: "/run/user/5" },
    want: [
      "/dev/chaperone.sock",
      "/run/user/5/chaperone/chaperone.sock",
      "/tmp/chaperone-5/chaperone.sock",
    ],
  },
];

for (const c of CANDIDATE_CASES) {
  Deno.test(`ctlSocketCandidates() gives ${c.name}`, () => {
    const options = c.flag === undefined ? { env: c.env, uid: 5 } : {
      flag: c.flag,
      env: c.env,
      uid: 5,
    };
    assert.deepEqual(ctlSocketCandidates(options), c.want);
  });
}

Deno.test("isDirWritable() is true for a writable directory and false for a missing one", async () => {
  const dir = await Deno.makeTempDir();
  try {
    assert.equal(isDirWritable(dir), true);
    assert.deepEqual([...Deno.readDirSync(dir)], [], "the probe file is removed");
    assert.equal(isDirWritable(`${dir}/missing`), false);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("ensureRuntimeDir() creates the directory with mode 0700 and tightens a loose one", async () => {
  const base = await Deno.makeTempDir();
  try {
    ensureRuntimeDir(`${base}/run`);
    assert.equal((await Deno.stat(`${base}/run`)).mode! & 0o777, 0o700);
    await Deno.chmod(`${base}/run`, 0o755);
    ensureRuntimeDir(`${base}/run`);
    assert.equal((await Deno.stat(`${base}/run`)).mode! & 0o777, 0o700);
  } finally {
    await Deno.remove(base, { recursive: true });
  }
});

Deno.test("ensureRuntimeDir() refuses a directory owned by someone else, or a symlink", async () => {
  const base = await Deno.makeTempDir();
  try {
    await Deno.mkdir(`${base}/run`);
    assert.throws(
      () => ensureRuntimeDir(`${base}/run`, { uid: Deno.uid()! + 1 }),
      Deno.errors.PermissionDenied,
    );
    await Deno.symlink(`${base}/run`, `${base}/link`);
    assert.throws(() => ensureRuntimeDir(`${base}/link`), Deno.errors.PermissionDenied);
  } finally {
    await Deno.remove(base, { recursive: true });
  }
});
