/**
 * The socket checks of `chaperone selftest` (docs/docker.md, "selftest"): where a run would put
 * its sockets and whether that directory is writable for the user Chaperone runs as; the
 * syslog socket created with the run's own listener and receiving a message; the control
 * socket served by the run's own server and answering a request.
 *
 * Writability is asked with access(2), not by creating a file, so that nothing outside the
 * selftest's temporary directory is touched; the only exception is the syslog socket itself
 * when it does not exist yet (created, tested and removed). An existing one is never removed:
 * the test then uses a socket in the temporary directory.
 */
import { dirname } from "../text/posix_path.ts";
import type { LogRecord } from "../log/record.ts";
import { listenSyslog } from "../syslog/listener.ts";
import { serveControl } from "../control/server.ts";
import { sendControl } from "../control/client.ts";
import { W_OK, X_OK } from "../sys/constants.ts";
import { lastError } from "../sys/errno.ts";
import { libc } from "../sys/libc.ts";
import { pathExists } from "./path_exists.ts";
import { type RuntimePaths, runtimePaths } from "./runtime_paths.ts";
import { until } from "./selftest_wait.ts";
import { fail, ok, skip, type Verdict } from "./selftest_row.ts";
import { errorMessage } from "../text/error_message.ts";

/** How long a message or a reply may take. */
const REPLY_MS = 5_000;

/** Why the current user cannot create files in `dir` (access(2)), or undefined when it can. */
export function notWritable(dir: string): string | undefined {
  if (libc().access(new TextEncoder().encode(`${dir}\0`), W_OK | X_OK) === 0) return undefined;
  return lastError().message;
}

const RUNTIME_ADVICE =
  "run as root, or mount a writable tmpfs on /tmp (docker run --tmpfs /tmp), or set XDG_RUNTIME_DIR to a directory this user can write";

/** Where a run puts its sockets, and whether it can. */
export interface RuntimeCheck {
  readonly verdict: Verdict;
  readonly paths: RuntimePaths;
  /** The sockets' directory exists or can be created. */
  readonly usable: boolean;
}

/** The run's choice of /dev or the per-user runtime directory (run.ts), and its writability. */
export function checkRuntimeDir(pid1: boolean): RuntimeCheck {
  const devProblem = notWritable("/dev");
  // As in run.ts: off PID 1, a host's /dev/log is never taken over.
  const devWritable = devProblem === undefined && (pid1 || !pathExists("/dev/log"));
  const paths = runtimePaths({ devWritable });
  const dir = paths.runtimeDir;
  if (dir === undefined) {
    return { verdict: ok("/dev is writable: sockets go to /dev"), paths, usable: true };
  }
  const why = devProblem === undefined
    ? "/dev/log belongs to the host's syslog"
    : `/dev is not writable (${devProblem})`;
  const uid = Deno.uid() ?? 0;
  let info: Deno.FileInfo | undefined;
  try {
    info = Deno.lstatSync(dir);
  } catch {
    // Missing: it would be created in its nearest existing parent.
  }
  let problem: string | undefined;
  if (info !== undefined) {
    if (!info.isDirectory) problem = `${dir} is not a directory`;
    else if (info.uid !== uid) problem = `${dir} belongs to uid ${info.uid}, not ${uid}`;
    else {
      const denied = notWritable(dir);
      if (denied !== undefined) problem = `${dir}: ${denied}`;
    }
  } else {
    let parent = dirname(dir);
    while (parent !== "/" && !pathExists(parent)) parent = dirname(parent);
    const denied = notWritable(parent);
    if (denied !== undefined) problem = `${dir} cannot be created in ${parent}: ${denied}`;
  }
  if (problem !== undefined) {
    return { verdict: fail(`${why}, and ${problem}`, RUNTIME_ADVICE), paths, usable: false };
  }
  return {
    verdict: ok(`${why}: sockets go to ${dir} (uid ${uid})`),
    paths,
    usable: true,
  };
}

/**
 * The syslog socket: created with the run's listener where the run would create it (unless
 * something is there already, or its directory does not exist yet: then in `tmp`), sent one
 * datagram, which must arrive as a parsed record.
 */
export async function checkSyslog(runtime: RuntimeCheck, tmp: string): Promise<Verdict> {
  if (!runtime.usable) return skip("the sockets' directory is not usable (see above)");
  const wanted = runtime.paths.syslogSocket;
  let path = wanted;
  let note = "";
  if (pathExists(wanted)) {
    path = `${tmp}/log`;
    note = ` (${wanted} exists, left alone; a run replaces it)`;
  } else if (!pathExists(dirname(wanted))) {
    path = `${tmp}/log`;
    note = ` (${dirname(wanted)} does not exist yet)`;
  }
  const nonce = `selftest-${crypto.randomUUID()}`;
  const received: LogRecord[] = [];
  let listener: ReturnType<typeof listenSyslog>;
  try {
    listener = listenSyslog(path, { write: (r) => received.push(r) });
  } catch (err) {
    return fail(
      `cannot create the syslog socket ${path}: ${errorMessage(err)}`,
      "give chaperone's user a writable /dev (run as root), or run with --no-syslog",
    );
  }
  let client: Deno.DatagramConn | undefined;
  try {
    client = Deno.listenDatagram({ transport: "unixpacket", path: `${tmp}/syslog-client` });
    await client.send(
      new TextEncoder().encode(`<14>chaperone-selftest[${Deno.pid}]: ${nonce}`),
      { transport: "unixpacket", path },
    );
    const arrived = await until(() => received.some((r) => r.rest.endsWith(nonce)), REPLY_MS);
    if (!arrived) {
      return fail(
        `a message sent to ${path} was not received within ${REPLY_MS / 1000} s`,
        "the syslog socket does not deliver datagrams: check seccomp and security profiles",
      );
    }
    return ok(`${path} received a message${note}`);
  } catch (err) {
    return fail(
      `cannot send to ${path}: ${errorMessage(err)}`,
      "the syslog socket refuses datagrams: check its permissions and security profiles",
    );
  } finally {
    client?.close();
    await listener.close();
  }
}

/** The control socket, served in `tmp` by the run's server, answers a request. */
export async function checkControl(runtime: RuntimeCheck, tmp: string): Promise<Verdict> {
  const path = `${tmp}/chaperone.sock`;
  let server: ReturnType<typeof serveControl>;
  try {
    server = serveControl({ socketPath: path }, {
      handle: () => Promise.resolve({ ok: true, text: "selftest" }),
    });
  } catch (err) {
    return fail(
      `cannot create a control socket in ${tmp}: ${errorMessage(err)}`,
      "Unix stream sockets are refused: check seccomp and security profiles",
    );
  }
  try {
    const reply = await sendControl(path, { cmd: "health" }, { timeoutMs: REPLY_MS });
    if (reply.ok && reply.text === "selftest") {
      return ok(
        `a control socket answered a request (a run serves ${runtime.paths.controlSocket})`,
      );
    }
    return fail(
      `the control socket gave an unexpected reply: ${JSON.stringify(reply)}`,
      "report this as a bug",
    );
  } catch (err) {
    return fail(
      `the control socket did not answer: ${errorMessage(err)}`,
      "Unix stream sockets do not work here: check seccomp and security profiles",
    );
  } finally {
    await server.close();
  }
}
