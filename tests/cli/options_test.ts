import assert from "node:assert/strict";
import {
  type ChaperoneOptions,
  killSwitch,
  parseCommandLine,
  USAGE,
  VERSION_TEXT,
} from "../../src/cli/options.ts";
import denoJson from "../../deno.json" with { type: "json" };
import { UsageError } from "../../src/text/usage_error.ts";

const DEFAULTS: ChaperoneOptions = {
  config: "/etc/chaperone.d",
  user: undefined,
  createUser: undefined,
  defaultHome: undefined,
  exitkills: false,
  noExitkills: false,
  ignoreFailures: false,
  logLevel: undefined,
  noConsoleLog: false,
  debug: false,
  force: false,
  disableServices: false,
  noDefaults: false,
  noSyslog: false,
  showDependencies: false,
  task: false,
  command: undefined,
  args: [],
};

/** Parses and returns the options of a `run` result, failing on any other kind. */
function run(argv: string[], chapOptions?: string): ChaperoneOptions {
  const result = parseCommandLine(argv, { chapOptions });
  assert.equal(result.kind, "run");
  return result.kind === "run" ? result.options : DEFAULTS;
}

interface RunCase {
  readonly argv: string[];
  readonly env?: string;
  /** Options that differ from DEFAULTS. */
  readonly expect: Partial<ChaperoneOptions>;
}

