import assert from "node:assert/strict";
import {
  BacktickRunner,
  expandAll,
  expandDirective,
  expandWithVars,
  ExpansionError,
  scanExpansions,
} from "../../src/config/expand.ts";

// The original's scanner vectors (its tests/env_parse.py; the callback returns `<inner>`).
const SCAN_CASES: ReadonlyArray<readonly [string, string]> = [
  ["Nothing", "Nothing"],
  ["A normal $(expansion) is here", "A normal <expansion> is here"],
  ["An unterminated $(expansion is here", "An unterminated $(expansion is here"],
  ["Two $(expansions) are $(also) here", "Two <expansions> are <also> here"],
  ["Nested $(expansions are $(also) here) too.", "Nested <expansions are $(also) here> too."],
  ['Nested $(expansions are "$(also" here) too.', 'Nested <expansions are "$(also" here> too.'],
  [
    'Nested $(expansions are ["$(also" here),$(next)] finally) too.',
    'Nested <expansions are ["$(also" here),$(next)] finally> too.',
  ],
  ["Ignore $(stuff))) like this.", "Ignore <stuff>)) like this."],
  ["escape \\$(stuff) like this.", "escape $(stuff) like this."],
  [
    "exp $(stuff) but \\$(do not $(except [{$(foo)}] this) but \\${not} like this.",
    "exp <stuff> but $(do not <except [{$(foo)}] this> but ${not} like this.",
  ],
  [
    'Nested ${expansions are ["$(also" here),$(next)] finally} too.',
    'Nested <expansions are ["$(also" here),$(next)] finally> too.',
  ],
];

for (const [input, expected] of SCAN_CASES) {
  Deno.test(`scanExpansions() turns ${JSON.stringify(input)} into ${JSON.stringify(expected)}`, () => {
    assert.equal(scanExpansions(input, (inner) => `<${inner}>`), expected);
  });
}

Deno.test("scanExpansions() passes the whole expression as the second argument", () => {
  const wholes: string[] = [];
  scanExpansions("a ${x} $(y:-$(z)) b", (_inner, whole) => {
    wholes.push(whole);
    return "";
  });
  assert.deepEqual(wholes, ["${x}", "$(y:-$(z))"]);
});

Deno.test("scanExpansions() honours a custom prefix and openers (sdnotify-exec, envcp)", () => {
  const cb = (inner: string) => `<${inner}>`;
  assert.equal(
    scanExpansions("%{A} $(B) %(C)", cb, { prefix: "%", openers: "{" }),
    "<A> $(B) %(C)",
  );
  assert.equal(
    scanExpansions("%%[A] %%(B) %[C]", cb, { prefix: "%%", openers: "[(" }),
    "<A> <B> %[C]",
  );
  assert.equal(scanExpansions("\\%%[A]", cb, { prefix: "%%", openers: "[" }), "%%[A]");
  assert.equal(scanExpansions("x %%%(A)", cb, { prefix: "%%", openers: "(" }), "x %<A>");
});

const VARS = new Map([["A", "alpha"], ["EMPTY", ""], ["N", "3"], ["P", "a|b"]]);

// Directive-style expansion, expected values produced by running the original.
const DIRECTIVE_CASES: ReadonlyArray<readonly [string, string]> = [
  ["$(NOPE)", "$(NOPE)"],
  ["${NOPE}", "${NOPE}"],
  ["$(EMPTY:-def)", "def"],
  ["$(EMPTY:+alt)", ""],
  ["$(NOPE:+alt)", ""],
  ["$(A:_x)", ""],
  ["$(EMPTY:_x)", "x"],
  ["$(A:|yes|no)", "yes"],
  ["$(EMPTY:|yes|no)", "no"],
  ["$(A:|AL*|m|nm)", "m"],
  ["$(A:|x|m|nm|extra)", "nm"],
  ["$(P:|a\\|b|m|nm)", "nm"],
  ["$(A:|alpha|a\\|b|c)", "a|b"],
  ["$(A:/(a)(l)/\\2\\1/)", "lapha"],
  ["$(A:/A/X/i)", "XlphX"],
  ["$(A:/^/pre-/)", "pre-alpha"],
  ["$(NOPE:/x/y/)", ""],
  ["\\$(A)", "$(A)"],
  ["$$(A)", "$alpha"],
  ["$(A", "$(A"],
  ["$( A )", "$( A )"],
  ["$(A:-a)b)", "alphab)"],
  ["${A:-x}y}", "alphay}"],
  ["$(A:-'x)')", "alpha')"],
  ["$(`echo hi`)", "hi"],
  ["`echo hi`", "`echo hi`"],
  ["x $(`echo $(A)`) y", "x alpha y"],
  ["$(A:/[/x/)", "$(A:/[/x/)"],
  ["$(A:x)", "$(A:x)"],
  ["$(N)$(EMPTY)!", "3!"],
];

const RUNNER = new BacktickRunner();
const run = (command: string) => RUNNER.run(command);

for (const [input, expected] of DIRECTIVE_CASES) {
  Deno.test(`expandDirective() expands ${JSON.stringify(input)} to ${JSON.stringify(expected)}`, () => {
    assert.equal(expandDirective(input, VARS, { runBacktick: run }), expected);
  });
}

const ERROR_CASES: ReadonlyArray<readonly [string, string]> = [
  ["$(A:/nodelim)", "invalid regex replacement syntax in 'A:/nodelim'"],
  ["$(NOPE:?is required)", "is required"],
  ["$(EMPTY:?e)", "e"],
  ["$(NOPE:?$(A) is missing)", "alpha is missing"],
];

