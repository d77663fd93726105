/**
 * The layer rules of the README's architecture table, checked on every import of src/.
 * A module imports only from its own folder or from the folders listed for it here.
 */
import assert from "node:assert/strict";

const SRC = new URL("../../src/", import.meta.url);

/** Folder → folders (or single files) it may import. */
const ALLOWED: Record<string, string[]> = {
  text: [],
  users: [],
  sys: [],
  log: ["text"],
  config: ["text", "users", "sys", "log", "cron", "process/users.ts", "process/signals.ts"],
  cron: [],
  process: ["text", "users", "sys", "log"],
  inetd: ["text", "sys", "log", "process"],
  notify: ["text", "sys", "log"],
  syslog: ["text", "sys", "log", "config/schema.ts"],
  control: ["text", "sys", "log"],
  http: ["text", "sys", "log"],
  probe: ["text", "sys", "log", "config/schema.ts"],
  service: ["log/record.ts", "config/schema.ts", "process/exit_status.ts"],
  system: ["service", "log/record.ts", "config/schema.ts", "process/exit_status.ts"],
  supervisor: [
    "text",
    "users",
    "sys",
    "log",
    "config",
    "cron",
    "process",
    "inetd",
    "notify",
    "probe",
    "service",
    "system",
  ],
  cli: [
    "text",
    "users",
    "sys",
    "log",
    "config",
    "cron",
    "process",
    "inetd",
    "notify",
    "syslog",
    "control",
    "http",
    "probe",
    "service",
    "system",
    "supervisor",
  ],
};

function* sources(dir: URL, rel = ""): Generator<[string, string]> {
  for (const e of Deno.readDirSync(dir)) {
    if (e.isDirectory) yield* sources(new URL(`${e.name}/`, dir), `${rel}${e.name}/`);
    else if (e.name.endsWith(".ts")) {
      yield [`${rel}${e.name}`, Deno.readTextFileSync(new URL(e.name, dir))];
    }
  }
}

const IMPORT_REGEXP = /(?:import|export)\s[^;]*?from\s+["'](\.[^"']+)["']/g;

Deno.test("src/ imports follow the one-way layer rules", () => {
  const problems: string[] = [];
  for (const [file, text] of sources(SRC)) {
    const folder = file.split("/")[0]!;
    const allowed = ALLOWED[folder];
    if (!allowed) {
      problems.push(`${file}: folder ${folder} has no layer rule`);
      continue;
    }
    for (const m of text.matchAll(IMPORT_REGEXP)) {
      const path = new URL(m[1]!, new URL(file, SRC)).pathname;
      if (!path.startsWith(SRC.pathname)) continue; // deno.json and the like
      const target = path.slice(SRC.pathname.length);
      const tfolder = target.split("/")[0]!;
      if (tfolder === folder) continue;
      if (!allowed.some((a) => a === tfolder || a === target)) {
        problems.push(`${file} imports ${target}`);
      }
    }
  }
  assert.deepEqual(problems, []);
});

/**
 * Packages only the tests use: `yaml` is the reference our own YAML reader is checked against
 * (tests/config/yaml_agreement_test.ts); no file of src/ may import it.
 */
const TEST_ONLY = ["yaml"];

Deno.test("each third-party package is imported by exactly one file of src/ (none for test-only ones)", () => {
  const denoJson = JSON.parse(Deno.readTextFileSync(new URL("../../deno.json", import.meta.url)));
  const packages = Object.keys(denoJson.imports as Record<string, string>);
  const importers = new Map<string, string[]>(packages.map((p) => [p, []]));
  for (const [file, text] of sources(SRC)) {
    for (const m of text.matchAll(/(?:import|export)\s[^;]*?from\s+["']([^."'][^"']*)["']/g)) {
      const name = m[1]!;
      const pkg = packages.find((p) => name === p || name.startsWith(`${p}/`));
      if (pkg !== undefined) importers.get(pkg)!.push(file);
    }
  }
  for (const [pkg, files] of importers) {
    assert.equal(files.length, TEST_ONLY.includes(pkg) ? 0 : 1, `${pkg}: ${files.join(", ")}`);
  }
});