const RUN_CASES: readonly RunCase[] = [
  { argv: [], expect: {} },
  { argv: ["--config=/x"], expect: { config: "/x" } },
  { argv: ["--config", "/x"], expect: { config: "/x" } },
  { argv: ["--conf", "etc/app.d"], expect: { config: "etc/app.d" } },
  { argv: ["--config=a=b"], expect: { config: "a=b" } },
  { argv: ["--config", "-x"], expect: { config: "-x" } },
  { argv: ["--user=bob"], expect: { user: "bob" } },
  { argv: ["--user", "1000"], expect: { user: "1000" } },
  { argv: ["--create-user", "bob:1000:staff"], expect: { createUser: "bob:1000:staff" } },
  {
    argv: ["--create", "bob:/home/x", "--default-home", "/tmp/h"],
    expect: { createUser: "bob:/home/x", defaultHome: "/tmp/h" },
  },
  { argv: ["--default-home=/h"], expect: { defaultHome: "/h" } },
  { argv: ["--exitkills"], expect: { exitkills: true } },
  { argv: ["--exit"], expect: { exitkills: true } },
  { argv: ["--no-exitkills"], expect: { noExitkills: true } },
  { argv: ["--no-e"], expect: { noExitkills: true } },
  { argv: ["--ignore-failures"], expect: { ignoreFailures: true } },
  { argv: ["--ig"], expect: { ignoreFailures: true } },
  { argv: ["--log-level=info"], expect: { logLevel: 6 } },
  { argv: ["--log-level", "WARNING"], expect: { logLevel: 4 } },
  { argv: ["--log-level=error"], expect: { logLevel: 3 } },
  { argv: ["--log-level=emerg"], expect: { logLevel: 0 } },
  { argv: ["--log=Debug"], expect: { logLevel: 7 } },
  { argv: ["--no-console-log"], expect: { noConsoleLog: true } },
  { argv: ["--debug"], expect: { debug: true, logLevel: 7 } },
  { argv: ["--deb", "--log-level=err"], expect: { debug: true, logLevel: 7 } },
  { argv: ["--force"], expect: { force: true } },
  { argv: ["--disable-services", "sh"], expect: { disableServices: true, command: "sh" } },
  { argv: ["--no-defaults"], expect: { noDefaults: true } },
  { argv: ["--no-syslog"], expect: { noSyslog: true } },
  { argv: ["--show-dependencies"], expect: { showDependencies: true } },
  { argv: ["--show"], expect: { showDependencies: true } },
  {
    argv: ["--task", "/bin/true"],
    expect: {
      task: true,
      disableServices: true,
      exitkills: true,
      noConsoleLog: true,
      command: "/bin/true",
    },
  },
  {
    argv: ["--task", "--debug", "/bin/true"],
    expect: {
      task: true,
      debug: true,
      logLevel: 7,
      disableServices: true,
      exitkills: true,
      command: "/bin/true",
    },
  },
  {
    argv: ["--debug", "/bin/ls", "-l"],
    expect: { debug: true, logLevel: 7, command: "/bin/ls", args: ["-l"] },
  },
  { argv: ["/bin/ls", "--debug", "-h"], expect: { command: "/bin/ls", args: ["--debug", "-h"] } },
  { argv: ["--", "--weird", "x"], expect: { command: "--weird", args: ["x"] } },
  { argv: ["-"], expect: { command: "-" } },
  {
    argv: ["--force", "--", "ctl", "status"],
    expect: { force: true, command: "ctl", args: ["status"] },
  },
  // _CHAP_OPTIONS merging (docs/command-line.md).
  { argv: [], env: "--debug", expect: { debug: true, logLevel: 7 } },
  { argv: [], env: "", expect: {} },
  { argv: [], env: "   ", expect: {} },
  { argv: [], env: "--config /env", expect: { config: "/env" } },
  { argv: ["--config", "/cli"], env: "--config /env", expect: { config: "/cli" } },
  { argv: ["--user", "a"], env: "--user b", expect: { user: "a" } },
  {
    argv: ["--force"],
    env: "--no-syslog --log-level=crit",
    expect: { force: true, noSyslog: true, logLevel: 2 },
  },
  { argv: ["--log-level=info"], env: "--log-level=crit", expect: { logLevel: 6 } },
  { argv: [], env: "/bin/bash -l", expect: { command: "/bin/bash", args: ["-l"] } },
  {
    argv: [],
    env: "--debug '/bin/my prog' 'a b'",
    expect: { debug: true, logLevel: 7, command: "/bin/my prog", args: ["a b"] },
  },
  // A default command's arguments never attach to a command given on the command line.
  { argv: ["/bin/ls"], env: "/bin/bash -l", expect: { command: "/bin/ls" } },
  { argv: [], env: "ctl status", expect: { command: "ctl", args: ["status"] } },
  { argv: ["--create-user", "bob"], env: "--user alice", expect: { createUser: "bob" } },
  { argv: ["--user", "alice"], env: "--create-user bob", expect: { createUser: "bob" } },
  { argv: ["--no-exitkills"], env: "--exitkills", expect: { exitkills: true, noExitkills: true } },
  {
    argv: ["/bin/echo", "hi"],
    env: "--task",
    expect: {
      task: true,
      disableServices: true,
      exitkills: true,
      noConsoleLog: true,
      command: "/bin/echo",
      args: ["hi"],
    },
  },
  {
    argv: ["--debug", "/bin/echo"],
    env: "--task",
    expect: {
      task: true,
      debug: true,
      logLevel: 7,
      disableServices: true,
      exitkills: true,
      command: "/bin/echo",
    },
  },
  { argv: ["--no-defaults"], env: "--bogus 'unbalanced", expect: { noDefaults: true } },
  { argv: ["--no-defaults"], env: "--debug", expect: { noDefaults: true } },
  { argv: [], env: "--no-defaults --force", expect: { force: true } },
  { argv: [], env: "--version", expect: {} },
];

for (const c of RUN_CASES) {
  const label = c.env === undefined ? "" : ` with _CHAP_OPTIONS=${JSON.stringify(c.env)}`;
  Deno.test(`parseCommandLine() resolves ${JSON.stringify(c.argv)}${label}`, () => {
    assert.deepEqual(run(c.argv, c.env), { ...DEFAULTS, ...c.expect });
  });
}

interface ErrorCase {
  readonly argv: string[];
  readonly env?: string;
  readonly message: string | RegExp;
}

