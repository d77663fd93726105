/**
 * Running the real program as `nobody` from tests (as root): the launcher needs a Deno cache
 * it may read, and ours lives under root's 0700 home.
 */
import assert from "node:assert/strict";

/**
 * Copies our Deno cache into `dir` for `nobody`, makes `dir` traversable, and returns the
 * copy's path (for DENO_DIR).
 */
export async function denoDirForNobody(dir: string): Promise<string> {
  const home = Deno.env.get("HOME") ?? "/root";
  const source = Deno.env.get("DENO_DIR") ?? `${home}/.cache/deno`;
  const target = `${dir}/nobody-deno`;
  const cp = await new Deno.Command("cp", { args: ["-a", source, target] }).output();
  assert.ok(cp.success, "cannot copy the Deno cache");
  const own = await new Deno.Command("chown", { args: ["-R", "nobody:nogroup", target] }).output();
  assert.ok(own.success);
  await Deno.chmod(dir, 0o755);
  return target;
}
