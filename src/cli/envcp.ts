/**
 * `chaperone envcp` (and `envcp`): copies text files, expanding Chaperone's `$(...)` expressions
 * against the process environment as it goes (docs/command-line.md, "Utilities"). Like the
 * original, every message goes to stdout and any error exits 1. Decision 14 in docs/migration.md:
 * `--strip SUFFIX` removes that suffix from the destination name, not a trailing set of characters.
 * Long options may be abbreviated (`--xgroup` for `--xgrouping`), as the original's docopt allowed.
 */
import { expandWithVars, ExpansionError } from "../config/expand.ts";
import { type CommandOutput, processOutput } from "./ctl.ts";
import { VERSION_TEXT } from "./options.ts";
import { parseUtilityArgs } from "./utility_args.ts";
import { isDirWritable } from "./runtime_paths.ts";
import { pathExists } from "./path_exists.ts";
import { errorMessage } from "../text/error_message.ts";

/** Usage text of `chaperone envcp`. */
export const ENVCP_USAGE = `Usage: chaperone envcp [options] FILE ...

Copies a file to a destination file (two arguments), or any number of files to a destination
directory, expanding $(VAR) and \${VAR} from the environment as it copies. "-" as the only FILE
copies stdin to stdout.

Options:
  --strip SUFFIX     If the destination is a directory, remove SUFFIX from the copied names.
  --overwrite        Overwrite destination files rather than exiting with an error.
  -v, --verbose      Print each copy as it is made.
  -a, --archive      Keep owner, group, mode and times of the source where permitted.
  --shell-enable     Run shell escapes written as $(\`command\`).
  --xprefix STR      The string that starts an expansion (default "$").
  --xgrouping CHARS  Brackets that may follow the prefix, any of "({[" (default "({").
  --version          Print the version and exit.

Long options may be abbreviated to any unambiguous prefix (--xgroup for --xgrouping).`;

/** Options for envcpCommand(). */
export interface EnvcpOptions {
  /** Output (default: the process's stdout and stderr; envcp uses stdout for everything). */
  output?: CommandOutput;
  /** Variables to expand (default: the process environment). */
  env?: Readonly<Record<string, string>>;
  /** Input for `-` (default: the process's stdin). */
  stdin?: ReadableStream<Uint8Array>;
}

/** envcp's options (exported for the tests of the option reader, which uses them as they are). */
export const ENVCP_FLAGS = {
  strip: { type: "string" },
  overwrite: { type: "boolean" },
  verbose: { type: "boolean", short: "v" },
  archive: { type: "boolean", short: "a" },
  "shell-enable": { type: "boolean" },
  xprefix: { type: "string" },
  xgrouping: { type: "string" },
  help: { type: "boolean", short: "h" },
  version: { type: "boolean" },
} as const;

/** A failure that ends envcp with exit 1 after printing `error: <message>`. */
class EnvcpError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "EnvcpError";
  }
}

function isDirectory(path: string): boolean {
  try {
    return Deno.statSync(path).isDirectory;
  } catch {
    return false;
  }
}

function isReadable(path: string): boolean {
  try {
    Deno.openSync(path, { read: true }).close();
    return true;
  } catch {
    return false;
  }
}

function basename(path: string): string {
  const trimmed = path.replace(/\/+$/, "");
  return trimmed.slice(trimmed.lastIndexOf("/") + 1);
}

function absolute(path: string): string {
  const joined = path.startsWith("/") ? path : `${Deno.cwd()}/${path}`;
  // Like os.path.abspath: collapse ".", ".." and repeated slashes.
  const parts: string[] = [];
  for (const part of joined.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") parts.pop();
    else parts.push(part);
  }
  return "/" + parts.join("/");
}

/** Copies mode, owner and times where permitted, as the original's `--archive` does. */
function copyAttributes(source: Deno.FileInfo, dest: string): void {
  const attempt = (fn: () => void) => {
    try {
      fn();
    } catch (error) {
      if (!(error instanceof Deno.errors.PermissionDenied)) throw error;
    }
  };
  try {
    Deno.chownSync(dest, source.uid, source.gid);
  } catch (error) {
    if (!(error instanceof Deno.errors.PermissionDenied)) throw error;
    // Owner and group separately: a user may still give away the group they belong to.
    attempt(() => Deno.chownSync(dest, source.uid, null));
    attempt(() => Deno.chownSync(dest, null, source.gid));
  }
  if (source.mode !== null) attempt(() => Deno.chmodSync(dest, source.mode! & 0o7777));
  if (source.mtime !== null) {
    attempt(() => Deno.utimeSync(dest, source.atime ?? source.mtime!, source.mtime!));
  }
}

