import assert from "node:assert/strict";
import { parseConfigText } from "../../src/config/load.ts";
import { mergeConfigFiles } from "../../src/config/merge.ts";

function files(...texts: string[]) {
  return texts.map((text, i) => parseConfigText(text, `/c/${i + 1}.conf`).parsed);
}

Deno.test("mergeConfigFiles() replaces a repeated service wholesale", () => {
  const raw = mergeConfigFiles(files(
    "a.service: { command: one, restart: true, env_set: { A: 1 } }\n",
    "a.service: { command: two }\n",
  ));
  assert.deepEqual(raw.sections.get("a.service"), { command: "two" });
  assert.equal(raw.positions.get("a.service")?.file, "/c/2.conf");
  assert.equal(raw.positions.has("a.service/restart"), false);
  assert.equal(raw.positions.has("a.service/env_set/A"), false);
});

Deno.test("mergeConfigFiles() merges settings one level deep and replaces lists", () => {
  const raw = mergeConfigFiles(files(
    "settings: { env_set: { A: a, B: b }, env_inherit: [X, Y], idle_delay: 2 }\n",
    "settings:\n  env_set: { B: c, C: d }\n  env_inherit: [Z]\n",
  ));
  assert.deepEqual(raw.sections.get("settings"), {
    env_set: { A: "a", B: "c", C: "d" },
    env_inherit: ["Z"],
    idle_delay: 2,
  });
  assert.deepEqual(raw.positions.get("settings/env_set/A"), { file: "/c/1.conf", line: 1 });
  assert.deepEqual(raw.positions.get("settings/env_set/B"), { file: "/c/2.conf", line: 2 });
  assert.deepEqual(raw.positions.get("settings/env_inherit"), { file: "/c/2.conf", line: 3 });
  assert.deepEqual(raw.positions.get("settings/idle_delay"), { file: "/c/1.conf", line: 1 });
});

Deno.test("mergeConfigFiles() merges logging sections like settings", () => {
  const raw = mergeConfigFiles(files(
    "x.logging: { selector: '*.info', stdout: true }\n",
    "x.logging: { selector: '*.debug' }\n",
  ));
  assert.deepEqual(raw.sections.get("x.logging"), { selector: "*.debug", stdout: true });
});

Deno.test("mergeConfigFiles() treats a section without a value as an empty mapping", () => {
  const raw = mergeConfigFiles(files(
    "settings:\nx.service:\n",
    "settings: { debug: true }\n",
  ));
  assert.deepEqual(raw.sections.get("x.service"), {});
  assert.deepEqual(raw.sections.get("settings"), { debug: true });
  const later = mergeConfigFiles(files("settings: { debug: true }\n", "settings:\n"));
  assert.deepEqual(later.sections.get("settings"), { debug: true });
});

Deno.test("mergeConfigFiles() keeps first-seen section order and lists the files", () => {
  const raw = mergeConfigFiles(files(
    "b.service: { command: b }\na.service: { command: a }\n",
    "c.service: { command: c }\nb.service: { command: B }\n",
  ));
  assert.deepEqual([...raw.sections.keys()], ["b.service", "a.service", "c.service"]);
  assert.deepEqual(raw.files, ["/c/1.conf", "/c/2.conf"]);
});
