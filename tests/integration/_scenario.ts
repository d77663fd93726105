/**
 * Shared set-up for the black-box supervision tests: a temp directory holding the
 * configuration (and whatever the services write), the fixture programs on PATH, and one run
 * of the real program as PID 1 that is always disposed of.
 */
import { type Pid1, REPO, startPid1, tempTree, waitFor } from "../_helpers/pid1.ts";

/** Helper programs (daemon, logecho) that services call by name. */
export const FIXTURE_BIN = `${REPO}/tests/fixtures/bin`;

/** A logging section that prints every Chaperone log line on stdout (the el-tests' setup). */
export const DEBUG_LOG = `default.logging: { selector: "*.debug", stdout: true }\n`;

/** Options for one scenario. */
export interface ScenarioOptions {
  /** Arguments after `--config DIR` (options, then the command); a function gets DIR. */
  args?: string[] | ((dir: string) => string[]);
  /** Arguments before `--config DIR` (with `program`: the program's own arguments). */
  prefix?: string[];
  /** Extra environment for PID 1. */
  env?: Record<string, string>;
  /** Extra files in the temp directory. */
  files?: Record<string, string>;
  /** Leave out `--config DIR` (for runs that must not load it). */
  noConfig?: boolean;
  /** Program to run as PID 1 instead of the launcher; it gets the same arguments. */
  program?: string;
}

/** One run and its directory; `T` in the environment is that directory. */
export interface Scenario {
  readonly run: Pid1;
  readonly dir: string;
  /** The text of a file in the directory, or "" when it does not exist (yet). */
  read(name: string): string;
  /** Waits until a file in the directory matches. */
  waitForFile(name: string, pattern: RegExp, timeoutMs?: number): Promise<string>;
}

/**
 * Writes `config` as DIR/chaperone.d/test.conf, starts the program as PID 1 with
 * `--config DIR/chaperone.d`, runs `body`, and always kills the run and removes DIR.
 */
export async function withScenario(
  config: string,
  options: ScenarioOptions,
  body: (s: Scenario) => Promise<void>,
): Promise<void> {
  const dir = await tempTree({ "chaperone.d/test.conf": config, ...options.files });
  // Services running as `nobody` write their evidence here too.
  await Deno.chmod(dir, 0o777);
  const args = [
    ...(options.prefix ?? []),
    ...(options.noConfig ? [] : ["--config", `${dir}/chaperone.d`]),
    ...(typeof options.args === "function" ? options.args(dir) : options.args ?? []),
  ];
  const run = startPid1(args, {
    env: {
      PATH: `${FIXTURE_BIN}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`,
      T: dir,
      ...options.env,
    },
    ...(options.program !== undefined ? { program: options.program } : {}),
  });
  const read = (name: string): string => {
    try {
      return Deno.readTextFileSync(`${dir}/${name}`);
    } catch {
      return "";
    }
  };
  const scenario: Scenario = {
    run,
    dir,
    read,
    waitForFile: (name, pattern, timeoutMs = 15_000) =>
      waitFor(() => {
        const text = read(name);
        return pattern.test(text) ? text : undefined;
      }, {
        timeoutMs,
        what: `${name} matching ${pattern}`,
        detail: () => `${name}: ${JSON.stringify(read(name))}\n${run.output}`,
      }),
  };
  try {
    await body(scenario);
  } finally {
    await run.dispose();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

/**
 * Asserts that the patterns occur in `text` in this order (each after the previous match),
 * as the original's expect-lite scripts consumed output.
 */
export function assertInOrder(text: string, patterns: readonly (RegExp | string)[]): void {
  let at = 0;
  for (const p of patterns) {
    const rest = text.slice(at);
    let index: number;
    let length: number;
    if (typeof p === "string") {
      index = rest.indexOf(p);
      length = p.length;
    } else {
      const m = new RegExp(p.source, p.flags.replace("g", "")).exec(rest);
      index = m ? m.index : -1;
      length = m ? m[0].length : 0;
    }
    if (index < 0) {
      throw new Error(`expected ${p} after offset ${at} in output:\n${text}`);
    }
    at += index + length;
  }
}