async function readAll(stream: ReadableStream<Uint8Array>): Promise<string> {
  return await new Response(stream).text();
}

/** Runs `chaperone envcp <args>`; resolves to the exit status. */
export async function envcpCommand(args: string[], options: EnvcpOptions = {}): Promise<number> {
  const output = options.output ?? processOutput;
  const say = (line: string) => output.out(line + "\n");
  let parsed;
  try {
    parsed = parseUtilityArgs(args, ENVCP_FLAGS);
  } catch (error) {
    say(`error: ${errorMessage(error)}\n\n${ENVCP_USAGE}`);
    return 1;
  }
  const { values, positionals: files } = parsed;
  if (values.help) {
    say(ENVCP_USAGE);
    return 0;
  }
  if (values.version) {
    say(VERSION_TEXT("envcp"));
    return 0;
  }
  try {
    const openers = values.xgrouping === undefined || values.xgrouping === ""
      ? undefined
      : values.xgrouping;
    if (openers !== undefined && [...openers].some((c) => !"{([".includes(c))) {
      throw new EnvcpError(
        `--xgrouping can accept one or more of '{', '[', or '(' only.  Not this: '${openers}'.`,
      );
    }
    const vars = options.env ?? Deno.env.toObject();
    const expand = (text: string) =>
      expandWithVars(text, vars, {
        // The original inserts variable values without expanding them again (docs/environment.md,
        // "Utilities").
        raw: true,
        backticks: values["shell-enable"] === true,
        onError: (message) => say(`error: ${message}`),
        ...(values.xprefix !== undefined && values.xprefix !== ""
          ? { prefix: values.xprefix }
          : {}),
        ...(openers !== undefined ? { openers } : {}),
      });

    if (files.includes("-")) {
      if (files.length > 1) {
        throw new EnvcpError(
          "'-' for stdin/stdout cannot be combined with other filename arguments",
        );
      }
      const text = await readAll(options.stdin ?? Deno.stdin.readable);
      output.out(expand(text));
      return 0;
    }
    if (files.length < 2) throw new EnvcpError("must include two or more filename arguments");

    const last = files[files.length - 1]!;
    const destDir = absolute(last);
    const pairs: { source: string; dest: string }[] = [];
    if (isDirectory(destDir)) {
      if (!isDirWritable(destDir)) say(`error: directory ${destDir} exists but is not writable`);
      for (const source of files.slice(0, -1)) {
        let name = basename(source);
        if (values.strip && name.endsWith(values.strip)) {
          name = name.slice(0, -values.strip.length);
        }
        pairs.push({ source, dest: `${destDir === "/" ? "" : destDir}/${name}` });
      }
    } else if (files.length !== 2) {
      throw new EnvcpError("destination is not a directory and more than 2 files specified");
    } else {
      pairs.push({ source: files[0]!, dest: last });
    }

    // Every check happens before the first copy, so a refused run leaves nothing half done.
    for (const { dest } of pairs) {
      if (pathExists(dest) && !values.overwrite) {
        throw new EnvcpError(`file ${dest} exists, won't overwrite`);
      }
    }
    for (const { source } of pairs) {
      if (!pathExists(source)) throw new EnvcpError(`file does not exist, ${source}`);
      if (!isReadable(source)) throw new EnvcpError(`file is not readable, ${source}`);
    }

    for (const { source, dest } of pairs) {
      let text: string;
      let info: Deno.FileInfo;
      try {
        info = Deno.statSync(source);
        text = Deno.readTextFileSync(source);
      } catch (error) {
        throw new EnvcpError(`cannot open input file ${source}: ${errorMessage(error)}`);
      }
      const expanded = expand(text);
      try {
        Deno.writeTextFileSync(dest, expanded);
      } catch (error) {
        throw new EnvcpError(`cannot open output file ${dest}: ${errorMessage(error)}`);
      }
      if (values.archive) copyAttributes(info, dest);
      if (values.verbose) say(`envcp ${source} ${dest}`);
    }
    return 0;
  } catch (error) {
    if (error instanceof EnvcpError || error instanceof ExpansionError) {
      say(`error: ${error.message}`);
      return 1;
    }
    throw error;
  }
}
