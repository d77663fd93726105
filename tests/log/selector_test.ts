import assert from "node:assert/strict";
import { compileSelector, parseSelector, SelectorError } from "../../src/log/selector.ts";
import type { LogRecord } from "../../src/log/record.ts";

// Sample records covering every branch: facilities, all severities, tags (mixed case), and
// raw texts that the regex vectors look for.
const FACS = [0, 3, 4, 9, 10, 21];
const TAGS = [
  "crond",
  "debian-start",
  "chaperone",
  "cron",
  "daemon-tools",
  "logrotate",
  "Cron",
  "",
];
const TEXTS = ["hello", "kernel panic now", "SEGFAULT at 0", "bad password", "not and/or able"];
const SAMPLES: LogRecord[] = [];
for (const facility of FACS) {
  for (let severity = 0; severity < 8; severity++) {
    for (const tag of TAGS) {
      for (const text of TEXTS) {
        const rest = `[1]: ${text}`;
        SAMPLES.push({
          time: new Date(0),
          facility,
          severity,
          tag,
          rest,
          raw: `<${facility * 8 + severity}>Jan  1 00:00:00 ${tag}${rest}`,
        });
      }
    }
  }
}

type Pred = (f: number, p: number, g: string, m: string) => boolean;
const KERN: number = 0, AUTH: number = 4, AUTHPRIV: number = 10;

// The original's selector vectors (its tests/syslog_spec.py), as predicates on f, p, g (lowercased
// tag), m (raw).
const VECTORS: [number, string, Pred][] = [
  [1, "*.*", () => true],
  [2, "[crond].*", (_f, _p, g) => g === "crond"],
  [4, "kern.*;kern.!=crit", (f, p) => f === KERN && !(f === KERN && p === 2)],
  [5, "KERN.*;kern.!crit", (f, p) => f === KERN && !(f === KERN && p <= 2)],
  [6, "kern.crit", (f, p) => f === KERN && p <= 2],
  [7, "*.=emerg;*.=crit", (_f, p) => p === 0 || p === 2],
  [8, "/not and\\/or able/.*", (_f, _p, _g, m) => /not and\/or able/i.test(m)],
  [
    9,
    "*.*;![debian-start].*;authpriv,auth.!*",
    (f, _p, g) => g !== "debian-start" && f !== AUTHPRIV && f !== AUTH,
  ],
  [
    10,
    "*.*;![debian-start].*;!authpriv,auth.*",
    (f, _p, g) => g !== "debian-start" && f !== AUTHPRIV && f !== AUTH,
  ],
  [
    11,
    "*.*;![debian-start].*;!authpriv,auth.!crit",
    (f, p, g) => g !== "debian-start" && f !== AUTHPRIV && f !== AUTH && !(p <= 2),
  ],
  [12, "kern.*", (f) => f === KERN],
  [13, "*.*;*.!*", () => false],
  [14, "*.*;![chaperone].*", (_f, _p, g) => g !== "chaperone"],
  [15, "kern.*;!auth,authpriv.*", (f) => f === KERN && f !== AUTH && f !== AUTHPRIV],
  [
    16,
    "[cron].*;[daemon-tools].crit;/password/.!err",
    (_f, p, g, m) =>
      (g === "cron" || (g === "daemon-tools" && p <= 2)) && !(/password/i.test(m) && p <= 3),
  ],
  [17, "kern.*;![cron].!err", (f, p, g) => f === KERN && g !== "cron" && !(p <= 3)],
  [
    18,
    "[chaperone].err;[logrotate].err;!kern.*",
    (f, p, g) => (g === "chaperone" || g === "logrotate") && p <= 3 && f !== KERN,
  ],
  [
    19,
    "/panic/.*;/segfault/.*;*.!=debug",
    (_f, p, _g, m) => (/panic/i.test(m) || /segfault/i.test(m)) && p !== 7,
  ],
  // Other checked behaviour of the original.
  [20, "*.!=info", () => false],
  [21, "[Cron].*", (_f, _p, g) => g === "cron"],
  [22, "*.info ; [cron].*", (_f, p, g) => p <= 6 || g === "cron"],
  [23, "", () => true],
  [24, "*.emerg", (_f, p) => p === 0],
  [25, "!kern.!err;*.*", (f, p) => f !== KERN && p > 3],
  // `/regex/` terms are Python `re` patterns, searched case-insensitively, as the original's.
  [26, "/(?P<x>CRON)/.*", (_f, _p, _g, m) => /cron/i.test(m)],
  [27, "/(?P<s>s)(?P=s)/.*;*.!=debug", (_f, p, _g, m) => /ss/i.test(m) && p !== 7],
  [28, "/\\A<2\\d>/.*", (_f, _p, _g, m) => /^<2\d>/.test(m)],
  [29, "/able\\Z/.*", (_f, _p, _g, m) => m.endsWith("able")],
  [30, "*.*;!/(?P<k>kernel|segfault)/.*", (_f, _p, _g, m) => !/kernel|segfault/i.test(m)],
];

