/**
 * Shared set-up of the black-box `chaperone ctl` tests: a configuration in a temp dir, the real
 * program as PID 1 of its own namespace, and small probes over `ctl status --json`.
 */
import assert from "node:assert/strict";
import { type Pid1, startPid1, tempTree, waitFor } from "../_helpers/pid1.ts";
import type { ServiceStatus } from "../../src/control/protocol.ts";

/** One row of `ctl status --json` (its fields are asserted one by one in ctl_status_test.ts). */
export type StatusRow = ServiceStatus;

/** A ctl invocation's outcome. */
export type CtlResult = { code: number; stdout: string; stderr: string };

/** Config lines that route every log record to stdout, so tests can wait for log vocabulary. */
export const DEBUG_LOGGING = `default.logging: { selector: "*.debug", stdout: true }\n`;

/** Options for withChaperone(). */
export interface ScenarioOptions {
  /** The command-line command (the CONSOLE service). */
  command?: string[];
  /** Extra files written next to chaperone.d (scripts, markers), relative to the temp dir. */
  files?: Record<string, string>;
  /** Extra chaperone options before the command. */
  args?: string[];
}

/**
 * Runs `body` against a Chaperone started as PID 1 with `config` as its only configuration
 * file; `dir` in the configuration text is replaced by the temp dir. Waits until the control
 * socket answers before calling `body`, and always tears everything down.
 */
export async function withChaperone(
  config: string,
  body: (p: Pid1, dir: string) => Promise<void>,
  options: ScenarioOptions = {},
): Promise<void> {
  const dir = await tempTree({});
  const files: Record<string, string> = { ...options.files };
  files["chaperone.d/10-test.conf"] = config;
  for (const [rel, text] of Object.entries(files)) {
    const path = `${dir}/${rel}`;
    await Deno.mkdir(path.slice(0, path.lastIndexOf("/")), { recursive: true });
    await Deno.writeTextFile(path, text.replaceAll("@DIR@", dir));
    if (rel.endsWith(".sh")) await Deno.chmod(path, 0o755);
  }
  const p = startPid1([
    "--config",
    `${dir}/chaperone.d`,
    ...(options.args ?? []),
    ...(options.command ?? []),
  ]);
  try {
    await waitFor(async () => {
      const r = await p.ctl("status", "--json");
      return r.code === 0 ? true : undefined;
    }, { timeoutMs: 30_000, what: "the control socket", detail: () => p.output });
    await body(p, dir);
  } finally {
    await p.dispose();
    await Deno.remove(dir, { recursive: true });
  }
}

/** The services as `ctl status --json` reports them, by full name. */
export async function statusRows(p: Pid1): Promise<Map<string, StatusRow>> {
  const r = await p.ctl("status", "--json");
  assert.equal(r.code, 0, `ctl status --json failed: ${r.stderr}`);
  const rows = JSON.parse(r.stdout) as StatusRow[];
  return new Map(rows.map((row) => [row.name, row]));
}

/** Polls `ctl status --json` until the service's row satisfies `ok`; returns that row. */
export function waitRow(
  p: Pid1,
  name: string,
  ok: (row: StatusRow) => boolean,
  what = `${name} to change state`,
  timeoutMs = 20_000,
): Promise<StatusRow> {
  let last: StatusRow | undefined;
  return waitFor(async () => {
    last = (await statusRows(p)).get(name);
    return last !== undefined && ok(last) ? last : undefined;
  }, { timeoutMs, what, detail: () => `last row: ${JSON.stringify(last)}\n${p.output}` });
}

/** Asserts a ctl outcome exactly: exit code, stdout and stderr. */
export function assertCtl(r: CtlResult, code: number, stdout: string, stderr = ""): void {
  assert.deepEqual(r, { code, stdout, stderr });
}

/** Whether a pid is alive inside the namespace (a zombie counts as gone). */
export async function aliveInside(p: Pid1, pid: number): Promise<boolean> {
  const r = await p.exec(["sh", "-c", `grep '^State:' /proc/${pid}/status`]);
  return r.code === 0 && !/\bZ\b/.test(r.stdout);
}

/** Waits until the control socket answers (the run has started). */
export async function answering(run: Pid1): Promise<void> {
  await waitFor(async () => (await run.ctl("status")).code === 0 ? true : undefined, {
    timeoutMs: 20_000,
    what: "ctl status answering",
    detail: () => run.output,
  });
}

/**
 * Sends `count` datagrams `<134>flood[7]: message <i>` to the namespace's /dev/log from a
 * process of its own (blocking sends, so the kernel queues rather than drops); `pauseEvery`
 * gives the receiver a breath every so many. Resolves with the sender's outcome.
 */
export function floodDevLog(
  run: Pid1,
  count: number,
  options: { pauseEvery?: number; timeoutMs?: number } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const pause = options.pauseEvery
    ? `select(undef, undef, undef, 0.0001) if $i % ${options.pauseEvery} == 0;`
    : "";
  return run.exec([
    "perl",
    "-MSocket",
    "-e",
    `socket(S, PF_UNIX, SOCK_DGRAM, 0) or die "socket: $!";
     my $a = pack_sockaddr_un("/dev/log");
     for my $i (0 .. ${count - 1}) {
       send(S, "<134>flood[7]: message $i", 0, $a) or die "send $i: $!";
       ${pause}
     }`,
  ], { timeoutMs: options.timeoutMs ?? 120_000 });
}
