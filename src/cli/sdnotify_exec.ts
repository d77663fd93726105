/**
 * `chaperone sdnotify-exec` (and `sdnotify-exec`): runs a command with a notify socket of its own,
 * and either proxies what the command reports to the parent NOTIFY_SOCKET or waits for
 * READY/STOPPING itself (docs/command-line.md, "Utilities"). Its `info:` lines are matched by the
 * original's tests, so their wording is kept.
 *
 * Where the original's code and its own help text disagree, the help text wins: with
 * `--wait-ready` a command that exits abnormally before READY=1 ends the wait with its exit
 * status (the original waited forever), and with `--wait-stop` MAINPID is not passed on
 * (this program stays the main process). A command that cannot be started exits 127 or 126,
 * not 0.
 */
import { expandWithVars } from "../config/expand.ts";
import { quoteShellWord, splitShellWords } from "../text/shell_words.ts";
import { sendNotify } from "../notify/client.ts";
import { type NotifySocket, openNotifySocket } from "../notify/socket.ts";
import { fromCommandStatus, toExitCode } from "../process/exit_status.ts";
import { resolveExecutable } from "../process/spawn.ts";
import { systemClock, type TimerId } from "../sys/clock.ts";
import { type CommandOutput, processOutput } from "./ctl.ts";
import { VERSION_TEXT } from "./options.ts";
import { parseUtilityArgs } from "./utility_args.ts";
import { errorMessage } from "../text/error_message.ts";

/** Usage text of `sdnotify-exec`. */
export const SDNOTIFY_EXEC_USAGE = `Usage:
    sdnotify-exec [options] COMMAND [ARGS ...]

Options:
    --noproxy             Ignores NOTIFY_SOCKET if inherited in the environment
                          and does not proxy messages.  Useful with --wait-xxx options.
    --wait-ready          If COMMAND exits normally, wait until either READY=1 or ERRNO=n
                          are sent to the notify socket, then return the exit
                          value from the command.
    --wait-stop           Will continue running even if COMMAND exits, continuing
                          proxy services until ERRNO=n or STOPPING=1 are detected.
                          MAINPID notifications will be blocked, since the proxy
                          will continue to be the main program.  Overrides --wait-ready.
    --timeout secs        Specifies the timeout before the lack of response triggers
                          an error exit.  COMMAND may continue to run.
                          (no effect without --wait-ready or --wait-stop)
    --socket name         Name of socket file created.  By default, a unique
                          socket name will be chosen automatically.
    --template value      Sets %{SOCKET_ARGS} template to 'value'.
    --verbose             Provide information about activity

Environment variables (one of which is SOCKET_ARGS) can be used anywhere in the
command by using the syntax %{VAR}.  The default SOCKET_ARGS template is designed
for Docker and is set to:
  '--env NOTIFY_SOCKET=/tmp/notify-%{PID}.sock -v %{NOTIFY_SOCKET}:/tmp/notify-%{PID}.sock'

Thus, you can easily use "docker run" like this:

  sdnotify-exec docker run %{SOCKET_ARGS} some-image

Environment variables that can be useful:

  NOTIFY_SOCKET       Newly created notification socket
  ORIG_NOTIFY_SOCKET  Original notify socket (if any) passed to this program
  PID                 PID of the running sdnotify-exec program
  SOCKET_ARGS         Argument template

Only "NOTIFY_SOCKET" itself is passed to the created process, though all are available
for command and argument expansion.

Long options may be abbreviated to any unambiguous prefix (--wait-r for --wait-ready).
`;

/** The default %{SOCKET_ARGS}, made for `docker run`. */
export const DEFAULT_TEMPLATE =
  "--env NOTIFY_SOCKET=/tmp/notify-%{PID}.sock -v %{NOTIFY_SOCKET}:/tmp/notify-%{PID}.sock";

/** Options for sdnotifyExecCommand(). */
export interface SdnotifyExecOptions {
  /** Output (default: the process's stdout and stderr). */
  output?: CommandOutput;
  /** Environment of this program (default: the process's). */
  env?: Readonly<Record<string, string>>;
}

