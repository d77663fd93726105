/**
 * Hostile input: 2,000 mutated configuration files, generated structure-aware (wrong types,
 * unknown keys, dependency cycles, huge values, deep nesting, odd names, YAML aliases) and then
 * partly mutated as text. Each one either loads (and its dependency graph builds) or is
 * rejected with messages that all name the file; none throws, none hangs. A sample goes through
 * the real `chaperone check`, which must agree. CHAPERONE_FUZZ_SEED=<n> replays the round.
 */
import assert from "node:assert/strict";
import { stringify } from "yaml";
import { CHAPERONE } from "../_helpers/pid1.ts";
import { checkConfig } from "../../src/config/mod.ts";
import { DependencyGraph } from "../../src/system/graph.ts";
import { figure, fuzzSeed, Rng } from "./_fuzz.ts";

const COUNT = 2000;
const SAMPLE = 25;
const PER_CASE_MS = 5000;

type Yaml = null | boolean | number | string | Yaml[] | { [k: string]: Yaml };

const BASES: readonly Record<string, Yaml>[] = [
  {
    settings: { shutdown_timeout: 3, env_set: { A: "1", B: "$(A)-x" } },
    "web.service": { command: "sleep 1000", restart: true, restart_limit: 3, after: "db.service" },
    "db.service": { type: "oneshot", command: "true", before: "web.service" },
    "console.logging": { selector: "*.info", stdout: true },
  },
  {
    "tick.service": { type: "cron", interval: "*/5 * * * *", command: "date" },
    "n.service": { type: "notify", command: "sleep 1", process_timeout: 2.5 },
    "f.service": { type: "forking", command: "daemon", pidfile: "/run/x.pid" },
    "file.logging": { selector: "*.warn;![n].*", file: "/tmp/x-%Y.log", extended: true },
  },
  {
    "i.service": { type: "inetd", port: 8080, command: "cat" },
    "g.service": { command: "sleep 1", service_groups: "IDLE", uid: "nobody", env_unset: ["X"] },
    "x.service": { command: "sleep 1", kill_signal: "SIGUSR1", enabled: "$(ENABLE:-false)" },
  },
];

const KEYS = [
  "command",
  "type",
  "after",
  "before",
  "restart",
  "restart_limit",
  "restart_delay",
  "process_timeout",
  "startup_pause",
  "uid",
  "gid",
  "env_set",
  "env_unset",
  "enabled",
  "optional",
  "ignore_failures",
  "exit_kills",
  "kill_signal",
  "pidfile",
  "port",
  "interval",
  "service_groups",
  "stdout",
  "stderr",
  "directory",
  "selector",
  "file",
  "overwrite",
  "syslog_host",
  "watchdog_timeout",
];

/** A value that is wrong for most directives, or just extreme. */
function oddValue(rng: Rng): Yaml {
  switch (rng.int(14)) {
    case 0:
      return null;
    case 1:
      return rng.chance(0.5);
    case 2:
      return rng.pick([-1, 0, 1e308, -1e308, 2 ** 53 + 1, 0.0001, 4294967296]);
    case 3:
      return "x".repeat(rng.int(200_000));
    case 4:
      return "9".repeat(1 + rng.int(400));
    case 5:
      return [];
    case 6:
      return {};
    case 7:
      return [1, "two", null, { three: 3 }];
    case 8: {
      let deep: Yaml = "bottom";
      const depth = rng.int(300);
      for (let i = 0; i < depth; i++) deep = rng.chance(0.5) ? [deep] : { k: deep };
      return deep;
    }
    case 9:
      return rng.pick(["$(", "$(X", "$(X:-$(Y:-$(Z)))", "$(X:+", "%", "%Y%q", "${}"]);
    case 10:
      return rng.pick(["SIGNOPE", "99", "-9", "TERM", "kill"]);
    case 11:
      return rng.pick(["a.service", "a.service, a.service", "CONSOLE", "IDLE", "INIT", " , "]);
    case 12:
      return rng.pick(["\0", "\u{1F600}", "\r\n", "\t", "'", '"', "#", ": ", "- "]);
    default:
      return rng.pick(["yes", "no", "on", "off", "~", "0x1F", "0o17", "1_000", ".inf", ".nan"]);
  }
}

