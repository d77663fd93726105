/**
 * `chaperone ctl` (and `telchap`): drives a running Chaperone through its control socket and
 * formats the replies for people. Exit status: 0 success, 1 a command or usage error (message
 * on stderr), 2 when no Chaperone listens at any place looked at. Its own options, like the
 * commands' options, may be abbreviated to any unambiguous prefix (docopt's rule).
 */
import { ControlUnavailableError, sendControl } from "../control/client.ts";
import {
  COMMAND_USAGE,
  type ControlRequest,
  type ControlResponse,
  type HealthReply,
  parseCommandWords,
  ProtocolError,
  type StatusReply,
} from "../control/protocol.ts";
import { VERSION_TEXT } from "./options.ts";
import { LogsPrinter } from "./logs_output.ts";
import { formatHealth } from "./health_text.ts";
import { ctlSocketCandidates } from "./runtime_paths.ts";
import { parseUtilityArgs } from "./utility_args.ts";
import { errorMessage } from "../text/error_message.ts";
import { UsageError } from "../text/usage_error.ts";

/** Usage text of `chaperone ctl`. */
export const CTL_USAGE =
  `Usage: chaperone ctl [--socket PATH] [--timeout SECONDS] <command> [<args> ...]
       chaperone ctl (--version | -h | --help)

Sends a command to a running Chaperone. The socket is PATH, else $CHAPERONE_SOCKET, else
/dev/chaperone.sock or the per-user runtime directory. Long options may be abbreviated to any
unambiguous prefix (--sock, --en).

${COMMAND_USAGE}`;

/** Where ctl writes; tests capture it. */
export interface CommandOutput {
  out(text: string): void;
  err(text: string): void;
}

/** Options for ctlCommand(). */
export interface CtlOptions {
  /** Output streams (default: the process's stdout and stderr). */
  output?: CommandOutput;
  /** Environment for `CHAPERONE_SOCKET` and `XDG_RUNTIME_DIR` (default: the process's). */
  env?: Readonly<Record<string, string | undefined>>;
  /** The name invoked, for the `--version` text (`telchap` through a link; default `chaperone`). */
  name?: string;
}

/** Seconds ctl waits for a reply unless `--timeout` says otherwise; `--wait` waits forever. */
const DEFAULT_TIMEOUT_SECONDS = 30;

const CTL_FLAGS = {
  socket: { type: "string" },
  timeout: { type: "string" },
  help: { type: "boolean", short: "h" },
  version: { type: "boolean" },
} as const;

function writeAll(file: { writeSync(p: Uint8Array): number }, text: string): void {
  const bytes = new TextEncoder().encode(text);
  let offset = 0;
  while (offset < bytes.length) offset += file.writeSync(bytes.subarray(offset));
}

/** The process's stdout and stderr. */
export const processOutput: CommandOutput = {
  out: (text) => writeAll(Deno.stdout, text),
  err: (text) => writeAll(Deno.stderr, text),
};

/** Formats seconds like Python's `str(timedelta)`: `[D day[s], ]H:MM:SS[.ffffff]`. */
export function formatUptime(seconds: number): string {
  const micros = Math.round(Math.max(0, seconds) * 1e6);
  const totalSeconds = Math.floor(micros / 1e6);
  const fraction = micros % 1e6;
  const days = Math.floor(totalSeconds / 86400);
  const h = Math.floor((totalSeconds % 86400) / 3600);
  const m = Math.floor((totalSeconds % 3600) / 60);
  const s = totalSeconds % 60;
  const clock = `${h}:${String(m).padStart(2, "0")}:${String(s).padStart(2, "0")}`;
  const dayText = days === 0 ? "" : `${days} day${days === 1 ? "" : "s"}, `;
  return `${dayText}${clock}${fraction === 0 ? "" : "." + String(fraction).padStart(6, "0")}`;
}

function cell(value: string | number | boolean | null): string {
  if (value === null) return "-";
  return String(value);
}

/** Formats rows as the original's TableFormatter: header, dashes, left-justified, two spaces. */
export function formatTable(
  headings: readonly string[],
  rows: readonly (readonly string[])[],
): string {
  const widths = headings.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]?.length ?? 0)));
  const dashes = widths.map((w) => "-".repeat(w));
  return [headings, dashes, ...rows]
    .map((row) => widths.map((w, i) => (row[i] ?? "").padEnd(w)).join("  "))
    .join("\n");
}

/** The `status` text of docs/ctl.md: header block, then the services table sorted by name. */
export function formatStatus(reply: StatusReply): string {
  const services = [...reply.services].sort((a, b) =>
    a.name < b.name ? -1 : a.name > b.name ? 1 : 0
  );
  const enabled = services.filter((s) => s.enabled).length;
  const rows = services.map((s) =>
    // As the original, the pid column keeps a service's last pid once it has ended.
    [s.pid ?? s.lastPid ?? null, s.name, s.enabled, s.status, s.note].map((v) =>
      cell(v === "" ? null : v)
    )
  );
  return `
Running:           chaperone version ${reply.version}
Uptime:            ${formatUptime(reply.uptimeSeconds)}
Managed processes: ${services.length} (${enabled} enabled)

Services:

${formatTable(["pid", "name", "enabled", "status", "note"], rows)}
`;
}

