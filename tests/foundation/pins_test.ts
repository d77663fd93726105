import assert from "node:assert/strict";

const root = new URL("../../", import.meta.url);
const read = (p: string) => Deno.readTextFileSync(new URL(p, root));

Deno.test("the Dockerfile's default Deno version is the one pinned in scripts/deno-version", () => {
  const pinned = read("scripts/deno-version").trim();
  const arg = read("Dockerfile").match(/^ARG DENO_VERSION=(\S+)$/m)?.[1];
  assert.equal(arg, pinned);
});

Deno.test("deno.json maps every third-party import to an exact npm version", () => {
  const imports: Record<string, string> = JSON.parse(read("deno.json")).imports;
  for (const [name, target] of Object.entries(imports)) {
    assert.match(target, /^npm:[\w@/.-]+@\d+\.\d+\.\d+$/, `${name} → ${target}`);
  }
});

Deno.test("scripts/chaperone and scripts/compile read the same flag file", () => {
  for (const script of ["scripts/chaperone", "scripts/compile"]) {
    assert.match(read(script), /runtime-flags/, script);
  }
  const flags = read("scripts/runtime-flags").split("\n").filter((l) => l && !l.startsWith("#"));
  assert.ok(flags.includes("--unstable-net"), "syslog and notify sockets need --unstable-net");
});

Deno.test("no source file writes an npm: or jsr: specifier inline", () => {
  const bad: string[] = [];
  const walk = (dir: URL) => {
    for (const e of Deno.readDirSync(dir)) {
      const u = new URL(e.name + (e.isDirectory ? "/" : ""), dir);
      if (e.isDirectory) walk(u);
      else if (e.name.endsWith(".ts") && /from\s+["'](npm|jsr):/.test(Deno.readTextFileSync(u))) {
        bad.push(u.pathname);
      }
    }
  };
  walk(new URL("src/", root));
  assert.deepEqual(bad, []);
});