function sectionName(rng: Rng): string {
  return rng.pick([
    `s${rng.int(5)}.service`,
    `l${rng.int(3)}.logging`,
    "settings",
    ".service",
    "a b.service",
    "../up.service",
    "WEB.service",
    "123.service",
    "x.unknown",
    "$(X).service",
    "\u{1F600}.service",
    "s0.service.service",
  ]);
}

/** Structure-aware edits of a parsed configuration. */
function mutateConfig(rng: Rng, base: Record<string, Yaml>): Record<string, Yaml> {
  const config = structuredClone(base) as Record<string, Yaml>;
  const edits = 1 + rng.int(6);
  for (let e = 0; e < edits; e++) {
    const names = Object.keys(config);
    const name = names.length > 0 && rng.chance(0.7) ? rng.pick(names) : sectionName(rng);
    const section = config[name];
    switch (rng.int(8)) {
      case 0: // a wrong value for a known directive
      case 1: {
        const target = section !== null && typeof section === "object" && !Array.isArray(section)
          ? section
          : (config[name] = {}) as Record<string, Yaml>;
        target[rng.pick(KEYS)] = oddValue(rng);
        break;
      }
      case 2: // an unknown directive
        if (section !== null && typeof section === "object" && !Array.isArray(section)) {
          section[`${rng.pick(KEYS)}${rng.pick(["x", "_", "s", ""])}z`] = oddValue(rng);
        }
        break;
      case 3: // the section itself replaced
        config[name] = oddValue(rng);
        break;
      case 4: { // a dependency cycle of 1 to 4 services
        const n = 1 + rng.int(4);
        for (let i = 0; i < n; i++) {
          config[`c${i}.service`] = {
            command: "true",
            after: `c${(i + 1) % n}.service`,
          };
        }
        break;
      }
      case 5: // a directive deleted
        if (section !== null && typeof section === "object" && !Array.isArray(section)) {
          const keys = Object.keys(section);
          if (keys.length > 0) delete section[rng.pick(keys)];
        }
        break;
      case 6: // many sections
        for (let i = 0, n = rng.int(300); i < n; i++) {
          config[`m${i}.service`] = { command: `echo ${i}`, after: `m${i + 1}.service` };
        }
        break;
      default: // the whole section removed
        delete config[name];
    }
  }
  return config;
}

/** Text-level damage on top of the YAML: cuts, tabs, duplicate keys, alias bombs, flow style. */
function mutateText(rng: Rng, text: string): string {
  switch (rng.int(10)) {
    case 0:
      return text.slice(0, rng.int(text.length + 1));
    case 1:
      return text.replace(/\n {2}/g, "\n\t");
    case 2: {
      const lines = text.split("\n");
      const at = rng.int(lines.length);
      lines.splice(at, 0, lines[at] ?? "");
      return lines.join("\n");
    }
    case 3:
      return `a: &a ["x","x","x","x","x","x","x","x","x"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e.service: { command: "true", env_set: { X: *d } }
${text}`;
    case 4:
      return `${text}\nweb.service: { command: "sleep 1", after: *nowhere }\n`;
    case 5:
      return `%YAML 1.1\n---\n${text}\n---\nsecond: document\n`;
    case 6:
      return text.replace(/: /g, rng.chance(0.5) ? ":" : ":  ");
    case 7:
      return `${"[".repeat(rng.int(2000))}${text}`;
    default:
      return text;
  }
}

/** The text of one case; backticks (which run commands by design) are kept out. */
function configText(rng: Rng): string {
  const config = mutateConfig(rng, rng.pick(BASES));
  let text: string;
  try {
    text = stringify(config, { aliasDuplicateObjects: false, lineWidth: 0 });
  } catch {
    text = "broken: [\n";
  }
  if (rng.chance(0.5)) text = mutateText(rng, text);
  return text.replaceAll("`", "'");
}

