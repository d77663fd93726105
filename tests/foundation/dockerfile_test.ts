/**
 * What can be checked of the image recipe without a Docker engine: the final stage, the names
 * the binary is linked under (each must reach its own utility through argv[0] dispatch), and
 * the example configuration baked into the image.
 */
import assert from "node:assert/strict";
import { REPO } from "../_helpers/pid1.ts";

const dockerfile = Deno.readTextFileSync(`${REPO}/Dockerfile`);

async function chaperone(args: string[], argv0: string): Promise<{ code: number; text: string }> {
  const out = await new Deno.Command(`${REPO}/scripts/chaperone`, {
    args,
    env: { CHAPERONE_ARGV0: argv0, NO_COLOR: "1" },
    stdin: "null",
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, text: dec.decode(out.stdout) + dec.decode(out.stderr) };
}

Deno.test("Dockerfile ends in distroless cc with the binary as ENTRYPOINT and ctl health as HEALTHCHECK", () => {
  const stages = [...dockerfile.matchAll(/^FROM (\S+)/gm)].map((m) => m[1]);
  assert.equal(stages.at(-1), "gcr.io/distroless/cc-debian12");
  assert.match(dockerfile, /^ENTRYPOINT \["\/chaperone"\]$/m);
  assert.match(dockerfile, /^HEALTHCHECK .*CMD \["\/chaperone", "ctl", "health"\]$/m);
  assert.match(dockerfile, /scripts\/compile --output \/out\/chaperone/);
});

Deno.test("Dockerfile links the binary under names that each dispatch to their own utility", async () => {
  const names = dockerfile.match(/for name in ([\w -]+); do ln -s chaperone/)?.[1]?.split(" ");
  assert.deepEqual(names, ["telchap", "envcp", "sdnotify", "sdnotify-exec"]);
  const usage: Record<string, RegExp> = {
    telchap: /^Usage: chaperone ctl /,
    envcp: /^Usage: chaperone envcp /,
    sdnotify: /^Usage:\s+sdnotify \[options\]/,
    "sdnotify-exec": /^Usage:\s+sdnotify-exec \[options\] COMMAND/,
  };
  for (const name of names ?? []) {
    const { code, text } = await chaperone(["--help"], `/${name}`);
    assert.equal(code, 0, `${name}: ${text}`);
    assert.match(text, usage[name]!, name);
  }
});

Deno.test("the image's example chaperone.d passes chaperone check", async () => {
  const { code, text } = await chaperone(
    // Its programs (/chaperone) are the image's, not this machine's.
    ["check", "--skip-programs", "--config", `${REPO}/examples/image/chaperone.d`],
    "chaperone",
  );
  assert.equal(code, 0, text);
  assert.match(text, /: ok \(/);
});
