/**
 * Runs the real program as PID 1 of a fresh PID + mount namespace with a private tmpfs /dev,
 * the way a container runtime starts an ENTRYPOINT (needs root). Tests drive it from outside:
 * read its output, send it signals, run commands inside its namespaces (ctl, logger, ps).
 */
import { SIGNALS } from "../../src/process/signals.ts";

const ROOT = new URL("../../", import.meta.url).pathname.replace(/\/$/, "");
/** The launcher that runs main.ts with the compile task's flags. */
export const CHAPERONE = `${ROOT}/scripts/chaperone`;
/** The repository root. */
export const REPO = ROOT;

/** True when black-box PID 1 tests can run here (root with unshare). */
export const canRunAsPid1: boolean = (() => {
  try {
    return Deno.uid() === 0 &&
      new Deno.Command("unshare", { args: ["--version"], stdout: "null", stderr: "null" })
        .outputSync().success;
  } catch {
    return false;
  }
})();

const SETUP_DEV = `
set -e
mount -t tmpfs -o mode=0755,size=4m,nosuid nsdev /dev
# Each node once: a run on a loaded machine once found /dev/null there already ("File exists").
mk() { [ -e "/dev/$1" ] || mknod -m 666 "/dev/$1" c "$2" "$3"; }
mk null 1 3; mk zero 1 5; mk full 1 7; mk random 1 8; mk urandom 1 9; mk tty 5 0
mkdir -p /dev/pts /dev/shm; mount -t tmpfs -o mode=1777,size=16m shm /dev/shm
mount -t devpts -o newinstance,ptmxmode=0666,mode=620 devpts /dev/pts && ln -s pts/ptmx /dev/ptmx || true
ln -s /proc/self/fd /dev/fd
ln -s /proc/self/fd/0 /dev/stdin; ln -s /proc/self/fd/1 /dev/stdout; ln -s /proc/self/fd/2 /dev/stderr
exec "$@"
`;

/** Options for startPid1(). */
export interface Pid1Options {
  /** Extra environment (merged over a small clean one). */
  env?: Record<string, string>;
  /** Working directory. */
  cwd?: string;
  /** Program to run as PID 1 instead of the launcher (argv[0]). */
  program?: string;
}

/** A running PID 1 program. */
export class Pid1 {
  #child: Deno.ChildProcess;
  #out = "";
  #err = "";
  #pumps: Promise<void>[];
  #hostPid: number | undefined;
  /** Resolves with the exit code (128+n when killed by signal n). */
  readonly exited: Promise<number>;

