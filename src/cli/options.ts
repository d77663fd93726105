/**
 * The `chaperone` command line (docs/command-line.md; Decision 14 in docs/migration.md): parses
 * `chaperone [options] [command [args...]]` with the original's docopt rules, merges the
 * defaults from `_CHAP_OPTIONS`, and recognises the subcommands. Pure: the caller passes the
 * arguments and the `_CHAP_OPTIONS` value and acts on the result (PID check, user creation,
 * `_CHAP_TASK_MODE`, config loading).
 *
 * The scanner is our own rather than `node:util`'s parseArgs because docopt's rules, which
 * existing command lines rely on, are outside what parseArgs offers: unambiguous prefixes of
 * long options (`--create` for `--create-user`) and options only before the first positional
 * (`chaperone --debug /bin/ls -l` leaves `-l` to ls).
 */
import denoJson from "../../deno.json" with { type: "json" };
import { SEVERITIES, Severity } from "../log/record.ts";
import { splitShellWords } from "../text/shell_words.ts";
import { ambiguousOptionMessage, matchLongOption } from "../sys/long_option.ts";
import { errorMessage } from "../text/error_message.ts";
import { UsageError } from "../text/usage_error.ts";

/** Subcommands dispatched by `main` instead of running the supervisor. */
export type Subcommand = "ctl" | "check" | "selftest" | "envcp" | "sdnotify" | "sdnotify-exec";

const SUBCOMMANDS: readonly Subcommand[] = [
  "ctl",
  "check",
  "selftest",
  "envcp",
  "sdnotify",
  "sdnotify-exec",
];

/** Every option of a `chaperone` run, resolved (docs/command-line.md, "Options"). */
export interface ChaperoneOptions {
  /** Config file or directory; `/etc/chaperone.d` unless given. */
  readonly config: string;
  /** `--user`; left unset when `--create-user` is also in effect (it wins). */
  readonly user: string | undefined;
  /** `--create-user` spec as written (`name[:/path][:uid][:gid]`), not yet checked. */
  readonly createUser: string | undefined;
  readonly defaultHome: string | undefined;
  readonly exitkills: boolean;
  readonly noExitkills: boolean;
  readonly ignoreFailures: boolean;
  /** Forced minimum severity (0 emerg … 7 debug); `--debug` makes it 7. */
  readonly logLevel: number | undefined;
  readonly noConsoleLog: boolean;
  readonly debug: boolean;
  readonly force: boolean;
  readonly disableServices: boolean;
  /** True only when given on the real command line (it means nothing in `_CHAP_OPTIONS`). */
  readonly noDefaults: boolean;
  readonly noSyslog: boolean;
  readonly showDependencies: boolean;
  /** Task mode; its implications are already applied. The caller sets `_CHAP_TASK_MODE=1`. */
  readonly task: boolean;
  /** The command to run as the CONSOLE service, if any. */
  readonly command: string | undefined;
  /** Its arguments (never taken from `_CHAP_OPTIONS` when the command line names a command). */
  readonly args: readonly string[];
}

/** What the command line asks for. */
export type CommandLine =
  | { readonly kind: "run"; readonly options: ChaperoneOptions }
  | { readonly kind: "help"; readonly text: string }
  | { readonly kind: "version"; readonly text: string }
  | { readonly kind: "subcommand"; readonly name: Subcommand; readonly args: readonly string[] };

/** The synopsis part of the help text, printed after a usage error. */
/** The synopsis printed after a usage error of the command line (exit 1). */
export const SYNOPSIS = `Usage:
    chaperone [--config=<file_or_dir>]
              [--user=<name> | --create-user=<newuser>] [--default-home=<dir>]
              [--exitkills | --no-exitkills] [--ignore-failures] [--log-level=<level>]
              [--no-console-log] [--debug] [--force] [--disable-services] [--no-defaults]
              [--no-syslog] [--version] [--show-dependencies] [--task]
              [<command> [<args> ...]]
    chaperone (ctl | check | selftest | envcp | sdnotify | sdnotify-exec) [<args> ...]
    chaperone (-h | --help)`;