for (const [input, message] of ERROR_CASES) {
  Deno.test(`expandDirective() throws ExpansionError "${message}" for ${JSON.stringify(input)}`, () => {
    assert.throws(() => expandDirective(input, VARS), (error: unknown) => {
      assert.ok(error instanceof ExpansionError);
      assert.equal(error.message, message);
      assert.equal(error.name, "ExpansionError");
      return true;
    });
  });
}

Deno.test("expandDirective() reports an invalid Python regex as an ExpansionError", () => {
  assert.throws(() => expandDirective("$(A:/*a/y/)", VARS), ExpansionError);
  assert.throws(() => expandDirective("$(A:/(a)/\\5/)", VARS), /invalid group reference 5/);
});

Deno.test("expandDirective() leaves $(`cmd`) as `cmd` when backticks cannot run", () => {
  assert.equal(expandDirective("$(`echo hi`)", VARS), "`echo hi`");
});

Deno.test("expandAll() runs bare backticks only in values marked as configured", () => {
  const vars = new Map([["CFG", "`echo one; echo two`"], ["INHERITED", "`echo no`"]]);
  const result = expandAll({ vars, configured: new Set(["CFG"]), runBacktick: run });
  assert.equal(result.get("CFG"), "one two");
  assert.equal(result.get("INHERITED"), "`echo no`");
});

Deno.test("expandAll() never turns substituted text into a backtick command", () => {
  const vars = new Map([
    ["HALF", "`echo"],
    ["USE", "$(HALF) x`"],
    ["PLAIN", "$(INHERITED)"],
    ["INHERITED", "`echo no`"],
  ]);
  const result = expandAll({ vars, configured: new Set(["USE", "PLAIN"]), runBacktick: run });
  assert.equal(result.get("USE"), "`echo x`");
  assert.equal(result.get("PLAIN"), "`echo no`");
});

Deno.test("expandAll() keeps $(`cmd`) from an inherited value as `cmd`", () => {
  const vars = new Map([["INHERITED", "$(`echo no`)"]]);
  assert.equal(expandAll({ vars, runBacktick: run }).get("INHERITED"), "`echo no`");
});

Deno.test("BacktickRunner.run() trims output and turns inner newlines into spaces", () => {
  const runner = new BacktickRunner();
  assert.equal(runner.run("printf '  a\\nb\\n\\n'"), "a b");
  assert.equal(runner.run("echo err >&2"), "err");
});

Deno.test("BacktickRunner.run() returns an empty string and reports a failing command", () => {
  const errors: string[] = [];
  const runner = new BacktickRunner({ onError: (message) => errors.push(message) });
  assert.equal(runner.run("false"), "");
  assert.equal(runner.run("echo out; exit 3"), "");
  assert.deepEqual(errors, [
    "Backtick expansion returned error: Command 'false' returned non-zero exit status 1.",
    "Backtick expansion returned error: Command 'echo out; exit 3' returned non-zero exit status 3.",
  ]);
});

Deno.test("BacktickRunner.run() caches by command unless the cache is disabled", () => {
  const dir = Deno.makeTempDirSync();
  try {
    const command = `echo x >> ${dir}/count; wc -l < ${dir}/count`;
    const cached = new BacktickRunner();
    assert.equal(cached.run(command), "1");
    assert.equal(cached.run(command), "1");
    const uncached = new BacktickRunner({ cache: false });
    assert.equal(uncached.run(command), "2");
    assert.equal(uncached.run(command), "3");
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("BacktickRunner.run() runs as the given non-zero uid", () => {
  const runner = new BacktickRunner({ cache: false });
  assert.equal(runner.run("id -u", { uid: 0, gid: 0 }), String(Deno.uid()));
  if (Deno.uid() === 0) {
    assert.equal(runner.run("id -u; id -g", { uid: 65534, gid: 65534 }), "65534 65534");
  }
});

Deno.test("expandWithVars() expands recursively unless raw is set (envcp)", () => {
  const vars = { A: "alpha", B: "$(A)-b" };
  assert.equal(expandWithVars("x $(B) y", vars), "x alpha-b y");
  assert.equal(expandWithVars("x $(B) y", vars, { raw: true }), "x $(A)-b y");
  assert.equal(expandWithVars("$(NOPE:-$(B))", vars, { raw: true }), "$(A)-b");
});

Deno.test("expandWithVars() runs $(`cmd`) only when backticks are enabled", () => {
  assert.equal(expandWithVars("$(`echo $(A)`)", { A: "hi" }), "`echo hi`");
  assert.equal(expandWithVars("$(`echo $(A)`)", { A: "hi" }, { backticks: true }), "hi");
  assert.equal(expandWithVars("`echo hi`", {}, { backticks: true }), "`echo hi`");
  assert.equal(expandWithVars("$(B)", { B: "`echo no`" }, { backticks: true }), "`echo no`");
});

Deno.test("expandWithVars() uses the given prefix and openers everywhere", () => {
  const vars = { PID: "42", SOCK: "/tmp/n-%{PID}.sock" };
  const options = { prefix: "%", openers: "{" };
  assert.equal(expandWithVars("-v %{SOCK} $(PID)", vars, options), "-v /tmp/n-42.sock $(PID)");
  assert.equal(expandWithVars("%{NOPE:-%{PID}}", vars, options), "42");
});