const EXEC_FLAGS = {
  noproxy: { type: "boolean" },
  "wait-ready": { type: "boolean" },
  "wait-stop": { type: "boolean" },
  timeout: { type: "string" },
  socket: { type: "string" },
  template: { type: "string" },
  verbose: { type: "boolean" },
  help: { type: "boolean", short: "h" },
  version: { type: "boolean" },
} as const;

// Python's shlex-safe set plus the braces and percent of %{VAR}, so expansions stay unquoted.
const UNSAFE_REGEXP = /[^{}A-Za-z0-9_@%+=:,./-]/;
const LINE_REGEXP = /^([A-Za-z_][A-Za-z0-9_]*)=(.+)$/s;
const INTEGER_REGEXP = /^\s*[+-]?[0-9]+\s*$/;

type WaitMode = "none" | "ready" | "stop";

/** Quotes a word for re-splitting unless it is safe as it is (keeps `%{VAR}` visible). */
function maybeQuote(word: string): string {
  return UNSAFE_REGEXP.test(word) || word === "" ? quoteShellWord(word) : word;
}

/** Seconds as Python prints a float (`5` → `5.0`). */
function pythonFloat(seconds: number): string {
  return Number.isInteger(seconds) ? seconds.toFixed(1) : String(seconds);
}