function assertSelects(selector: string, expected: Pred, forced?: number): void {
  const predicate = compileSelector(parseSelector(selector), forced);
  for (const r of SAMPLES) {
    const want = expected(r.facility, r.severity, r.tag.toLowerCase(), r.raw);
    assert.equal(
      predicate(r),
      want,
      `${selector} on f=${r.facility} p=${r.severity} tag=${r.tag} raw=${r.raw}`,
    );
  }
}

for (const [n, selector, expected] of VECTORS) {
  Deno.test(`compileSelector() selects as vector #${n} says when given "${selector}"`, () => {
    assertSelects(selector, expected);
  });
}

const INVALID: [string, string][] = [
  [".*", "Invalid log spec syntax: .*"],
  [" *.*", "Invalid log spec syntax:  *.*"],
  ["*.*;", "Invalid log spec syntax: "],
  ["/a;b/.*", "Invalid log spec syntax: /a"],
  ["kern", "Invalid log spec syntax: kern"],
  ["kern.=!err", "Invalid log spec syntax: kern.=!err"],
  ["[].*", "Invalid log spec syntax: [].*"],
  ["foo.*", "Invalid logging facility code, foo: foo.*"],
  ["kern,*.*", "Invalid logging facility code, kern,*: kern,*.*"],
  ["3.*", "Invalid logging facility code, 3: 3.*"],
  ["clock.info", "Invalid logging facility code, clock: clock.info"],
  ["kern.bogus", "Invalid logging priority, bogus: kern.bogus"],
  ["/(/.*", "Invalid log spec syntax: /(/.*"],
  // A JavaScript escape that Python's `re` does not have is refused, as the original refused it.
  ["/\\p{L}/.*", "Invalid log spec syntax: /\\p{L}/.*"],
];

for (const [selector, message] of INVALID) {
  Deno.test(`parseSelector() throws "${message}" when given "${selector}"`, () => {
    assert.throws(() => parseSelector(selector), (e: unknown) => {
      assert.ok(e instanceof SyntaxError);
      assert.equal(e.message, message);
      return true;
    });
  });
}

Deno.test("parseSelector() names every bad element, not only the first", () => {
  assert.throws(() => parseSelector("*.info;kern.bogus;mail.*;foo.*;kern"), (e: unknown) => {
    assert.ok(e instanceof SelectorError);
    assert.deepEqual(e.problems, [
      "Invalid logging priority, bogus: kern.bogus",
      "Invalid logging facility code, foo: foo.*",
      "Invalid log spec syntax: kern",
    ]);
    assert.equal(e.message, "Invalid logging priority, bogus: kern.bogus");
    return true;
  });
});

// Decision 3: a forced level lowers only positive "at least" terms.
const FORCED: [string, number, Pred][] = [
  ["*.err", 7, () => true],
  ["*.err", 3, (_f, p) => p <= 3],
  ["*.info", 3, (_f, p) => p <= 6],
  ["*.=err", 7, (_f, p) => p === 3],
  ["*.*;*.!err", 7, (_f, p) => p > 3],
  ["*.*;!kern.err", 7, (f, p) => !(f === KERN && p <= 3)],
  ["kern.crit", 6, (f, p) => f === KERN && p <= 6],
  ["*.emerg", 0, (_f, p) => p === 0],
  ["*.crit;*.!=debug", 7, (_f, p) => p !== 7],
];

for (const [selector, level, expected] of FORCED) {
  Deno.test(`compileSelector() applies Decision 3 when "${selector}" is forced to ${level}`, () => {
    assertSelects(selector, expected, level);
  });
}

Deno.test("parseSelector() accepts emerg and aliases case-insensitively when parsing priorities", () => {
  const terms = parseSelector("*.EMERG;*.Warning;*.error").terms;
  assert.deepEqual(terms.map((t) => t.priority), [
    { kind: "atLeast", level: 0 },
    { kind: "atLeast", level: 4 },
    { kind: "atLeast", level: 3 },
  ]);
});
