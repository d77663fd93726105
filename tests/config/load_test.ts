import assert from "node:assert/strict";
import { ConfigError } from "../../src/config/config_error.ts";
import {
  configDirOf,
  expandTabs,
  loadConfigFiles,
  locateConfig,
  parseConfigText,
} from "../../src/config/load.ts";

function parse(text: string, warnings: string[] = []) {
  return parseConfigText(text, "/etc/chaperone.d/10-app.conf", {
    onWarning: (m) => warnings.push(m),
  });
}

Deno.test("expandTabs() expands to 8-column tab stops per line", () => {
  const cases: [string, string][] = [
    ["no tabs", "no tabs"],
    ["\tx", "        x"],
    ["ab\tc", "ab      c"],
    ["12345678\tx", "12345678        x"],
    ["a\n\tb", "a\n        b"],
    ["\t\tz", "                z"],
  ];
  for (const [input, expected] of cases) assert.equal(expandTabs(input), expected, input);
});

Deno.test("configDirOf() behaves like os.path.dirname, trailing-slash quirk included", () => {
  const cases: [string, string][] = [
    ["/a/chaperone.d", "/a"],
    ["/a/chaperone.d/", "/a/chaperone.d"],
    ["/etc/chaperone.conf", "/etc"],
    ["/x", "/"],
    ["/", "/"],
  ];
  for (const [input, expected] of cases) assert.equal(configDirOf(input), expected, input);
});

