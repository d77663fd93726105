/**
 * The configuration pipeline on a text, in memory: parse → merge → validate → resolve, as
 * mod.ts runs it (sections with structural problems are not resolved), with no users.
 */
import assert from "node:assert/strict";
import { parseConfigText } from "../../src/config/load.ts";
import { mergeConfigFiles } from "../../src/config/merge.ts";
import { resolveConfig } from "../../src/config/resolve.ts";
import type { Config } from "../../src/config/schema.ts";
import { validateConfig } from "../../src/config/validate.ts";

export const FILE = "/etc/chaperone.d/10-app.conf";

function pipeline(text: string, env: Record<string, string>) {
  const { parsed, errors } = parseConfigText(text, FILE);
  assert.deepEqual(errors.map((e) => e.message), []);
  const raw = mergeConfigFiles([parsed]);
  const structural = validateConfig(raw);
  const skipSections = new Set(structural.map((e) => e.section).filter((s) => s !== undefined));
  const resolved = resolveConfig(raw, {
    env: { PATH: "/bin", ...env },
    users: { lookupUser: () => undefined, lookupGroup: () => undefined },
    skipSections,
  });
  return { config: resolved.config, errors: [...structural, ...resolved.errors] };
}

/** Every problem of `text`, as the messages `chaperone check` prints. */
export function problemsOf(text: string, env: Record<string, string> = {}): string[] {
  return pipeline(text, env).errors.map((e) => e.message);
}

/** The resolved configuration of `text`, which must have no problem. */
export function configOf(text: string, env: Record<string, string> = {}): Config {
  const { config, errors } = pipeline(text, env);
  assert.deepEqual(errors.map((e) => e.message), []);
  return config;
}