/** The text printed by `chaperone --help` (the original's, corrected). */
export const USAGE: string = `Lightweight process and service manager

${SYNOPSIS}

Options:
    --config=<file_or_dir>   Specifies file or directory for configuration (default is /etc/chaperone.d)
    --create-user=<newuser>  Create a new user if it does not exist, then run as if --user was specified.
                             Format: name[:/path][:uid][:gid], for example bob, bob:1000, bob:1000:staff,
                             bob::staff or bob:/home/bob (uid and gid default to the owner of /path).
    --default-home=<dir>     If the --create-user home directory does not exist, then use this
                             directory as the default home directory for the new user instead.
    --debug                  Turn on debugging features (same as --log-level=DEBUG)
    --disable-services       Does not run any services, only the given command (troubleshooting)
    --exitkills              When given command exits, kill the system (default if container running interactive)
    --force                  If chaperone normally refuses, do it anyway and take the risk.
    -h --help                Show this text and exit.
    --ignore-failures        Assumes that "ignore_failures: true" was specified on all services (troubleshooting)
    --log-level=<level>      Force log filtering to at least this level: emerg, alert, crit, err, warn,
                             notice, info or debug.
    --no-console-log         Disable all logging to stdout and stderr (useful when the container produces non-log output)
    --no-exitkills           When given command exits, don't kill the system (default if container running daemon)
    --no-defaults            Ignores any default options in the _CHAP_OPTIONS environment variable
    --no-syslog              Does not create /dev/log (as "enable_syslog: false" in settings)
    --user=<name>            Start first process as user (else root)
    --show-dependencies      Shows a list of service dependencies then exits
    --task                   Run in task mode (see below).
    --version                Display version and exit

Subcommands (each takes its own options after its name):
    ctl            Send a command to the running chaperone (replaces telchap).
    check          Load and validate a configuration, then report.
    selftest       Check, inside the image, the duties of PID 1 that images get wrong.
    envcp          Copy files, expanding environment variables.
    sdnotify       Send a notification to the service manager (like systemd-notify).
    sdnotify-exec  Run a command with its own notify socket.
  A command with one of these names is run with "chaperone -- <name> ...".

Notes:
  * If a user is specified, then the --config is relative to the user's home directory.
  * Chaperone makes the assumption that an interactive command should shut down the system upon exit,
    but a non-interactive command should not.  You can reverse this assumption with options.
  * Default options, and a default command, can be given in the _CHAP_OPTIONS environment variable;
    options given on the command line take precedence.
  * --task is used in cases where you wish to execute a script in the container environment
    for utility purposes, such as a script to extract data from the container, etc.  This switch
    is equivalent to "--disable-services --exitkills --no-console-log" (console logging stays with
    --debug) and also requires a command to be specified as usual.
`;

/** The text printed by `chaperone --version`; print it with a newline after, as the original does. */
export function VERSION_TEXT(argv0: string): string {
  const base = argv0.slice(argv0.lastIndexOf("/") + 1);
  return `
This is '${base}' version ${denoJson.version}.

Documentation and source is available at http://github.com/garywiz/chaperone.
Licensed under the Apache License, Version 2.0.
`;
}

/**
 * Whether the command-line command's exit shuts the system down (docs/command-line.md, "Options").
 */
export function killSwitch(options: ChaperoneOptions, stdinIsTty: boolean): boolean {
  return options.exitkills || (!options.noExitkills && stdinIsTty);
}

type FlagKey =
  | "exitkills"
  | "noExitkills"
  | "ignoreFailures"
  | "noConsoleLog"
  | "debug"
  | "force"
  | "disableServices"
  | "noDefaults"
  | "noSyslog"
  | "showDependencies"
  | "task"
  | "version";
type ValueKey = "config" | "user" | "createUser" | "defaultHome" | "logLevel";

type OptionDef =
  | { readonly long: string; readonly kind: "flag"; readonly key: FlagKey }
  | { readonly long: string; readonly kind: "value"; readonly key: ValueKey };

