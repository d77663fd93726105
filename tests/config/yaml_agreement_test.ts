/**
 * Our YAML reader (src/config/yaml_parse.ts) against the `yaml` package it replaced: every
 * fixture configuration, and thousands of generated ones in every style configurations use
 * (block and flow, all scalar styles, block scalars, comments, anchors and aliases, duplicate
 * keys, YAML 1.1 scalars), must give identical sections, values, lines, warnings and errors.
 * Mutated texts (characters deleted or inserted) must never be read differently: when both
 * accept one, the sections and values are identical. Where only one of the two refuses a
 * broken text (the `yaml` package is stricter about the indentation inside flow collections;
 * ours refuses the constructs it does not support, and a few odd ones such as a key-less
 * `: value` on its own line), the case is counted and printed, not failed.
 * CHAPERONE_FUZZ_SEED=<n> replays a round.
 */
import assert from "node:assert/strict";
import { parseConfigText } from "../../src/config/load.ts";
import { referenceParse } from "./_yaml_reference.ts";
import { fuzzSeed, Rng } from "../reliability/_fuzz.ts";

const FILE = "/etc/chaperone.d/10-app.conf";

interface Outcome {
  sections: unknown;
  positions: unknown;
  warnings: string[];
  errors: string[];
  lines: (number | undefined)[];
}

function outcome(
  parse: typeof parseConfigText,
  text: string,
): Outcome {
  const warnings: string[] = [];
  const { parsed, errors } = parse(text, FILE, { onWarning: (m) => warnings.push(m) });
  return {
    sections: [...parsed.sections],
    // The yaml package recorded a merge key `<<` as a position named "Symbol(<<)"; it names no
    // directive, and our reader records none.
    positions: [...parsed.positions].filter(([k]) => !k.endsWith("/Symbol(<<)")),
    warnings,
    errors: errors.map((e) => e.message),
    lines: errors.map((e) => e.line),
  };
}

/** Identical results; for syntax errors the line must agree, the wording may differ. */
function assertAgree(text: string): void {
  const ours = outcome(parseConfigText, text);
  const ref = outcome(referenceParse, text);
  const context = `--- text ---\n${text}\n--- ours ---\n${JSON.stringify(ours)}\n--- yaml ---\n${
    JSON.stringify(ref)
  }`;
  if (ref.errors.some((e) => e.includes("YAML syntax error"))) {
    assert.equal(ours.errors.length, 1, context);
    assert.match(ours.errors[0]!, /YAML syntax error/, context);
    assert.equal(ours.lines[0], ref.lines[0], context);
    return;
  }
  assert.deepEqual(ours, ref, context);
}

async function fixtures(dir: URL): Promise<string[]> {
  const out: string[] = [];
  for await (const e of Deno.readDir(dir)) {
    const u = new URL(e.name + (e.isDirectory ? "/" : ""), dir);
    if (e.isDirectory) out.push(...await fixtures(u));
    else out.push(u.pathname);
  }
  return out;
}

Deno.test("our YAML reader reads every fixture configuration as the yaml package did", async () => {
  const files = await fixtures(new URL("../fixtures/configs/", import.meta.url));
  assert.ok(files.length >= 20);
  for (const file of files) assertAgree(await Deno.readTextFile(file));
});

Deno.test("our YAML reader agrees on the edge cases the tests and issues name", () => {
  const cases = [
    "settings: {\n  env_set: { A: 1 \n  uid: [x\n}\n",
    'a.service: {\n  command: "x",\n  type: \'oneshot\n}\n',
    "a: b: c\n",
    "a: - x\n",
    "a:\n  b: 1\n c: 2\n",
    "a:\n  b: 1\n    c: 2\n",
    "- a\nb: 1\n",
    "a: [1, 2\n",
    "a: {x: 1\n",
    'a: "x\n',
    "a: x\n  y: z\n",
    "a: 'x'y\n",
    "a: 1\n---\nb: 2\n",
    "a: }\n",
    "a: b\n- c\n",
    "a: @x\n",
    "a: x #c\n  y\n",
    "a:\n  'x\ny'\n",
    'x.service: { a: "\\q" }\n',
    "x.service: { a: x\n   b }\n",
    "x.service: {a: yes, b: No, c: on, d: OFF, e: y, f: n, g: 1:30, h: 0755, i: 2024-01-02}\n",
    "x.service: {j: 1.5, k: ~, l: 0x1F, m: 0b101, n: 1_000, o: .inf, p: -.INF, q: 1e3, r: +12}\n",
    "x.service: {s: 190:20:30.15, t: 1.50, u: -0, v: 08, w: 0o17, x: 3.}\n",
    "x.service:\n  a: |\n    one\n     two\n\n    three\n  b: >-\n    folded\n    text\n\n    more\n",
    "x.service:\n  a: |+\n    kept\n\n  b: >\n    x\n      indented\n    y\n",
    "x.service:\n  env_set: &base { A: 1, B: 2 }\ny.service:\n  env_set: { <<: *base, B: 3 }\n",
    "x.service:\n  env_set:\n    <<: [{A: 1}, {A: 2, C: 3}]\n    C: 4\n",
    "x.service: { a: 'it''s', b: \"tab\\there\\x41\\u00e9\", c: '' }\n",
    "x.service:\n  command: this is\n    a long\n\n    command\n",
    "x.service: { command: \"one\n    two\",\n  after: 'three\n\n    four' }\n",
    "---\nx.service:\n  a: 1\n...\n",
    "\uFEFFx.service: {a: 1}\r\ny.service: {b: 2}\r\n",
    "x.service: {~: a, 1.50: b, true: c}\nnull: {}\n",
    "x.service: [a, b]\ny.service: {a: [1, [2, 3], {b: c}], d: []}\n",
    "x.service:\n- a\n- b\ny.service:\n  list:\n  - 1\n  - - 2\n    - 3\n  - k: v\n    l: w\n",
    "x.service: { a: &s shared, b: *s, c: [*s, *s] }\n",
    "x.service: { a: !!str 123, b: !!str yes }\n",
    "a: *x\n",
    "x.service: {__proto__: 1, toString: 2, constructor: {a: 1}}\n",
  ];
  for (const text of cases) assertAgree(text);
});

