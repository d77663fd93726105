/**
 * Entry: picks the subcommand (or the name the binary was invoked under: telchap, envcp,
 * sdnotify, sdnotify-exec) and maps errors to exit codes. The only place that knows them all.
 */
import { parseCommandLine, SYNOPSIS } from "./options.ts";
import { INETD_EXEC } from "../inetd/inetd_exec.ts";
import { SELFTEST_HELPER } from "./selftest_helper.ts";
import { errorStack } from "../text/error_message.ts";
import { UsageError } from "../text/usage_error.ts";
import { ExitError } from "./exit_error.ts";

type Command = (args: string[]) => Promise<number>;

/**
 * Subcommands, also reachable through argv[0] (symlinks in an image). Each is loaded only when
 * chosen: `ctl` (a HEALTHCHECK every few seconds) then skips compiling the whole supervisor,
 * the YAML parser and node:util's polyfills, which took most of its run time.
 */
const SUBCOMMANDS: Record<string, () => Promise<Command>> = {
  ctl: () => import("./ctl.ts").then((m) => m.ctlCommand),
  telchap: () =>
    import("./ctl.ts").then((m) => (args: string[]) => m.ctlCommand(args, { name: "telchap" })),
  check: () => import("./check.ts").then((m) => m.checkCommand),
  selftest: () => import("./selftest.ts").then((m) => m.selftestCommand),
  envcp: () => import("./envcp.ts").then((m) => m.envcpCommand),
  sdnotify: () => import("./sdnotify.ts").then((m) => m.sdnotifyCommand),
  "sdnotify-exec": () => import("./sdnotify_exec.ts").then((m) => m.sdnotifyExecCommand),
  // Internal: how an inetd connection's command is started (selected by CHAPERONE_ARGV0 only).
  [INETD_EXEC]: () => import("../inetd/inetd_exec.ts").then((m) => m.inetdExecCommand),
  // Internal: the child processes of `selftest` (selected by CHAPERONE_ARGV0 only).
  [SELFTEST_HELPER]: () => import("./selftest_helper.ts").then((m) => m.selftestHelperCommand),
};

/** argv[0] as invoked (a symlink's own name), from /proc; falls back to the executable. */
export function invokedName(): string {
  try {
    const cmdline = Deno.readTextFileSync("/proc/self/cmdline");
    const first = cmdline.split("\0")[0];
    if (first) return first;
  } catch {
    // No /proc: use the executable path.
  }
  return Deno.execPath();
}

function write(stream: "stdout" | "stderr", text: string): void {
  const bytes = new TextEncoder().encode(text);
  (stream === "stdout" ? Deno.stdout : Deno.stderr).writeSync(bytes);
}

/** Runs the program; resolves to its exit code. */
export async function main(args: string[]): Promise<number> {
  // Set by scripts/chaperone when running from source, where argv[0] is deno itself.
  const argv0 = Deno.env.get("CHAPERONE_ARGV0") ?? invokedName();
  Deno.env.delete("CHAPERONE_ARGV0");
  const base = argv0.split("/").pop() ?? "chaperone";
  const byName = base !== "chaperone" ? SUBCOMMANDS[base] : undefined;
  if (byName && base !== "check" && base !== "ctl") return await (await byName())(args);
  try {
    const cl = parseCommandLine(args, { chapOptions: Deno.env.get("_CHAP_OPTIONS"), argv0: base });
    switch (cl.kind) {
      case "help":
        write("stdout", cl.text);
        return 0;
      case "version":
        write("stdout", cl.text);
        return 0;
      case "subcommand": {
        const load = SUBCOMMANDS[cl.name];
        if (!load) throw new UsageError(`unknown subcommand ${cl.name}`);
        return await (await load())([...cl.args]);
      }
      case "run":
        return await (await import("./run.ts")).runCommand(cl.options, argv0);
    }
  } catch (err) {
    if (err instanceof ExitError) {
      write(err.stream, err.text);
      return err.code;
    }
    if (err instanceof UsageError) {
      write("stderr", `${err.message}\n${SYNOPSIS}\n`);
      return 1;
    }
    write("stderr", `chaperone: ${errorStack(err)}\n`);
    return 1;
  }
}