/** Runs `sdnotify-exec <args>`; resolves to the exit status docs/command-line.md gives. */
export async function sdnotifyExecCommand(
  args: string[],
  options: SdnotifyExecOptions = {},
): Promise<number> {
  const output = options.output ?? processOutput;
  const env = options.env ?? Deno.env.toObject();
  let values;
  let commandArgs: string[];
  try {
    // Options come first (docopt `options_first`): the rest is COMMAND and its arguments.
    ({ values, positionals: commandArgs } = parseUtilityArgs(args, EXEC_FLAGS, {
      optionsFirst: true,
    }));
  } catch (error) {
    output.err(`${errorMessage(error)}\n${SDNOTIFY_EXEC_USAGE}`);
    return 1;
  }
  if (values.help) {
    output.out(SDNOTIFY_EXEC_USAGE);
    return 0;
  }
  if (values.version) {
    output.out(VERSION_TEXT("sdnotify-exec") + "\n");
    return 0;
  }
  if (commandArgs.length === 0) {
    output.err(`COMMAND is required\n${SDNOTIFY_EXEC_USAGE}`);
    return 1;
  }
  const waitMode: WaitMode = values["wait-stop"] ? "stop" : values["wait-ready"] ? "ready" : "none";
  let timeout: number | undefined;
  if (values.timeout !== undefined && waitMode !== "none") {
    timeout = Number(values.timeout);
    if (values.timeout.trim() === "" || !Number.isFinite(timeout) || timeout < 0) {
      output.out(`error: not a valid timeout '${values.timeout}'\n`);
      return 1;
    }
  }
  const verbose = values.verbose ?? false;
  const info = (text: string) => {
    if (verbose) output.out(`info: ${text}\n`);
  };

  const pid = Deno.pid;
  const parentSocket = env.NOTIFY_SOCKET || undefined;
  let proxyEnabled = parentSocket !== undefined && !values.noproxy;
  const socketName = values.socket || `/tmp/sdnotify-proxy-${pid}.sock`;
  const childEnv: Record<string, string> = { ...env, NOTIFY_SOCKET: socketName };
  const vars: Record<string, string> = {
    ...childEnv,
    PID: String(pid),
    SOCKET_ARGS: values.template || DEFAULT_TEMPLATE,
  };
  if (parentSocket !== undefined) vars.ORIG_NOTIFY_SOCKET = parentSocket;

  let argv: string[];
  try {
    const line = commandArgs.map(maybeQuote).join(" ");
    argv = splitShellWords(expandWithVars(line, vars, { prefix: "%", openers: "{" }));
    if (argv.length === 0) throw new RangeError("the command is empty after expansion");
  } catch (error) {
    output.out(`Error running command: ${errorMessage(error)}\n`);
    return 1;
  }
  const program = argv[0]!;

  let socket: NotifySocket;
  try {
    // Mode 0777 as in the original: the command may run as anyone (or inside a container).
    socket = openNotifySocket(socketName, { mode: 0o777 });
  } catch (error) {
    output.out(`Error while trying to create socket: ${errorMessage(error)}\n`);
    return 1;
  }

  let exitCode = 0;
  let finish!: (code?: number) => void;
  const finished = new Promise<void>((resolve) => {
    finish = (code?: number) => {
      if (code !== undefined) exitCode = code;
      resolve();
    };
  });

  const forward = (name: string, value: string) => {
    if (!proxyEnabled || parentSocket === undefined) return;
    if (name === "MAINPID" && waitMode === "stop") return;
    try {
      sendNotify(parentSocket, `${name}=${value}`);
    } catch {
      // A parent that went away is not our failure; stop proxying, as the original did.
      proxyEnabled = false;
    }
  };

  const onPair = (name: string, value: string) => {
    forward(name, value);
    if (waitMode !== "none") {
      if (name === "READY" && value === "1" && waitMode === "ready") {
        info("ready notification received (will exit)");
        return finish(0);
      }
      if (name === "ERRNO" && INTEGER_REGEXP.test(value)) {
        info(`error notification (${value.trim()}) received from ${program}`);
        return finish(Number(value) & 0xff);
      }
      if (name === "STOPPING" && value === "1") {
        info(`STOP notification received from ${program} (will exit)`);
        return finish();
      }
    }
    const note = proxyEnabled ? " (ignored but passed on)" : " (ignored)";
    switch (name) {
      case "READY":
        return info(`READY=${value}${note}`);
      case "MAINPID":
        return info(`Process PID (=${value}) notification${note}`);
      case "ERRNO":
        return info(`Process ERROR (=${value}) notification${note}`);
      case "STATUS":
        return info(`Status message = '${value}'${note}`);
      default:
        return info(`${name}=${value}${note}`);
    }
  };

  const reading = (async () => {
    for await (const datagram of socket) {
      for (const line of datagram.text.split("\n")) {
        const match = LINE_REGEXP.exec(line);
        if (!match) continue;
        const name = match[1]!.toUpperCase();
        // BARRIER=1 only makes sense with the fd that came with it, which is already closed.
        if (name === "BARRIER") continue;
        onPair(name, match[2]!);
      }
    }
  })();

  const onSignal = () => finish();
  Deno.addSignalListener("SIGTERM", onSignal);
  Deno.addSignalListener("SIGINT", onSignal);
  let timer: TimerId | undefined;
  let child: Deno.ChildProcess | undefined;
  try {
    info(`running: ${program}`);
    try {
      const path = resolveExecutable(program, childEnv.PATH);
      child = new Deno.Command(path, {
        args: argv.slice(1),
        env: childEnv,
        clearEnv: true,
        detached: waitMode !== "none",
        stdin: "inherit",
        stdout: "inherit",
        stderr: "inherit",
      }).spawn();
    } catch (error) {
      output.out(`Error running command: ${errorMessage(error)}\n`);
      finish(error instanceof Deno.errors.PermissionDenied ? 126 : 127);
    }
    if (child !== undefined) {
      if (timeout !== undefined) {
        info(`waiting ${pythonFloat(timeout)} seconds for notification`);
        // The Clock: a --timeout of 25 days or more must not fire at once.
        timer = systemClock.setTimeout(() => {
          output.out(`ERROR: Timeout exceeded while waiting for notification from '${program}'\n`);
          finish(1);
        }, timeout * 1000);
      }
      child.status.then((status) => {
        const code = toExitCode(fromCommandStatus(status));
        // An ERRNO that arrived first wins, as in the original.
        if (exitCode === 0) exitCode = code;
        if (waitMode === "none") {
          info(`program ${program} exit(${code}), terminating since --wait not specified`);
          finish();
        } else if (waitMode === "ready" && code !== 0) {
          finish();
        }
      });
    }
    await finished;
  } finally {
    if (timer !== undefined) systemClock.clearTimeout(timer);
    Deno.removeSignalListener("SIGTERM", onSignal);
    Deno.removeSignalListener("SIGINT", onSignal);
    await socket.close();
    await reading;
    // A command left running in a wait mode keeps running; do not let it hold us here.
    child?.unref();
  }
  return exitCode;
}