// --- generated configurations ----------------------------------------------------------------

const WORDS = [
  "web",
  "sleep 1000",
  "/usr/bin/x --flag",
  "$(HOME)/bin",
  "$(X:-default value)",
  "http://127.0.0.1:8080/health",
  "a-b_c.d",
  "yes",
  "No",
  "on",
  "OFF",
  "y",
  "n",
  "true",
  "False",
  "~",
  "null",
  "0755",
  "1:30",
  "0x1F",
  "1_000",
  "1.5",
  "-3",
  "+7",
  "1e3",
  ".inf",
  "2024-01-02",
  "12:00:00",
  "0",
  "007",
  "3.14159",
  "SIGTERM",
  "IDLE",
  "a b c",
  "x:y",
  "c#sharp",
  "-dash",
  "?q",
];
const QUOTABLE = [...WORDS, "*.info;![x].*", "[x]", "{y}", "a, b", "# not a comment", "", "it's"];
const KEYS = ["command", "type", "after", "restart", "uid", "env_set", "stdout", "interval", "x"];
const SECTIONS = ["settings", "web.service", "db.service", "a-b.service", "console.logging"];

class Gen {
  #anchors: string[] = [];
  constructor(readonly rng: Rng) {}

  /** A scalar written in one of the styles; `flow` forbids block scalars. */
  scalar(indent: number, flow: boolean): string {
    const r = this.rng;
    const pad = " ".repeat(indent + 2);
    switch (r.int(flow ? 6 : 8)) {
      case 0:
      case 1: {
        let w = r.pick(WORDS);
        if (flow && /[,[\]{}]/.test(w)) w = "x";
        return w;
      }
      case 2:
        return `'${r.pick(QUOTABLE).replace(/'/g, "''")}'`;
      case 3: {
        const esc = r.pick(["", "\\n", "\\t", '\\"', "\\\\", "\\x41", "\\u00e9", "\\/"]);
        return `"${r.pick(QUOTABLE).replace(/["\\]/g, "")}${esc}${r.pick(WORDS)}"`;
      }
      case 4: // multi-line quoted
        return `${r.pick(["'", '"'])}one two\n${pad}three${r.chance(0.5) ? `\n\n${pad}four` : ""}${
          r.chance(0.3) ? " " : ""
        }`.replace(/^(['"])(.*)$/s, (_, q, rest) => `${q}${rest}${q}`);
      case 5: // multi-line plain
        return `first part\n${pad}second${r.chance(0.4) ? `\n\n${pad}third` : ""}`;
      default: { // block scalar
        const head = r.pick(["|", ">", "|-", ">-", "|+", ">+"]);
        const lines = [`${pad}line one`];
        if (r.chance(0.5)) lines.push(`${pad}line two`);
        if (r.chance(0.3)) lines.push("");
        if (r.chance(0.4)) lines.push(`${pad}  more indented`);
        if (r.chance(0.5)) lines.push(`${pad}last`);
        if (r.chance(0.3)) lines.push("");
        return `${head}\n${lines.join("\n")}`;
      }
    }
  }

  value(indent: number, flow: boolean): string {
    const r = this.rng;
    let anchor = "";
    const roll = r.next();
    if (roll < 0.1) {
      const name = `a${this.#anchors.length}`;
      this.#anchors.push(name);
      anchor = `&${name} `;
    } else if (roll < 0.2 && this.#anchors.length > 0) {
      return `*${r.pick(this.#anchors)}`;
    }
    const kind = r.int(10);
    if (kind < 6) return anchor + this.scalar(indent, flow);
    if (kind < 8) {
      const items = Array.from({ length: r.int(4) }, () => this.scalarFlow());
      if (flow || r.chance(0.5)) return `${anchor}[${items.join(", ")}${r.chance(0.2) ? "," : ""}]`;
      if (items.length === 0) return `${anchor}[]`;
      const pad = " ".repeat(indent + 2);
      return `${anchor.trimEnd()}\n${items.map((i) => `${pad}- ${i}`).join("\n")}`;
    }
    const pairs = Array.from(
      { length: r.int(4) },
      () => [r.pick(["A", "B", "PATH", "X_1", "A"]), this.scalarFlow()] as const,
    );
    if (flow || r.chance(0.5) || pairs.length === 0) {
      const sep = r.chance(0.3) ? `,\n${" ".repeat(indent + 4)}` : ", ";
      return `${anchor}{ ${pairs.map(([k, v]) => `${k}: ${v}`).join(sep)} }`;
    }
    const pad = " ".repeat(indent + 2);
    return `${anchor.trimEnd()}\n${pairs.map(([k, v]) => `${pad}${k}: ${v}`).join("\n")}`;
  }

  scalarFlow(): string {
    const s = this.scalar(0, true);
    return s.includes("\n") ? `'${this.rng.pick(WORDS)}'` : s;
  }

  comment(): string {
    return this.rng.chance(0.2) ? " # a comment" : "";
  }

  config(): string {
    const r = this.rng;
    const out: string[] = [];
    if (r.chance(0.2)) out.push("# header comment", "");
    for (let s = 0, n = 1 + r.int(5); s < n; s++) {
      const name = r.pick(SECTIONS);
      const directives = Array.from({ length: r.int(5) }, () => r.pick(KEYS));
      if (r.chance(0.4)) {
        const body = directives.map((k) => `  ${k}: ${this.value(2, true)}`);
        out.push(
          `${name}: {${r.chance(0.5) ? "\n" : ""}${body.join(",\n")}${
            body.length > 0 && r.chance(0.5) ? "," : ""
          }\n}${this.comment()}`,
        );
      } else {
        out.push(`${name}:${this.comment()}`);
        for (const k of directives) {
          const v = this.value(2, false);
          const comment = /\n|^[|>]/.test(v) ? "" : this.comment();
          out.push(`  ${k}: ${v}${comment}`);
          if (r.chance(0.1)) out.push("");
          if (r.chance(0.1)) out.push("  # between directives");
        }
      }
      if (r.chance(0.3)) out.push("");
    }
    return out.join("\n") + (r.chance(0.9) ? "\n" : "");
  }
}

Deno.test("our YAML reader agrees with the yaml package on 3,000 generated configurations", () => {
  const seed = fuzzSeed("yaml agreement");
  const rng = new Rng(seed);
  for (let i = 0; i < 3000; i++) {
    const text = new Gen(rng).config();
    try {
      assertAgree(text);
    } catch (e) {
      throw new Error(`case ${i} of seed ${seed}: ${(e as Error).message}`);
    }
  }
});

const MUTATIONS = [" ", ":", "-", "'", '"', "#", "{", "}", "[", "]", ",", "\n", "&", "*", "|", ">"];

Deno.test("our YAML reader never reads a mutated configuration differently", () => {
  const seed = fuzzSeed("yaml agreement");
  const rng = new Rng(seed);
  const tally = { same: 0, bothRefuse: 0, onlyOursRefuses: 0, onlyYamlRefuses: 0 };
  for (let i = 0; i < 3000; i++) {
    let text = new Gen(rng).config();
    for (let m = 0, n = 1 + rng.int(3); m < n; m++) {
      const at = rng.int(text.length + 1);
      text = rng.chance(0.5)
        ? text.slice(0, at) + text.slice(at + 1)
        : text.slice(0, at) + rng.pick(MUTATIONS) + text.slice(at);
    }
    const ours = outcome(parseConfigText, text);
    const ref = outcome(referenceParse, text);
    const context = `case ${i} of seed ${seed}\n--- text ---\n${text}\n--- ours ---\n${
      JSON.stringify(ours)
    }\n--- yaml ---\n${JSON.stringify(ref)}`;
    const oursSyntax = ours.errors.some((e) => e.includes("YAML syntax error"));
    const refSyntax = ref.errors.some((e) => e.includes("YAML syntax error"));
    if (oursSyntax && refSyntax) tally.bothRefuse++;
    else if (oursSyntax) tally.onlyOursRefuses++;
    else if (refSyntax) tally.onlyYamlRefuses++;
    else {
      assert.deepEqual(ours.sections, ref.sections, context);
      assert.deepEqual(ours.errors, ref.errors, context);
      tally.same++;
    }
  }
  // deno-lint-ignore no-console
  console.log(`mutated configurations: ${JSON.stringify(tally)}`);
});