Deno.test("locateConfig() lists *.conf and *.yaml entries sorted by code point", async () => {
  const dir = await Deno.makeTempDir();
  try {
    for (const name of ["9-x.conf", "10-x.conf", "a.yaml", "Z.conf", ".hidden.conf", "notes.txt"]) {
      await Deno.writeTextFile(`${dir}/${name}`, "");
    }
    await Deno.mkdir(`${dir}/sub`);
    const located = await locateConfig(dir);
    assert.deepEqual(located.files, [
      `${dir}/.hidden.conf`,
      `${dir}/10-x.conf`,
      `${dir}/9-x.conf`,
      `${dir}/Z.conf`,
      `${dir}/a.yaml`,
    ]);
    assert.equal(located.configDir, dir.slice(0, dir.lastIndexOf("/")));
    assert.equal((await locateConfig(`${dir}/`)).configDir, dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("locateConfig() treats a file as the only source whatever its name", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/my.cfg`, "");
    assert.deepEqual(await locateConfig(`${dir}/my.cfg`), {
      files: [`${dir}/my.cfg`],
      configDir: dir,
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("locateConfig() returns an empty configuration when the path is missing", async () => {
  assert.deepEqual(await locateConfig("/nonexistent/chaperone.d"), { files: [] });
});

Deno.test("parseConfigText() reads YAML 1.1 scalars as PyYAML does", () => {
  const { parsed, errors } = parse(
    [
      "x.service: {",
      "  a: yes, b: No, c: on, d: OFF, e: y, f: n,",
      "  g: 1:30, h: 0755, i: 2024-01-02, j: 1.5, k: ~",
      "}",
    ].join("\n"),
  );
  assert.deepEqual(errors, []);
  assert.deepEqual(parsed.sections.get("x.service"), {
    a: true,
    b: false,
    c: true,
    d: false,
    e: "y",
    f: "n",
    g: 90,
    h: 0o755,
    i: "2024-01-02",
    j: 1.5,
    k: null,
  });
});

Deno.test("parseConfigText() records the line of every section and directive", () => {
  const { parsed } = parse(
    [
      "# comment",
      "settings:",
      "  env_set:",
      "    A: 1",
      "",
      "web.service: {",
      "  command: 'x',",
      "  restart: true",
      "}",
    ].join("\n"),
  );
  const line = (key: string) => parsed.positions.get(key)?.line;
  assert.equal(line("settings"), 2);
  assert.equal(line("settings/env_set"), 3);
  assert.equal(line("settings/env_set/A"), 4);
  assert.equal(line("web.service"), 6);
  assert.equal(line("web.service/command"), 7);
  assert.equal(line("web.service/restart"), 8);
  assert.equal(parsed.positions.get("web.service")?.file, "/etc/chaperone.d/10-app.conf");
});

Deno.test("parseConfigText() expands tabs before parsing", () => {
  const { parsed, errors } = parse("a.service:\n\tcommand: x\n\ttype: oneshot\n");
  assert.deepEqual(errors, []);
  assert.deepEqual(parsed.sections.get("a.service"), { command: "x", type: "oneshot" });
});

Deno.test("parseConfigText() keeps the last duplicate key and warns with file and line", () => {
  const warnings: string[] = [];
  const { parsed } = parse(
    [
      "a.logging: { selector: 'x', file: '/a' }",
      "a.logging: { selector: 'y' }",
      "b.service: { command: one,",
      "  command: two }",
    ].join("\n"),
    warnings,
  );
  assert.deepEqual(parsed.sections.get("a.logging"), { selector: "y" });
  assert.equal(parsed.positions.get("a.logging")?.line, 2);
  assert.equal(parsed.positions.has("a.logging/file"), false);
  assert.equal(parsed.sections.get("b.service")?.command, "two");
  assert.deepEqual(warnings, [
    "/etc/chaperone.d/10-app.conf:2: duplicate key 'a.logging' (the later one wins)",
    "/etc/chaperone.d/10-app.conf:4: b.service: duplicate key 'command' (the later one wins)",
  ]);
});

Deno.test("parseConfigText() lets an empty or comment-only file contribute nothing", () => {
  for (const text of ["", "# only a comment\n", "\n\n", "---\n"]) {
    const { parsed, errors } = parse(text);
    assert.deepEqual(errors, [], JSON.stringify(text));
    assert.equal(parsed.sections.size, 0);
  }
});

Deno.test("parseConfigText() turns a top-level list into sections with empty mappings", () => {
  const { parsed, errors } = parse("- a.service\n- b.logging\n");
  assert.deepEqual(errors, []);
  assert.deepEqual([...parsed.sections], [["a.service", {}], ["b.logging", {}]]);
  assert.equal(parsed.positions.get("b.logging")?.line, 2);
});

Deno.test("parseConfigText() keeps a section without a value as null", () => {
  const { parsed, errors } = parse("settings:\nx.service:\n");
  assert.deepEqual(errors, []);
  assert.equal(parsed.sections.get("x.service"), null);
  assert.equal(parsed.sections.get("settings"), null);
});

Deno.test("parseConfigText() reports a YAML syntax error with file and line", () => {
  const cases: [string, number][] = [
    ["settings: {\n  env_set: { A: 1 \n  uid: [x\n}\n", 2],
    ['a.service: {\n  command: "x",\n  type: \'oneshot\n}\n', 5],
    ["a: b: c\n", 1],
  ];
  for (const [text, line] of cases) {
    const { errors } = parse(text);
    assert.equal(errors.length, 1, text);
    const e = errors[0]!;
    assert.ok(e instanceof ConfigError);
    assert.equal(e.file, "/etc/chaperone.d/10-app.conf");
    assert.equal(e.line, line, text);
    assert.ok(e.message.startsWith(`/etc/chaperone.d/10-app.conf:${line}: YAML syntax error: `));
  }
});

Deno.test("parseConfigText() rejects a scalar document and non-mapping sections", () => {
  assert.match(parse("just text\n").errors[0]!.message, /expected a mapping of section names/);
  const { errors } = parse("a.service: [1, 2]\nb.service: text\n");
  assert.deepEqual(errors.map((e) => e.message), [
    "/etc/chaperone.d/10-app.conf:1: a.service: expected a mapping of directives, got a list",
    "/etc/chaperone.d/10-app.conf:2: b.service: expected a mapping of directives, got a scalar",
  ]);
});

Deno.test("loadConfigFiles() reports an unreadable entry such as a directory named x.conf", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.mkdir(`${dir}/x.conf`);
    await Deno.writeTextFile(`${dir}/y.conf`, "a.service: { command: x }\n");
    const loaded = await loadConfigFiles(dir);
    assert.equal(loaded.errors.length, 1);
    assert.equal(loaded.errors[0]!.file, `${dir}/x.conf`);
    assert.deepEqual(loaded.parsed.map((p) => p.file), [`${dir}/y.conf`]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
