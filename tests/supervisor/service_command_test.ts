import assert from "node:assert/strict";
import {
  disableReason,
  serviceArgv,
  serviceCwd,
  spawnRequest,
} from "../../src/supervisor/service_command.ts";
import { spec } from "../_helpers/fakes.ts";
import { withTempDir } from "../_helpers/with_temp_dir.ts";

const resolver = {
  calls: [] as Array<[string, string | undefined, string | undefined]>,
  resolve(argv0: string, path: string | undefined, cwd: string | undefined): string {
    this.calls.push([argv0, path, cwd]);
    if (argv0 === "missing") throw new Error("executable 'missing' not found");
    return `/bin/${argv0}`;
  },
};

Deno.test("serviceArgv() resolves argv[0] against the service's PATH and directory", () => {
  resolver.calls = [];
  const argv = serviceArgv(
    spec("web.service", { argv: ["web", "-p", "80"], directory: "/srv" }),
    "/usr/bin",
    resolver,
  );
  assert.deepEqual(argv, ["/bin/web", "-p", "80"]);
  assert.deepEqual(resolver.calls, [["web", "/usr/bin", "/srv"]]);
});

Deno.test("serviceArgv() throws when the command is empty or its program is missing", () => {
  assert.throws(
    () => serviceArgv(spec("x.service", { argv: [] }), undefined, resolver),
    /service x\.service has an empty command/,
  );
  assert.throws(
    () => serviceArgv(spec("x.service", { argv: ["missing"] }), undefined, resolver),
    /'missing' not found/,
  );
});

Deno.test("serviceCwd() prefers directory, then an existing home, else none", async () => {
  await withTempDir((home) => {
    const user = { uid: 1000, gid: 1000, home };
    assert.equal(serviceCwd(spec("a.service", { directory: "/srv", user })), "/srv");
    assert.equal(serviceCwd(spec("a.service", { user })), home);
    const nobody = { uid: 65534, gid: 65534, home: `${home}/nonexistent` };
    assert.equal(serviceCwd(spec("a.service", { user: nobody })), undefined);
    assert.equal(serviceCwd(spec("a.service")), undefined);
    return Promise.resolve();
  });
});

Deno.test("spawnRequest() detaches a service and pipes only what goes to the log", () => {
  const s = spec("web.service", {
    user: { uid: 5, gid: 6 },
    stdout: "log",
    stderr: "inherit",
  });
  assert.deepEqual(
    spawnRequest(s, { argv: ["/bin/web"], env: { A: "1" }, cwd: "/srv", interactive: false }),
    {
      argv: ["/bin/web"],
      env: { A: "1" },
      cwd: "/srv",
      uid: 5,
      gid: 6,
      detached: true,
      stdin: "null",
      stdout: "piped",
      stderr: "inherit",
    },
  );
});

Deno.test("spawnRequest() gives CONSOLE our stdin, and our group when interactive", () => {
  const req = spawnRequest(spec("CONSOLE", { stderr: "log" }), {
    argv: ["/bin/sh"],
    env: {},
    cwd: undefined,
    interactive: true,
  });
  assert.equal(req.stdin, "inherit");
  assert.equal(req.detached, false);
  assert.equal(req.stdout, "inherit");
  assert.equal(req.stderr, "piped");
});

const DISABLE: Array<[string, Parameters<typeof spec>[1], string, unknown]> = [
  ["an optional service's program is missing", { optional: true }, "not found", {
    level: "info",
    message: "optional service x.service disabled since 'x' is not present",
  }],
  ["an ignore_failures service's program is missing", { ignoreFailures: true }, "not found", {
    level: "warn",
    message: "(ignored) service x.service executable 'x' is not present",
  }],
  ["a required service's program is missing", {}, "not found", undefined],
  [
    "an optional service's program is not executable",
    { optional: true },
    "x: not executable",
    undefined,
  ],
  ["permission is denied", { ignoreFailures: true }, "Permission denied", undefined],
];

for (const [when, over, error, expected] of DISABLE) {
  Deno.test(`disableReason() answers when ${when}`, () => {
    assert.deepEqual(disableReason(spec("x.service", over), error), expected);
  });
}