const ENV_ERROR = "Error occurred in _CHAP_OPTIONS environment variable: ";

const ERROR_CASES: readonly ErrorCase[] = [
  {
    argv: ["--d"],
    message: "--d is not a unique prefix: --default-home, --debug, --disable-services?",
  },
  { argv: ["--no"], message: /^--no is not a unique prefix: --no-exitkills, --no-console-log, / },
  { argv: ["--bogus"], message: "unknown option --bogus" },
  { argv: ["--bogus", "/bin/ls"], message: "unknown option --bogus" },
  { argv: ["-x"], message: "unknown option -x" },
  { argv: ["--config"], message: "--config requires argument" },
  { argv: ["--config", "--", "sh"], message: "--config requires argument" },
  { argv: ["--config="], message: "--config requires a non-empty argument" },
  { argv: ["--debug=1"], message: "--debug must not have an argument" },
  { argv: ["--debug=1", "--help"], message: "--debug must not have an argument" },
  {
    argv: ["--user", "a", "--create-user", "b"],
    message: "--user and --create-user cannot be used together",
  },
  {
    argv: ["--exitkills", "--no-exitkills"],
    message: "--exitkills and --no-exitkills cannot be used together",
  },
  { argv: ["--debug", "--debug"], message: "--debug is given more than once" },
  { argv: ["--config=/a", "--conf=/b"], message: "--config is given more than once" },
  { argv: ["--log-level=loud"], message: /^--log-level: "loud" is not a log level/ },
  { argv: ["--log-level=*.info"], message: /^--log-level: "\*\.info" is not a log level/ },
  {
    argv: ["--task"],
    message: "--task can only be used if a shell command is specified as an argument",
  },
  {
    argv: [],
    env: "--task",
    message: "--task can only be used if a shell command is specified as an argument",
  },
  {
    argv: ["--debug", "ctl", "status"],
    message: /^"ctl" is a subcommand: give its options after its name/,
  },
  { argv: [], env: "--bogus", message: `${ENV_ERROR}--bogus\nunknown option --bogus` },
  {
    argv: ["--debug"],
    env: "--config",
    message: `${ENV_ERROR}--config\n--config requires argument`,
  },
  {
    argv: [],
    env: "--debug 'unbalanced",
    message: `${ENV_ERROR}--debug 'unbalanced\nNo closing quotation`,
  },
  {
    argv: [],
    env: "--log-level loud",
    message: new RegExp(`^${ENV_ERROR}--log-level loud\n--log-level: "loud"`),
  },
  {
    argv: [],
    env: "--user a --create-user b",
    message:
      `${ENV_ERROR}--user a --create-user b\n--user and --create-user cannot be used together`,
  },
  {
    argv: ["/bin/sh"],
    env: "--help",
    message: `${ENV_ERROR}--help\n--help cannot be given in _CHAP_OPTIONS`,
  },
];

for (const c of ERROR_CASES) {
  const label = c.env === undefined ? "" : ` with _CHAP_OPTIONS=${JSON.stringify(c.env)}`;
  Deno.test(`parseCommandLine() rejects ${JSON.stringify(c.argv)}${label}`, () => {
    assert.throws(
      () => parseCommandLine(c.argv, { chapOptions: c.env }),
      (error: unknown) => {
        assert.ok(error instanceof UsageError);
        if (typeof c.message === "string") assert.equal(error.message, c.message);
        else assert.match(error.message, c.message);
        return true;
      },
    );
  });
}

const HELP_CASES: readonly string[][] = [
  ["-h"],
  ["--help"],
  ["--debug", "--help", "/bin/ls"],
  ["--bogus", "--help"],
  ["-h", "--bogus"],
  ["--help", "ctl"],
  ["-hx", "--bogus"],
];

for (const argv of HELP_CASES) {
  Deno.test(`parseCommandLine() returns the help text for ${JSON.stringify(argv)}`, () => {
    assert.deepEqual(parseCommandLine(argv, { chapOptions: "--bogus" }), {
      kind: "help",
      text: USAGE,
    });
  });
}