  constructor(args: string[], options: Pid1Options = {}) {
    const program = options.program ?? CHAPERONE;
    this.#child = new Deno.Command("unshare", {
      args: [
        "--pid",
        "--fork",
        "--mount",
        "--mount-proc",
        "--propagation",
        "private",
        "--",
        "/bin/bash",
        "-c",
        SETUP_DEV,
        "pid1",
        program,
        ...args,
      ],
      env: {
        PATH: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        HOME: Deno.env.get("HOME") ?? "/root",
        DENO_DIR: Deno.env.get("DENO_DIR") ?? `${Deno.env.get("HOME") ?? "/root"}/.cache/deno`,
        NO_COLOR: "1",
        ...options.env,
      },
      clearEnv: true,
      cwd: options.cwd ?? "/",
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const pump = async (s: ReadableStream<Uint8Array>, which: "out" | "err") => {
      const dec = new TextDecoder();
      for await (const chunk of s) {
        const text = dec.decode(chunk, { stream: true });
        if (which === "out") this.#out += text;
        else this.#err += text;
      }
    };
    this.#pumps = [pump(this.#child.stdout, "out"), pump(this.#child.stderr, "err")];
    this.exited = this.#child.status.then(async (st) => {
      await Promise.allSettled(this.#pumps);
      return st.signal ? 128 + signalNumber(st.signal) : st.code;
    });
  }

  /** Everything written to stdout so far. */
  get stdout(): string {
    return this.#out;
  }

  /** Everything written to stderr so far. */
  get stderr(): string {
    return this.#err;
  }

  /** Both streams, for assertion messages. */
  get output(): string {
    return `--- stdout ---\n${this.#out}\n--- stderr ---\n${this.#err}`;
  }

  /** The host pid of the namespace's PID 1 (our program). */
  async hostPid(timeoutMs = 5000): Promise<number> {
    if (this.#hostPid !== undefined) return this.#hostPid;
    const pid = await waitFor(() => {
      try {
        const kids = Deno.readTextFileSync(
          `/proc/${this.#child.pid}/task/${this.#child.pid}/children`,
        )
          .trim();
        return kids ? Number(kids.split(/\s+/)[0]) : undefined;
      } catch {
        return undefined;
      }
    }, { timeoutMs, what: "the namespace's PID 1" });
    this.#hostPid = pid;
    return pid;
  }

  /** Sends a signal to PID 1 (as `docker stop` / `kill` would). */
  async kill(signal: Deno.Signal = "SIGTERM"): Promise<void> {
    Deno.kill(await this.hostPid(), signal);
  }

  /** Runs a command inside the namespaces (sees the private /dev and the namespace's /proc). */
  async exec(
    argv: string[],
    options: { env?: Record<string, string>; stdin?: string; timeoutMs?: number } = {},
  ): Promise<{ code: number; stdout: string; stderr: string }> {
    const pid = await this.hostPid();
    const cmd = new Deno.Command("nsenter", {
      args: ["--target", String(pid), "--mount", "--pid", "--", ...argv],
      env: { NO_COLOR: "1", ...options.env },
      stdin: options.stdin !== undefined ? "piped" : "null",
      stdout: "piped",
      stderr: "piped",
    });
    const child = cmd.spawn();
    if (options.stdin !== undefined) {
      const w = child.stdin.getWriter();
      await w.write(new TextEncoder().encode(options.stdin));
      await w.close();
    }
    const timer = setTimeout(() => {
      try {
        child.kill("SIGKILL");
      } catch {
        // gone
      }
    }, options.timeoutMs ?? 20_000);
    const out = await child.output();
    clearTimeout(timer);
    const dec = new TextDecoder();
    return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
  }

  /** Runs `chaperone ctl ...` inside the namespace. */
  ctl(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    return this.exec([CHAPERONE, "ctl", ...args]);
  }

  /** Waits until stdout+stderr match. */
  async waitForOutput(pattern: RegExp | string, timeoutMs = 15_000): Promise<void> {
    await waitFor(
      () => (match(this.#out, pattern) || match(this.#err, pattern)) ? true : undefined,
      { timeoutMs, what: `output matching ${pattern}`, detail: () => this.output },
    );
  }

  /** Waits for the exit code, killing everything if it takes too long. */
  async waitExit(timeoutMs = 30_000): Promise<number> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        this.forceKill();
        reject(new Error(`PID 1 did not exit within ${timeoutMs} ms\n${this.output}`));
      }, timeoutMs);
    });
    try {
      return await Promise.race([this.exited, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Kills the whole namespace (SIGKILL to PID 1 takes every process in it down). */
  forceKill(): void {
    try {
      if (this.#hostPid !== undefined) Deno.kill(this.#hostPid, "SIGKILL");
      this.#child.kill("SIGKILL");
    } catch {
      // Already gone.
    }
  }

  /** Ends the run whatever its state, and waits for it (for `finally` blocks). */
  async dispose(): Promise<void> {
    // Killing unshare alone leaves the namespace's PID 1 running (and holding our pipes), so
    // find it first when nothing asked for it yet.
    if (this.#hostPid === undefined) await this.hostPid(1000).catch(() => {});
    this.forceKill();
    await this.exited.catch(() => {});
  }
}

function match(text: string, pattern: RegExp | string): boolean {
  return typeof pattern === "string" ? text.includes(pattern) : pattern.test(text);
}

/** A path inside the namespace of `hostPid`, reached from the host through /proc/PID/root. */
export function nsPath(hostPid: number, path: string): string {
  return `/proc/${hostPid}/root${path}`;
}

/** Starts the program as PID 1 with these arguments. */
export function startPid1(args: string[], options: Pid1Options = {}): Pid1 {
  return new Pid1(args, options);
}

/** Polls `probe` until it returns a value other than undefined, or throws at the deadline. */
export async function waitFor<T>(
  probe: () => T | undefined | Promise<T | undefined>,
  options: { timeoutMs?: number; what?: string; detail?: () => string } = {},
): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 10_000);
  let delay = 10;
  while (true) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) {
      throw new Error(
        `timed out waiting for ${options.what ?? "condition"}${
          options.detail ? `\n${options.detail()}` : ""
        }`,
      );
    }
    await new Promise((r) => setTimeout(r, delay));
    delay = Math.min(delay * 2, 100);
  }
}

/** Writes files into a fresh temp directory: { "chaperone.d/10-a.conf": "..." }. */
export async function tempTree(files: Record<string, string>): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "chaperone-test-" });
  for (const [rel, text] of Object.entries(files)) {
    const path = `${dir}/${rel}`;
    await Deno.mkdir(path.slice(0, path.lastIndexOf("/")), { recursive: true });
    await Deno.writeTextFile(path, text);
    if (rel.endsWith(".sh")) await Deno.chmod(path, 0o755);
  }
  return dir;
}

function signalNumber(name: string): number {
  return SIGNALS[name] ?? 0;
}
