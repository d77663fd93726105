/**
 * `chaperone sdnotify` (and `sdnotify`): a systemd-notify substitute (docs/command-line.md,
 * "Utilities"). Sends one datagram per item to NOTIFY_SOCKET, in a fixed order: MAINPID, STATUS,
 * READY, then each VARIABLE=VALUE. Like the original, its own error messages go to stdout. Long
 * options may be abbreviated to any unambiguous prefix (`--stat`), as the original's docopt allowed.
 */
import { sendNotify } from "../notify/client.ts";
import { type CommandOutput, processOutput } from "./ctl.ts";
import { VERSION_TEXT } from "./options.ts";
import { parseUtilityArgs } from "./utility_args.ts";
import { errorMessage } from "../text/error_message.ts";

/** Usage text of `sdnotify`. */
export const SDNOTIFY_USAGE = `Usage:
    sdnotify [options] [VARIABLE=VALUE ...]

Options:
    --pid PID        Inform chaperone/systemd of MAINPID
                     (must say --pid=self if you want the programs PID)
    --status=STATUS  Inform chaperone/systemd of status information
    --ready          Send the ready signal (READY=1)
    --booted         Indicate whether we were booted with systemd.
                     (Note: Always indicates 'no', exit status 1.)
    --ignore         Silently ignore inability to send notifications.
                     (Always ignored if NOTIFY_SOCKET is not set.)

All of the above specified will be sent in the order given above, then
any VARIABLE=VALUE pairs will be sent. Long options may be abbreviated
to any unambiguous prefix (--stat for --status).
`;

/** Options for sdnotifyCommand(). */
export interface SdnotifyOptions {
  /** Output (default: the process's stdout and stderr). */
  output?: CommandOutput;
  /** Environment to read NOTIFY_SOCKET from (default: the process's). */
  env?: Readonly<Record<string, string | undefined>>;
  /** The pid that `--pid self` reports (default: this process's). */
  pid?: number;
}

const SDNOTIFY_FLAGS = {
  pid: { type: "string" },
  status: { type: "string" },
  ready: { type: "boolean" },
  booted: { type: "boolean" },
  ignore: { type: "boolean" },
  help: { type: "boolean", short: "h" },
  version: { type: "boolean" },
} as const;

const INTEGER_REGEXP = /^\s*[+-]?[0-9]+\s*$/;

/** Runs `sdnotify <args>`; resolves to the exit status (0, or 1 on any error and for --booted). */
export function sdnotifyCommand(args: string[], options: SdnotifyOptions = {}): Promise<number> {
  const output = options.output ?? processOutput;
  const env = options.env ?? Deno.env.toObject();
  let parsed;
  try {
    parsed = parseUtilityArgs(args, SDNOTIFY_FLAGS);
  } catch (error) {
    output.err(`${errorMessage(error)}\n${SDNOTIFY_USAGE}`);
    return Promise.resolve(1);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    output.out(SDNOTIFY_USAGE);
    return Promise.resolve(0);
  }
  if (values.version) {
    output.out(VERSION_TEXT("sdnotify") + "\n");
    return Promise.resolve(0);
  }

  const messages: string[] = [];
  if (values.pid !== undefined) {
    if (values.pid === "self") {
      messages.push(`MAINPID=${options.pid ?? Deno.pid}`);
    } else if (INTEGER_REGEXP.test(values.pid)) {
      messages.push(`MAINPID=${values.pid}`);
    } else {
      output.out(`error: not a valid PID '${values.pid}'\n`);
      return Promise.resolve(1);
    }
  }
  if (values.status) messages.push(`STATUS=${values.status}`);
  if (values.ready) messages.push("READY=1");
  for (const pair of positionals) {
    const parts = pair.split("=");
    if (parts.length !== 2) {
      output.out(`error: not a valid format for VARIABLE=VALUE, '${pair}'\n`);
      return Promise.resolve(1);
    }
    messages.push(`${parts[0]!.toUpperCase()}=${parts[1]}`);
  }

  const socket = env.NOTIFY_SOCKET;
  if (socket) {
    for (const message of messages) {
      try {
        sendNotify(socket, message);
      } catch (error) {
        if (values.ignore) continue;
        const reason = errorMessage(error);
        output.out(
          `error: could not send sd_notify message, Systemd notification failed: ${reason}\n`,
        );
        return Promise.resolve(1);
      }
    }
  }
  return Promise.resolve(values.booted ? 1 : 0);
}