Deno.test("parseCommandLine() leaves --help after the command to the command", () => {
  assert.deepEqual(run(["/bin/ls", "--help"]), {
    ...DEFAULTS,
    command: "/bin/ls",
    args: ["--help"],
  });
});

Deno.test("parseCommandLine() returns the version text for --version and its prefixes", () => {
  for (const argv of [["--version"], ["--vers", "--debug"], ["--force", "--version", "sh"]]) {
    assert.deepEqual(parseCommandLine(argv, { argv0: "/usr/local/bin/chaperone" }), {
      kind: "version",
      text: VERSION_TEXT("/usr/local/bin/chaperone"),
    });
  }
});

Deno.test("VERSION_TEXT() names the program's basename and our version", () => {
  assert.equal(
    VERSION_TEXT("/usr/local/bin/chaperone"),
    `\nThis is 'chaperone' version ${denoJson.version}.\n\n` +
      "Documentation and source is available at http://github.com/garywiz/chaperone.\n" +
      "Licensed under the Apache License, Version 2.0.\n",
  );
  assert.match(VERSION_TEXT("chap"), /^\nThis is 'chap' version \d+\.\d+\.\d+\.\n/);
});

Deno.test("parseCommandLine() returns a subcommand with its own arguments untouched", () => {
  const cases: [string[], string, string[]][] = [
    [["ctl", "status", "--json"], "ctl", ["status", "--json"]],
    [["check", "--config", "/x"], "check", ["--config", "/x"]],
    [["envcp", "--strip", ".tpl", "a.tpl"], "envcp", ["--strip", ".tpl", "a.tpl"]],
    [["sdnotify", "READY=1"], "sdnotify", ["READY=1"]],
    [["sdnotify-exec", "--wait-stop", "sh"], "sdnotify-exec", ["--wait-stop", "sh"]],
  ];
  for (const [argv, name, args] of cases) {
    // _CHAP_OPTIONS belongs to the supervisor run: an invalid one does not affect subcommands.
    assert.deepEqual(parseCommandLine(argv, { chapOptions: "--bogus" }), {
      kind: "subcommand",
      name,
      args,
    });
  }
});

Deno.test("killSwitch() follows --exitkills, then --no-exitkills, then the TTY", () => {
  const cases: [Partial<ChaperoneOptions>, boolean, boolean][] = [
    [{}, false, false],
    [{}, true, true],
    [{ exitkills: true }, false, true],
    [{ noExitkills: true }, true, false],
    [{ noExitkills: true }, false, false],
    [{ exitkills: true, noExitkills: true }, true, true],
    [{ exitkills: true, noExitkills: true }, false, true],
  ];
  for (const [options, tty, expected] of cases) {
    assert.equal(
      killSwitch({ ...DEFAULTS, ...options }, tty),
      expected,
      JSON.stringify([options, tty]),
    );
  }
});

Deno.test("USAGE names _CHAP_OPTIONS and the real --create-user format", () => {
  assert.match(USAGE, /_CHAP_OPTIONS/);
  assert.doesNotMatch(USAGE, /CHAPERONE_OPTIONS/);
  assert.match(USAGE, /name\[:\/path\]\[:uid\]\[:gid\]/);
  assert.doesNotMatch(USAGE, /name\/uid/);
  for (
    const option of [
      "--config",
      "--user",
      "--create-user",
      "--default-home",
      "--exitkills",
      "--no-exitkills",
      "--ignore-failures",
      "--log-level",
      "--no-console-log",
      "--debug",
      "--force",
      "--disable-services",
      "--no-defaults",
      "--no-syslog",
      "--version",
      "--show-dependencies",
      "--task",
    ]
  ) {
    assert.match(USAGE, new RegExp(`\\n {4}${option}[ =]`), option);
  }
});