function isStatusReply(data: unknown): data is StatusReply {
  const d = data as StatusReply | null;
  return typeof d === "object" && d !== null && typeof d.version === "string" &&
    typeof d.uptimeSeconds === "number" && Array.isArray(d.services);
}

function isHealthReply(data: unknown): data is HealthReply {
  const d = data as HealthReply | null;
  return typeof d === "object" && d !== null && typeof d.healthy === "boolean" &&
    Array.isArray(d.unhealthy);
}

/** Splits ctl's own flags (before the command) from the command words. */
function splitArgs(args: readonly string[]) {
  const { values, positionals } = parseUtilityArgs(args, CTL_FLAGS, { optionsFirst: true });
  return { values, words: positionals };
}

function parseTimeout(text: string | undefined, request: ControlRequest): number | undefined {
  if (text === undefined) {
    // `logs -f` follows until interrupted, like a `--wait`.
    const waits = ("wait" in request && request.wait === true) ||
      (request.cmd === "logs" && request.follow === true);
    return waits ? undefined : DEFAULT_TIMEOUT_SECONDS * 1000;
  }
  const seconds = Number(text);
  if (text.trim() === "" || !Number.isFinite(seconds) || seconds < 0) {
    throw new UsageError(`--timeout needs a number of seconds, not "${text}"`);
  }
  // 0 means no limit, like `--wait` without a timeout.
  return seconds === 0 ? undefined : seconds * 1000;
}

/** Prints a successful response for people; returns the exit status. */
function printResponse(
  request: ControlRequest,
  response: ControlResponse & { ok: true },
  output: CommandOutput,
): number {
  const text = response.text === undefined || response.text === ""
    ? ""
    : response.text.endsWith("\n")
    ? response.text
    : response.text + "\n";
  switch (request.cmd) {
    case "status":
      if (!isStatusReply(response.data)) break;
      output.out(
        request.json
          ? JSON.stringify(response.data.services, null, 2) + "\n"
          : formatStatus(response.data),
      );
      return 0;
    case "health":
      if (!isHealthReply(response.data)) break;
      output.out(response.data.healthy && text ? text : formatHealth(response.data));
      return response.data.healthy ? 0 : 1;
    case "dependencies":
    case "loglevel":
    case "run":
    case "reload":
    case "start":
    case "stop":
    case "reset":
    case "restart":
    case "enable":
    case "disable":
    case "shutdown":
    case "logs":
      break;
    default: {
      const exhaustive: never = request;
      throw new TypeError(`Unhandled request ${JSON.stringify(exhaustive)}`);
    }
  }
  if (text !== "") output.out(text);
  return 0;
}

/** Runs `chaperone ctl <args>`; resolves to the exit status. */
export async function ctlCommand(args: string[], options: CtlOptions = {}): Promise<number> {
  const output = options.output ?? processOutput;
  let request: ControlRequest;
  let socketFlag: string | undefined;
  let timeoutMs: number | undefined;
  try {
    const { values, words } = splitArgs(args);
    if (values.help) {
      output.out(CTL_USAGE + "\n");
      return 0;
    }
    if (values.version) {
      output.out(VERSION_TEXT(options.name ?? "chaperone") + "\n");
      return 0;
    }
    socketFlag = values.socket;
    request = parseCommandWords(words);
    timeoutMs = parseTimeout(values.timeout, request);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    output.err(`chaperone ctl: ${error.message}\n\n${CTL_USAGE}\n`);
    return 1;
  }
  const env = options.env ?? Deno.env.toObject();
  const candidates = ctlSocketCandidates(
    socketFlag === undefined ? { env } : { flag: socketFlag, env },
  );
  for (const path of candidates) {
    let response: ControlResponse;
    // `logs` is answered with a stream of lines, printed as they come.
    const printer = request.cmd === "logs" ? new LogsPrinter(output) : undefined;
    try {
      response = await sendControl(path, request, {
        ...(timeoutMs === undefined ? {} : { timeoutMs }),
        ...(printer === undefined ? {} : { stream: printer }),
      });
    } catch (error) {
      if (error instanceof ControlUnavailableError) continue;
      if (printer?.outputClosed) return 0; // `ctl logs -f | head`: head has what it wanted
      if (error instanceof Deno.errors.PermissionDenied) {
        output.err(`chaperone ctl: not allowed to use the control socket ${path}\n`);
      } else if (error instanceof ProtocolError || error instanceof Deno.errors.TimedOut) {
        output.err(`chaperone ctl: ${errorMessage(error)}\n`);
      } else {
        output.err(`chaperone ctl: cannot talk to chaperone at ${path}: ${errorMessage(error)}\n`);
      }
      return 1;
    }
    if (!response.ok) {
      output.err(`Command error: ${response.error}\n`);
      return 1;
    }
    return printResponse(request, response, output);
  }
  output.err(
    "chaperone does not seem to be listening, is it running?\n" +
      `(looked for a control socket at: ${candidates.join(", ")})\n`,
  );
  return 2;
}