const OPTIONS: readonly OptionDef[] = [
  { long: "--config", kind: "value", key: "config" },
  { long: "--user", kind: "value", key: "user" },
  { long: "--create-user", kind: "value", key: "createUser" },
  { long: "--default-home", kind: "value", key: "defaultHome" },
  { long: "--exitkills", kind: "flag", key: "exitkills" },
  { long: "--no-exitkills", kind: "flag", key: "noExitkills" },
  { long: "--ignore-failures", kind: "flag", key: "ignoreFailures" },
  { long: "--log-level", kind: "value", key: "logLevel" },
  { long: "--no-console-log", kind: "flag", key: "noConsoleLog" },
  { long: "--debug", kind: "flag", key: "debug" },
  { long: "--force", kind: "flag", key: "force" },
  { long: "--disable-services", kind: "flag", key: "disableServices" },
  { long: "--no-defaults", kind: "flag", key: "noDefaults" },
  { long: "--no-syslog", kind: "flag", key: "noSyslog" },
  { long: "--show-dependencies", kind: "flag", key: "showDependencies" },
  { long: "--task", kind: "flag", key: "task" },
  { long: "--version", kind: "flag", key: "version" },
];

/** Pairs the grammar makes mutually exclusive on one command line. */
const EXCLUSIVE: readonly (readonly [string, string])[] = [
  ["--user", "--create-user"],
  ["--exitkills", "--no-exitkills"],
];

/** One command line (real or `_CHAP_OPTIONS`) as written, before merging. */
interface Scanned {
  readonly flags: ReadonlySet<FlagKey>;
  readonly values: ReadonlyMap<ValueKey, string>;
  readonly help: boolean;
  /** Positionals, when there are any: the command and its arguments. */
  readonly positionals: readonly string[];
  /** True when `--` introduced the positionals (so a subcommand name is a plain command). */
  readonly afterDashDash: boolean;
  /** True when any option came before the positionals. */
  readonly hadOptions: boolean;
}

const LONG_NAMES = OPTIONS.map((o) => o.long);

/** Finds the option a long name (or unambiguous prefix) means, as docopt does. */
function lookupLong(name: string): OptionDef | undefined {
  const match = matchLongOption(name, LONG_NAMES);
  switch (match.kind) {
    case "found":
      return OPTIONS.find((o) => o.long === match.name);
    case "ambiguous":
      throw new UsageError(ambiguousOptionMessage(name, match.candidates));
    case "unknown":
      return undefined;
  }
}

/**
 * Reads options up to the first positional. Errors docopt raises while reading (an ambiguous
 * prefix, a missing or unexpected value) are thrown at once; the rest (unknown or repeated
 * options) only after `--help` had its chance, as in docopt.
 */
function scan(argv: readonly string[]): Scanned {
  const flags = new Set<FlagKey>();
  const values = new Map<ValueKey, string>();
  const late: string[] = [];
  const given = new Set<string>();
  let help = false;
  let positionals: readonly string[] = [];
  let afterDashDash = false;
  let hadOptions = false;
  let i = 0;
  for (; i < argv.length; i++) {
    const token = argv[i]!;
    if (token === "--") {
      positionals = argv.slice(i + 1);
      afterDashDash = true;
      break;
    }
    if (token.startsWith("--")) {
      hadOptions = true;
      const eq = token.indexOf("=");
      const name = eq < 0 ? token : token.slice(0, eq);
      const def = lookupLong(name);
      if (!def) {
        if (name === "--help") help = true;
        else late.push(`unknown option ${name}`);
        continue;
      }
      if (given.has(def.long)) late.push(`${def.long} is given more than once`);
      given.add(def.long);
      if (def.kind === "flag") {
        if (eq >= 0) throw new UsageError(`${def.long} must not have an argument`);
        flags.add(def.key);
        continue;
      }
      let value: string;
      if (eq >= 0) {
        value = token.slice(eq + 1);
      } else {
        const next = argv[i + 1];
        if (next === undefined || next === "--") {
          throw new UsageError(`${def.long} requires argument`);
        }
        value = next;
        i++;
      }
      if (value === "") throw new UsageError(`${def.long} requires a non-empty argument`);
      values.set(def.key, value);
      continue;
    }
    if (token.startsWith("-") && token !== "-") {
      hadOptions = true;
      for (const c of token.slice(1)) {
        if (c === "h") help = true;
        else late.push(`unknown option -${c}`);
      }
      continue;
    }
    positionals = argv.slice(i);
    break;
  }
  if (!help && late.length > 0) throw new UsageError(late[0]!);
  if (!help) {
    for (const [a, b] of EXCLUSIVE) {
      if (given.has(a) && given.has(b)) {
        throw new UsageError(`${a} and ${b} cannot be used together`);
      }
    }
    const level = values.get("logLevel");
    if (level !== undefined) parseLogLevel(level);
  }
  return { flags, values, help, positionals, afterDashDash, hadOptions };
}

