import assert from "node:assert/strict";
import { ENVCP_FLAGS } from "../../src/cli/envcp.ts";
import { parseUtilityArgs } from "../../src/cli/utility_args.ts";
import { UsageError } from "../../src/text/usage_error.ts";

// envcp's real options, plus a short option that takes a value.
const SPEC = { ...ENVCP_FLAGS, output: { type: "string", short: "o" } } as const;

Deno.test("parseUtilityArgs() reads abbreviated long options, values and grouped flags", () => {
  assert.deepEqual(
    parseUtilityArgs(["--xpre", "%", "--xgroup=(", "--sh", "-va", "a", "--over", "b"], SPEC),
    {
      values: {
        xprefix: "%",
        xgrouping: "(",
        "shell-enable": true,
        verbose: true,
        archive: true,
        overwrite: true,
      },
      positionals: ["a", "b"],
    },
  );
  // A value is the next word even when it starts with a dash; `-` is a positional.
  assert.deepEqual(parseUtilityArgs(["--strip", "-x", "-", "-ofile"], SPEC), {
    values: { strip: "-x", output: "file" },
    positionals: ["-"],
  });
  assert.deepEqual(parseUtilityArgs(["-o", "out", "--", "--strip", "-v"], SPEC), {
    values: { output: "out" },
    positionals: ["--strip", "-v"],
  });
});

Deno.test("parseUtilityArgs() with optionsFirst leaves everything from the command on", () => {
  const spec = { "wait-ready": { type: "boolean" }, timeout: { type: "string" } } as const;
  assert.deepEqual(
    parseUtilityArgs(["--wait-r", "--time", "5", "cmd", "--wait-ready", "-x"], spec, {
      optionsFirst: true,
    }),
    { values: { "wait-ready": true, timeout: "5" }, positionals: ["cmd", "--wait-ready", "-x"] },
  );
});

Deno.test("parseUtilityArgs() rejects unknown, ambiguous and malformed options", () => {
  const cases: [string[], string][] = [
    [["--x", "%"], "--x is not a unique prefix: --xprefix, --xgrouping?"],
    [["--s"], "--s is not a unique prefix: --strip, --shell-enable?"],
    [["--frobnicate"], "unknown option --frobnicate"],
    [["--xgroupings=("], "unknown option --xgroupings"],
    [["-vz"], "unknown option -z"],
    [["--over=yes"], "--overwrite must not have an argument"],
    [["--strip"], "--strip requires an argument"],
    [["-o"], "-o requires an argument"],
  ];
  for (const [args, message] of cases) {
    assert.throws(() => parseUtilityArgs(args, SPEC), (error: unknown) => {
      assert.ok(error instanceof UsageError);
      assert.equal(error.message, message, args.join(" "));
      return true;
    });
  }
});