type Verdict = { ok: true; services: number } | { ok: false; messages: string[] };

async function check(path: string, file: string): Promise<Verdict> {
  const result = await checkConfig(path, { env: { HOME: "/root", PATH: "/usr/bin:/bin" } });
  if (result.config) {
    try {
      DependencyGraph.from(result.config.services);
      return { ok: true, services: result.config.services.length };
    } catch (e) {
      // `chaperone check` prefixes graph errors with the configuration path.
      return { ok: false, messages: [`${path}: ${(e as Error).message}`] };
    }
  }
  const messages = result.errors.map((e) => e.message);
  assert.ok(messages.length > 0, `rejected without a message: ${file}`);
  return { ok: false, messages };
}

function withDeadline<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`${what} took over ${PER_CASE_MS} ms`)),
        PER_CASE_MS,
      );
    }),
  ]).finally(() => clearTimeout(timer));
}

Deno.test("2,000 mutated configurations each load or are rejected naming the file, never crash", async () => {
  const seed = fuzzSeed("configuration files");
  const rng = new Rng(seed);
  const dir = await Deno.makeTempDir({ prefix: "chaperone-fuzz-config-" });
  try {
    const path = `${dir}/chaperone.d`;
    const file = `${path}/10-fuzz.conf`;
    await Deno.mkdir(path);
    let loaded = 0;
    let rejected = 0;
    let slowest = 0;
    let biggest = 0;
    const sample: { text: string; verdict: Verdict }[] = [];
    for (let i = 0; i < COUNT; i++) {
      const text = configText(rng);
      biggest = Math.max(biggest, text.length);
      await Deno.writeTextFile(file, text);
      const began = performance.now();
      let verdict: Verdict;
      try {
        verdict = await withDeadline(check(path, file), `case ${i}`);
      } catch (e) {
        throw new Error(
          `case ${i} (seed ${seed}) threw instead of reporting: ${
            (e as Error).stack
          }\n--- config ---\n${text.slice(0, 4000)}`,
        );
      }
      slowest = Math.max(slowest, performance.now() - began);
      if (verdict.ok) loaded++;
      else {
        rejected++;
        for (const m of verdict.messages) {
          assert.ok(
            m.includes(file) || m.startsWith(`${path}:`),
            `case ${i} (seed ${seed}): message does not name the file: ${m}\n--- config ---\n${
              text.slice(0, 4000)
            }`,
          );
        }
      }
      if (i % Math.floor(COUNT / SAMPLE) === 0) sample.push({ text, verdict });
    }
    // The same verdicts through the real program.
    let agreed = 0;
    for (const { text, verdict } of sample) {
      await Deno.writeTextFile(file, text);
      const out = await new Deno.Command(CHAPERONE, {
        // The programs of these configurations are not on this machine; the pipeline is tested.
        args: ["check", "--skip-programs", "--config", path],
        // HOME (and DENO_DIR) as ours: the launcher needs our Deno cache, also when not root.
        env: {
          NO_COLOR: "1",
          HOME: Deno.env.get("HOME") ?? "/root",
          PATH: "/usr/bin:/bin",
          ...(Deno.env.has("DENO_DIR") ? { DENO_DIR: Deno.env.get("DENO_DIR")! } : {}),
        },
        clearEnv: true,
        stdout: "piped",
        stderr: "piped",
      }).output();
      const err = new TextDecoder().decode(out.stderr);
      assert.equal(out.code, verdict.ok ? 0 : 1, `chaperone check disagrees:\n${err}\n${text}`);
      if (!verdict.ok) assert.ok(err.includes(file) || err.includes(path), err);
      assert.doesNotMatch(err, /Uncaught|panicked|RangeError|TypeError/);
      agreed++;
    }
    figure(
      "configuration files",
      `${COUNT} cases: ${loaded} loaded, ${rejected} rejected naming the file, 0 crashes; ` +
        `slowest ${slowest.toFixed(0)} ms, largest ${(biggest / 1024).toFixed(0)} KiB; ` +
        `${agreed} sampled through chaperone check, all agreeing`,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
