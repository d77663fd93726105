/** Black-box: how `chaperone` reports a usage error, through scripts/chaperone. */
import assert from "node:assert/strict";
import { runChaperone } from "../_helpers/run_chaperone.ts";

const SYNOPSIS_START = /\nUsage:\n {4}chaperone \[--config=<file_or_dir>\]/;

Deno.test("a bad command line exits 1 with the problem, then the synopsis, on stderr", async () => {
  const r = await runChaperone(["--no-such-option", "/bin/true"]);
  assert.equal(r.code, 1);
  assert.equal(r.out, "");
  assert.match(r.err, /^Unknown option --no-such-option/i);
  assert.match(r.err, SYNOPSIS_START);
});

Deno.test("a bad _CHAP_OPTIONS exits 1 naming the variable, then the synopsis", async () => {
  const r = await runChaperone(["/bin/true"], { env: { _CHAP_OPTIONS: "--log-level=loud" } });
  assert.equal(r.code, 1);
  assert.match(r.err, /^Error occurred in _CHAP_OPTIONS environment variable: --log-level=loud\n/);
  assert.match(r.err, SYNOPSIS_START);
});
