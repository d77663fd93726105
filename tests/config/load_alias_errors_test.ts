/** parseConfigText() on YAML aliases that the yaml library cannot resolve (found by fuzzing). */
import assert from "node:assert/strict";
import { parseConfigText } from "../../src/config/load.ts";

const FILE = "/etc/chaperone.d/10-app.conf";

const CASES: Array<[string, string, RegExp]> = [
  [
    "an alias without its anchor",
    `web.service: { command: "sleep 1", after: *nowhere }\n`,
    /^\/etc\/chaperone\.d\/10-app\.conf:1: web\.service: after: YAML error: .*nowhere/,
  ],
  [
    "an alias bomb",
    `a: &a ["x","x","x","x","x","x","x","x","x"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e.service:
  command: "true"
  env_set: { X: *d }
`,
    /^\/etc\/chaperone\.d\/10-app\.conf:7: e\.service: env_set: YAML error: .*alias/i,
  ],
];

for (const [what, text, pattern] of CASES) {
  Deno.test(`parseConfigText() reports ${what} as an error naming file, line and directive`, () => {
    const { errors, parsed } = parseConfigText(text, FILE);
    // (The bomb's top-level lists are errors of their own.)
    const yaml = errors.filter((e) => /YAML error/.test(e.message));
    assert.equal(yaml.length, 1, errors.map((e) => e.message).join("\n"));
    assert.match(yaml[0]!.message, pattern);
    assert.equal(yaml[0]!.file, FILE);
    // The sections that parse are still there.
    assert.ok(parsed.sections.size > 0);
  });
}
