/**
 * `chaperone selftest [--config PATH] [--user NAME]`: run inside the user's own image
 * (`docker run --rm --entrypoint /chaperone myimage selftest`), it checks the duties of PID 1
 * that image builders get wrong and prints a table of `ok` / `FAIL` / `skip`, with one line of
 * advice for each failure (docs/docker.md, "selftest"). Exit 0 when nothing failed, 1
 * otherwise, 2 for a usage error.
 *
 * It starts no services. Its child processes are Chaperone itself (selftest_helper.ts); its
 * sockets live in a temporary directory, removed at the end, except the syslog socket when
 * the run's own path is free (created, tested, removed; an existing one is never touched).
 * `--config` and `--user` mean what they mean for a run, and default to `_CHAP_OPTIONS`'s.
 */
import { parseUtilityArgs } from "./utility_args.ts";
import { isPid1, startReaper } from "../process/reaper.ts";
import { Spawner } from "../process/spawn.ts";
import { parseCommandLine } from "./options.ts";
import { checkConfiguration } from "./selftest_config.ts";
import { checkGroup, checkInit, checkOrphan, checkSignals } from "./selftest_process.ts";
import { type CheckRow, fail, formatTable, skip } from "./selftest_row.ts";
import { checkControl, checkRuntimeDir, checkSyslog } from "./selftest_sockets.ts";
import { errorMessage } from "../text/error_message.ts";

const USAGE = "Usage: chaperone selftest [--config=<file_or_dir>] [--user=<name>]\n";

function write(stream: "stdout" | "stderr", text: string): void {
  (stream === "stdout" ? Deno.stdout : Deno.stderr).writeSync(new TextEncoder().encode(text));
}

/** `--config` and `--user` from `_CHAP_OPTIONS`, as a run would take them. */
function runDefaults(): { config?: string; user?: string } {
  const chapOptions = Deno.env.get("_CHAP_OPTIONS");
  if (chapOptions === undefined) return {};
  try {
    const cl = parseCommandLine([], { chapOptions, argv0: "chaperone" });
    if (cl.kind !== "run") return {};
    return { config: cl.options.config, ...(cl.options.user ? { user: cl.options.user } : {}) };
  } catch {
    // A broken _CHAP_OPTIONS fails the run itself; the checks go on with the defaults.
    return {};
  }
}

/** The process checks, with the run's Spawner and reaper running meanwhile. */
async function processRows(pid1: boolean): Promise<CheckRow[]> {
  const rows: CheckRow[] = [{ check: "pid 1", verdict: checkInit(pid1) }];
  rows.push({ check: "signals", verdict: await checkSignals() });
  const spawner = new Spawner();
  const reaper = startReaper({ isOwned: (pid) => spawner.owns(pid), onReap: () => {} });
  try {
    const ctx = { spawner, reaper, pid1 };
    rows.push({ check: "orphans", verdict: await checkOrphan(ctx) });
    rows.push({ check: "process groups", verdict: await checkGroup(ctx) });
  } finally {
    reaper.close();
  }
  return rows;
}

/** The socket checks, in a temporary directory removed afterwards. */
async function socketRows(pid1: boolean): Promise<CheckRow[]> {
  const runtime = checkRuntimeDir(pid1);
  const rows: CheckRow[] = [{ check: "runtime directory", verdict: runtime.verdict }];
  let tmp: string;
  try {
    tmp = await Deno.makeTempDir({ prefix: "chaperone-selftest-" });
  } catch (err) {
    rows.push({ check: "syslog socket", verdict: skip("no temporary directory (below)") });
    rows.push({
      check: "control socket",
      verdict: fail(
        `cannot create a temporary directory: ${errorMessage(err)}`,
        "mount a writable tmpfs on /tmp (docker run --tmpfs /tmp), or set TMPDIR",
      ),
    });
    return rows;
  }
  try {
    rows.push({ check: "syslog socket", verdict: await checkSyslog(runtime, tmp) });
    rows.push({ check: "control socket", verdict: await checkControl(runtime, tmp) });
  } finally {
    await Deno.remove(tmp, { recursive: true }).catch(() => {});
  }
  return rows;
}

/** Runs every check; resolves to the exit code. */
export async function selftestCommand(args: string[]): Promise<number> {
  let values: { config?: string; user?: string; help?: boolean };
  try {
    const read = parseUtilityArgs(args, {
      config: { type: "string" },
      user: { type: "string" },
      help: { type: "boolean", short: "h" },
    });
    if (read.positionals.length > 0) throw new Error(`unexpected argument ${read.positionals[0]}`);
    values = read.values;
  } catch (err) {
    write("stderr", `${errorMessage(err)}\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    write("stdout", USAGE);
    return 0;
  }
  const defaults = runDefaults();
  const config = values.config ?? defaults.config ?? "/etc/chaperone.d";
  const user = values.user ?? defaults.user;
  const pid1 = isPid1();
  write(
    "stdout",
    `chaperone selftest: pid ${Deno.pid}, uid ${Deno.uid()}, config ${config}${
      user !== undefined ? `, user ${user}` : ""
    }\n`,
  );
  const rows = [
    ...await processRows(pid1),
    ...await socketRows(pid1),
    ...await checkConfiguration(config, user),
  ];
  write("stdout", formatTable(rows));
  const count = (status: string) => rows.filter((r) => r.verdict.status === status).length;
  const failed = count("FAIL");
  write(
    "stdout",
    `${rows.length} checks: ${count("ok")} ok, ${failed} FAIL, ${count("skip")} skip\n`,
  );
  return failed > 0 ? 1 : 0;
}