/**
 * Severity number of a `--log-level` value (case-insensitive; `emerg` allowed: Decision 3 in
 * docs/migration.md).
 */
function parseLogLevel(text: string): number {
  const key = text.toLowerCase();
  if (!Object.hasOwn(SEVERITIES, key)) {
    throw new UsageError(
      `--log-level: "${text}" is not a log level (use emerg, alert, crit, err, warn, notice, info or debug)`,
    );
  }
  return SEVERITIES[key]!;
}

/** Reads `_CHAP_OPTIONS` with the same grammar; errors name the variable (docs/command-line.md). */
function scanDefaults(text: string): Scanned {
  try {
    const scanned = scan(splitShellWords(text));
    if (scanned.help) throw new UsageError("--help cannot be given in _CHAP_OPTIONS");
    return scanned;
  } catch (error) {
    const reason = errorMessage(error);
    throw new UsageError(
      `Error occurred in _CHAP_OPTIONS environment variable: ${text}\n${reason}`,
      { cause: error },
    );
  }
}

/**
 * Parses `chaperone`'s arguments (without argv[0]). `chapOptions` is the value of
 * `_CHAP_OPTIONS`; `argv0` names the program in the version text. Throws UsageError.
 */
export function parseCommandLine(
  argv: readonly string[],
  context: { chapOptions?: string | undefined; argv0?: string } = {},
): CommandLine {
  const cli = scan(argv);
  if (cli.help) return { kind: "help", text: USAGE };
  if (cli.flags.has("version")) {
    return { kind: "version", text: VERSION_TEXT(context.argv0 ?? "chaperone") };
  }

  const first = cli.positionals[0];
  if (!cli.afterDashDash && first !== undefined && SUBCOMMANDS.includes(first as Subcommand)) {
    if (cli.hadOptions) {
      throw new UsageError(
        `"${first}" is a subcommand: give its options after its name ("chaperone ${first} ..."), ` +
          `or run a program of that name with "chaperone [options] -- ${first}"`,
      );
    }
    return { kind: "subcommand", name: first as Subcommand, args: cli.positionals.slice(1) };
  }

  const noDefaults = cli.flags.has("noDefaults");
  // An empty _CHAP_OPTIONS means no defaults, as in the original (`if envopts:`).
  const env = !noDefaults && context.chapOptions ? scanDefaults(context.chapOptions) : undefined;

  const flag = (key: FlagKey) => cli.flags.has(key) || (env?.flags.has(key) ?? false);
  const value = (key: ValueKey) => cli.values.get(key) ?? env?.values.get(key);
  // The command and its arguments travel together: the original merged them separately, so a
  // default command's arguments could attach to a command given on the command line.
  const positionals = cli.positionals.length > 0 ? cli.positionals : env?.positionals ?? [];

  const debug = flag("debug");
  // Decision 14 in docs/migration.md: --task has the same implications wherever it was given.
  const task = flag("task");
  const createUser = value("createUser");
  const levelText = value("logLevel");
  const options: ChaperoneOptions = {
    config: value("config") ?? "/etc/chaperone.d",
    user: createUser === undefined ? value("user") : undefined,
    createUser,
    defaultHome: value("defaultHome"),
    exitkills: flag("exitkills") || task,
    noExitkills: flag("noExitkills"),
    ignoreFailures: flag("ignoreFailures"),
    logLevel: debug
      ? Severity.DEBUG
      : levelText === undefined
      ? undefined
      : parseLogLevel(levelText),
    noConsoleLog: flag("noConsoleLog") || (task && !debug),
    debug,
    force: flag("force"),
    disableServices: flag("disableServices") || task,
    noDefaults,
    noSyslog: flag("noSyslog"),
    showDependencies: flag("showDependencies"),
    task,
    command: positionals[0],
    args: positionals.slice(1),
  };
  if (task && options.command === undefined) {
    throw new UsageError("--task can only be used if a shell command is specified as an argument");
  }
  return { kind: "run", options };
}
