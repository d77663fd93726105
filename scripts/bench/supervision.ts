/**
 * Issues 3 and 15's supervision benchmark: Chaperone from source (main.ts) and as one bundle
 * (`deno bundle --platform deno` of main.ts, the stand-in for the compiled binary), both run by
 * the pinned Deno with the binary's flags (scripts/runtime-flags), s6 (`s6-svscan`) and
 * supervisord, each as PID 1 of its own PID + mount namespace with a private /dev
 * (tests/_helpers/pid1.ts), running the same services:
 * scripts/bench/supervision_service.c compiled here with gcc, one process per service that
 * reports "up", "done" and "term" over a Unix datagram socket the bench reads, so every figure
 * comes from what the services themselves saw, stamped on arrival without polling.
 *
 * Every supervisor is started through the service program's launch mode, which reports
 * "launch" and then execs it: "launch" is that exec, so the namespace's set-up (unshare, the
 * private /dev) is not counted for anyone. For each N in --sizes (independent long-running
 * services): time from launch until the first service ran (the supervisor's own boot) and until
 * all N run; the supervisor's CPU time until then; its CPU time over --idle-seconds once
 * settled; VmRSS and VmHWM of PID 1, its resident memory split into anonymous and file-backed
 * pages (/proc/<pid>/smaps_rollup: the runtime's executable is file-backed, the heap anonymous),
 * and the proportional set size of the whole supervision tree (s6 has one s6-supervise per
 * service); the cost of each further service (the growth of those figures between two sizes);
 * time from SIGTERM until PID 1 has exited, and how many services reported SIGTERM (a service
 * killed by SIGKILL, or by the namespace ending, reports nothing). Then a --chain-deep chain of
 * oneshots, each allowed to start only once the previous one has exited 0.
 *
 * Peers and what they express: s6 services are `run` scripts (execlineb, as s6's author
 * recommends) under one scan directory. s6 without s6-rc has no dependencies; the chain is
 * expressed with s6's own tools: every step but the first has a `down` file, and each step's
 * run script runs the oneshot, marks itself "once" (`s6-svc -O .`) and starts its successor
 * (`s6-svc -o`), which is the start-after-success relation of `after:`. supervisord has only
 * `priority` (an order of spawning that does not wait for anything), so it has no chain figure.
 *
 * The run is bounded: every wait has a deadline, --max-seconds bounds the whole bench, and each
 * namespace is killed (SIGKILL to its PID 1 takes every process in it down) when a run ends.
 * Needs root, unshare, gcc, s6 and supervisor (Debian packages util-linux, gcc, s6, supervisor;
 * as root the bench installs s6 and supervisor with apt-get when they are missing).
 *
 * usage: scripts/deno run -A --unstable-net scripts/bench/supervision.ts [--sizes 10,100,500]
 *        [--chain-deep 100] [--idle-seconds 10] [--runs 1]
 *        [--peers chaperone,chaperone-bundle,s6,supervisord] [--max-seconds 900]
 *        [--chaperone-flags="<extra deno run flags, e.g. --v8-flags=...>"]
 */
import { parseArgs } from "node:util";
import { type Pid1, REPO, startPid1 } from "../../tests/_helpers/pid1.ts";

const here = new URL(".", import.meta.url).pathname;
const enc = new TextEncoder();
const dec = new TextDecoder();
const say = (text: string) => Deno.stdout.writeSync(enc.encode(text + "\n"));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One service as every peer runs it. */
interface ServiceDef {
  id: number;
  /** A oneshot that must wait for the oneshot `after` to have exited 0. */
  oneshot: boolean;
  after?: number;
}

/** How one supervisor is configured and recognised. */
interface Peer {
  name: string;
  /** Writes its configuration for these services into `dir` and returns PID 1's argv. */
  prepare(dir: string, services: ServiceDef[]): Promise<string[]>;
  /** Can it express the oneshot chain? */
  chains: boolean;
}

/** What the services reported, stamped with performance.now() on arrival. */
class Reports {
  #conn: Deno.DatagramConn;
  // Deno cannot send on a socket that a pending receive holds, so markers leave from this one.
  #markConn: Deno.DatagramConn;
  #pump: Promise<void>;
  #waiters: (() => void)[] = [];
  readonly up = new Map<number, number>();
  readonly done = new Map<number, number>();
  readonly term = new Map<number, number>();
  /** "done" ids in arrival order. */
  readonly doneOrder: number[] = [];
  /** When the supervisor under test was exec'd (the launch mode's report). */
  launch: number | undefined;
  #marks = 0;

  constructor(readonly path: string) {
    this.#conn = Deno.listenDatagram({ transport: "unixpacket", path });
    this.#markConn = Deno.listenDatagram({ transport: "unixpacket", path: `${path}.mark` });
    this.#pump = this.#read();
  }

  async #read(): Promise<void> {
    try {
      for await (const [data] of this.#conn) {
        const at = performance.now();
        const [kind, idText] = dec.decode(data).split(" ");
        const id = Number(idText);
        if (kind === "up" && !this.up.has(id)) this.up.set(id, at);
        else if (kind === "done" && !this.done.has(id)) {
          this.done.set(id, at);
          this.doneOrder.push(id);
        } else if (kind === "term" && !this.term.has(id)) this.term.set(id, at);
        else if (kind === "mark") this.#marks++;
        else if (kind === "launch") this.launch ??= at;
        for (const wake of this.#waiters.splice(0)) wake();
      }
    } catch (e) {
      if (!(e instanceof Deno.errors.BadResource)) throw e;
    }
  }

  /** Forgets everything (between runs). */
  clear(): void {
    this.up.clear();
    this.done.clear();
    this.term.clear();
    this.doneOrder.length = 0;
    this.launch = undefined;
  }

  /** Resolves when `ready()` holds, or rejects at the deadline. */
  async until(ready: () => boolean, timeoutMs: number, what: string): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    while (!ready()) {
      const left = deadline - performance.now();
      if (left <= 0) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
      let timer: ReturnType<typeof setTimeout> | undefined;
      await new Promise<void>((wake) => {
        this.#waiters.push(wake);
        timer = setTimeout(wake, Math.min(left, 1000));
      });
      clearTimeout(timer);
    }
  }

  /**
   * Waits until everything sent so far has been read: datagrams on one socket arrive in order,
   * so once our own marker comes back, every report queued before it has been counted.
   */
  async drain(): Promise<void> {
    const want = this.#marks + 1;
    await this.#markConn.send(enc.encode("mark 0"), { transport: "unixpacket", path: this.path });
    await this.until(() => this.#marks >= want, 5000, "the report queue to drain");
  }

  async close(): Promise<void> {
    this.#conn.close();
    this.#markConn.close();
    await this.#pump;
  }
}

// utime + stime of a process in ms (USER_HZ is 100 on Linux), or NaN when it is gone.
function cpuMs(pid: number): number {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return Number.NaN;
  }
}

function statusKiB(pid: number, key: "VmRSS" | "VmHWM"): number {
  try {
    const status = Deno.readTextFileSync(`/proc/${pid}/status`);
    const m = new RegExp(`^${key}:\\s+(\\d+) kB`, "m").exec(status);
    return m ? Number(m[1]) : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

/**
 * A field of /proc/<pid>/smaps_rollup in KiB: `Pss` (proportional set size: shared pages, such
 * as s6-supervise's 500 copies of one binary, counted once), `Rss`, `Anonymous`.
 */
function rollupKiB(pid: number, key: "Pss" | "Rss" | "Anonymous"): number {
  try {
    const text = Deno.readTextFileSync(`/proc/${pid}/smaps_rollup`);
    const m = new RegExp(`^${key}:\\s+(\\d+) kB`, "m").exec(text);
    return m ? Number(m[1]) : Number.NaN;
  } catch {
    return Number.NaN;
  }
}
const pssKiB = (pid: number) => rollupKiB(pid, "Pss");

function comm(pid: number): string {
  try {
    return Deno.readTextFileSync(`/proc/${pid}/comm`).trim();
  } catch {
    return "";
  }
}

function children(pid: number): number[] {
  try {
    const text = Deno.readTextFileSync(`/proc/${pid}/task/${pid}/children`).trim();
    return text ? text.split(/\s+/).map(Number) : [];
  } catch {
    return [];
  }
}

// The supervision tree: PID 1 plus s6's per-service supervisors (the services are not counted).
function supervisionTree(pid1: number): number[] {
  return [pid1, ...children(pid1).filter((p) => comm(p) === "s6-supervise")];
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

/** Figures of one run with N long-running services. */
interface SizeResult {
  readyMs: number;
  /** Launch until the first service ran: the supervisor's own boot. */
  firstMs: number;
  startCpuMs: number;
  idleCpuMs: number;
  rssKiB: number;
  hwmKiB: number;
  /** Anonymous resident pages of PID 1 (heap, stacks); the rest of its RSS is file-backed. */
  anonKiB: number;
  treePssKiB: number;
  treeIdleCpuMs: number;
  stopMs: number;
  graceful: number;
  exitCode: number;
}

/** Figures of one chain run. */
interface ChainResult {
  doneMs: number;
  inOrder: boolean;
}

/**
 * Chaperone run by the pinned Deno (the one running this bench) with the binary's flags, the way
 * `deno compile` bakes them in: `program` is main.ts (the source tree) or the bundle.
 */
function chaperonePeer(name: string, program: () => string): Peer {
  return {
    name,
    chains: true,
    async prepare(dir, services) {
      const lines: string[] = [];
      for (const s of services) {
        lines.push(`s${s.id}.service:`);
        lines.push(`  command: "${svcCommand(dir, s)}"`);
        if (s.oneshot) lines.push("  type: oneshot");
        if (s.after !== undefined) lines.push(`  after: s${s.after}.service`);
      }
      await Deno.mkdir(`${dir}/chaperone.d`);
      await Deno.writeTextFile(`${dir}/chaperone.d/bench.conf`, lines.join("\n") + "\n");
      const flags = (await Deno.readTextFile(`${REPO}/scripts/runtime-flags`)).split("\n")
        .map((l) => l.replace(/#.*/, "").trim()).filter((l) => l !== "");
      return [
        Deno.execPath(),
        "run",
        "--quiet",
        ...flags,
        ...chaperoneFlags,
        "--config",
        `${REPO}/deno.json`,
        program(),
        "--config",
        `${dir}/chaperone.d`,
      ];
    },
  };
}

/** The bundle of main.ts (built once per bench run, in its temp directory). */
let bundlePath = "";

const CHAPERONE_PEER = chaperonePeer("chaperone", () => `${REPO}/main.ts`);
const BUNDLE_PEER = chaperonePeer("chaperone-bundle", () => bundlePath);

const S6_PEER: Peer = {
  name: "s6-svscan",
  chains: true,
  async prepare(dir, services) {
    const scan = `${dir}/scan`;
    await Deno.mkdir(scan);
    for (const s of services) {
      const svc = `${scan}/s${s.id}`;
      await Deno.mkdir(svc);
      let run = `#!/usr/bin/execlineb -P\n${svcCommand(dir, s)}\n`;
      if (s.oneshot) {
        // Run once; on success never restart this step and start the next one once.
        const next = services.find((o) => o.after === s.id);
        run = `#!/usr/bin/execlineb -P\nforeground { s6-svc -O . }\nif { ${svcCommand(dir, s)} }\n${
          next ? `s6-svc -o ../s${next.id}` : "true"
        }\n`;
        if (s.after !== undefined) await Deno.writeTextFile(`${svc}/down`, "");
      }
      await Deno.writeTextFile(`${svc}/run`, run);
      await Deno.chmod(`${svc}/run`, 0o755);
    }
    return ["/usr/bin/s6-svscan", scan];
  },
};

const SUPERVISORD_PEER: Peer = {
  name: "supervisord",
  chains: false,
  async prepare(dir, services) {
    const conf = [
      "[supervisord]",
      "nodaemon=true",
      "user=root",
      `logfile=${dir}/supervisord.log`,
      `pidfile=${dir}/supervisord.pid`,
      `childlogdir=${dir}`,
      "",
    ];
    for (const s of services) {
      conf.push(`[program:s${s.id}]`, `command=${svcCommand(dir, s)}`);
      conf.push("stdout_logfile=NONE", "stderr_logfile=NONE", "autorestart=true", "");
    }
    await Deno.writeTextFile(`${dir}/supervisord.conf`, conf.join("\n"));
    return ["/usr/bin/supervisord", "-c", `${dir}/supervisord.conf`];
  },
};

const PEERS = [CHAPERONE_PEER, BUNDLE_PEER, S6_PEER, SUPERVISORD_PEER];

let serviceBinary = "";
/** Extra `deno run` flags for Chaperone (--chaperone-flags), to try runtime options. */
let chaperoneFlags: string[] = [];
let socketPath = "";

function svcCommand(_dir: string, s: ServiceDef): string {
  return `${serviceBinary} ${socketPath} ${s.id}${s.oneshot ? " oneshot" : ""}`;
}

/** The namespace currently running, so that an interrupted bench can take it down. */
let current: Pid1 | undefined;

async function launch(peer: Peer, services: ServiceDef[], root: string): Promise<{
  pid1: Pid1;
  hostPid: number;
  t0: number;
}> {
  const dir = await Deno.makeTempDir({ dir: root, prefix: `${peer.name}-` });
  const argv = await peer.prepare(dir, services);
  const t0 = performance.now();
  // The service program reports "launch" and execs the supervisor (see the header).
  const pid1 = startPid1([socketPath, "launch", ...argv], { program: serviceBinary, cwd: dir });
  current = pid1;
  const hostPid = await pid1.hostPid(10_000);
  return { pid1, hostPid, t0 };
}

async function finish(pid1: Pid1): Promise<void> {
  await pid1.dispose();
  current = undefined;
}

async function runSize(
  peer: Peer,
  n: number,
  idleSeconds: number,
  root: string,
  reports: Reports,
): Promise<SizeResult> {
  reports.clear();
  const services = Array.from({ length: n }, (_, id) => ({ id, oneshot: false }));
  const { pid1, hostPid, t0 } = await launch(peer, services, root);
  try {
    await reports.until(
      () => reports.up.size >= n,
      30_000 + n * 100,
      `${n} services of ${peer.name}`,
    )
      .catch((e) => {
        throw new Error(`${e.message}\n${pid1.output.slice(-4000)}`);
      });
    const launched = reports.launch ?? t0;
    const readyMs = Math.max(...reports.up.values()) - launched;
    const firstMs = Math.min(...reports.up.values()) - launched;
    const startCpuMs = cpuMs(hostPid);
    // Let start-up work finish (startup pauses, supervisord's startsecs) before "idle".
    await sleep(2000);
    const tree = supervisionTree(hostPid);
    const idle0 = tree.map(cpuMs);
    await sleep(idleSeconds * 1000);
    const idle1 = tree.map(cpuMs);
    const idleCpuMs = (idle1[0] ?? Number.NaN) - (idle0[0] ?? Number.NaN);
    const treeIdleCpuMs = sum(idle1) - sum(idle0);
    const rssKiB = statusKiB(hostPid, "VmRSS");
    const hwmKiB = statusKiB(hostPid, "VmHWM");
    const anonKiB = rollupKiB(hostPid, "Anonymous");
    const treePssKiB = sum(supervisionTree(hostPid).map(pssKiB));
    if (reports.up.size !== n || reports.term.size !== 0) {
      throw new Error(`${peer.name}: services restarted or stopped while idle`);
    }
    const t1 = performance.now();
    await pid1.kill("SIGTERM");
    let timer: ReturnType<typeof setTimeout> | undefined;
    const exitCode = await Promise.race([
      pid1.exited,
      new Promise<number>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${peer.name} did not exit in 60 s`)), 60_000);
      }),
    ]).finally(() => clearTimeout(timer));
    const stopMs = performance.now() - t1;
    await reports.drain();
    return {
      readyMs,
      firstMs,
      startCpuMs,
      idleCpuMs,
      rssKiB,
      hwmKiB,
      anonKiB,
      treePssKiB,
      treeIdleCpuMs,
      stopMs,
      graceful: reports.term.size,
      exitCode,
    };
  } finally {
    await finish(pid1);
  }
}

async function runChain(
  peer: Peer,
  deep: number,
  root: string,
  reports: Reports,
): Promise<ChainResult> {
  reports.clear();
  const services = Array.from(
    { length: deep },
    (_, id): ServiceDef => id === 0 ? { id, oneshot: true } : { id, oneshot: true, after: id - 1 },
  );
  const { pid1, t0 } = await launch(peer, services, root);
  try {
    await reports.until(() => reports.done.has(deep - 1), 60_000, `the chain of ${peer.name}`)
      .catch((e) => {
        throw new Error(`${e.message}\n${pid1.output.slice(-4000)}`);
      });
    const doneMs = reports.done.get(deep - 1)! - (reports.launch ?? t0);
    await reports.drain();
    const inOrder = reports.doneOrder.length === deep &&
      reports.doneOrder.every((id, i) => id === i);
    return { doneMs, inOrder };
  } finally {
    await finish(pid1);
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const at = (i: number) => s[i] ?? Number.NaN;
  return s.length % 2 ? at((s.length - 1) / 2) : (at(s.length / 2 - 1) + at(s.length / 2)) / 2;
}

function medianResult(runs: SizeResult[]): SizeResult {
  const pick = (k: keyof SizeResult) => median(runs.map((r) => r[k]));
  return {
    readyMs: pick("readyMs"),
    firstMs: pick("firstMs"),
    startCpuMs: pick("startCpuMs"),
    idleCpuMs: pick("idleCpuMs"),
    rssKiB: pick("rssKiB"),
    hwmKiB: pick("hwmKiB"),
    anonKiB: pick("anonKiB"),
    treePssKiB: pick("treePssKiB"),
    treeIdleCpuMs: pick("treeIdleCpuMs"),
    stopMs: pick("stopMs"),
    graceful: Math.min(...runs.map((r) => r.graceful)),
    exitCode: runs.at(-1)?.exitCode ?? Number.NaN,
  };
}

const fmtMs = (ms: number) => (ms >= 100 ? ms.toFixed(0) : ms.toFixed(1));
const fmtMiB = (kib: number) => (kib / 1024).toFixed(1);
const ratio = (
  a: number,
  b: number,
) => (b > 0 && Number.isFinite(a) ? `${(a / b).toFixed(2)}×` : "–");

function compile(dir: string): string {
  const out = `${dir}/supervision_service`;
  const cc = new Deno.Command("gcc", {
    args: ["-O2", "-Wall", "-o", out, `${here}supervision_service.c`],
  }).outputSync();
  if (!cc.success) throw new Error(`gcc failed:\n${dec.decode(cc.stderr)}`);
  return out;
}

/**
 * Bundles main.ts into one file the way the issue measures the binary's stand-in:
 * `deno bundle --platform deno` (it fetches esbuild from npm on first use).
 */
function bundle(dir: string): string {
  const out = `${dir}/chaperone.js`;
  const res = new Deno.Command(Deno.execPath(), {
    args: [
      "bundle",
      "--quiet",
      "--platform",
      "deno",
      "--config",
      `${REPO}/deno.json`,
      "-o",
      out,
      `${REPO}/main.ts`,
    ],
    cwd: REPO,
  }).outputSync();
  if (!res.success) throw new Error(`deno bundle failed:\n${dec.decode(res.stderr)}`);
  return out;
}

/** s6 and supervisord from Debian's packages: installed with apt-get (as root) when missing. */
function ensurePeers(peers: Peer[]): void {
  const need: Record<string, [string, string]> = {
    "s6-svscan": ["/usr/bin/s6-svscan", "s6"],
    supervisord: ["/usr/bin/supervisord", "supervisor"],
  };
  const missing = peers.flatMap((p) => {
    const n = need[p.name];
    if (!n) return [];
    try {
      Deno.statSync(n[0]);
      return [];
    } catch {
      return [n[1]];
    }
  });
  if (missing.length === 0) return;
  if (Deno.uid() !== 0) throw new Error(`missing Debian packages: ${missing.join(" ")}`);
  say(`installing ${missing.join(" ")} with apt-get`);
  const apt = (args: string[]) =>
    new Deno.Command("apt-get", {
      args,
      env: { DEBIAN_FRONTEND: "noninteractive" },
      stdout: "null",
    }).outputSync().success;
  const install = ["install", "-y", "-qq", ...missing];
  if (!apt(install) && !(apt(["update", "-qq"]) && apt(install))) {
    throw new Error(`apt-get could not install ${missing.join(" ")}`);
  }
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      sizes: { type: "string", default: "10,100,500" },
      "chain-deep": { type: "string", default: "100" },
      "idle-seconds": { type: "string", default: "10" },
      runs: { type: "string", default: "1" },
      peers: { type: "string", default: PEERS.map((p) => p.name).join(",") },
      "max-seconds": { type: "string", default: "900" },
      "chaperone-flags": { type: "string", default: "" },
    },
  });
  const sizes = values.sizes.split(",").map(Number);
  const deep = Number(values["chain-deep"]);
  const idleSeconds = Number(values["idle-seconds"]);
  const runs = Number(values.runs);
  chaperoneFlags = values["chaperone-flags"].split(/\s+/).filter((f) => f !== "");
  const wanted = values.peers.split(",").map((s) => s.trim());
  const peers = PEERS.filter((p) =>
    wanted.includes(p.name) || wanted.includes(p.name.replace(/-svscan$/, ""))
  );
  if (peers.length === 0) throw new Error(`no known peer in --peers ${values.peers}`);
  ensurePeers(peers);

  const root = await Deno.makeTempDir({ prefix: "supervision-bench-" });
  serviceBinary = compile(root);
  if (peers.includes(BUNDLE_PEER)) bundlePath = bundle(root);
  socketPath = `${root}/reports.sock`;
  const reports = new Reports(socketPath);

  // Whatever happens (a hang, Ctrl-C), the namespace under test goes and the bench ends.
  const abort = (why: string) => {
    // deno-lint-ignore no-console
    console.error(`supervision bench: ${why}; killing the run under test`);
    current?.forceKill();
    Deno.removeSync(root, { recursive: true });
    Deno.exit(2);
  };
  const guard = setTimeout(
    () => abort(`over --max-seconds ${values["max-seconds"]}`),
    Number(values["max-seconds"]) * 1000,
  );
  const onInt = () => abort("interrupted");
  Deno.addSignalListener("SIGINT", onInt);

  const sizeResults = new Map<string, Map<number, SizeResult>>();
  const chainResults = new Map<string, ChainResult>();
  try {
    // One unmeasured run of each peer first: Deno compiles and caches a program's code on its
    // first run, which users pay once per image, not at every boot.
    for (const peer of peers) await runSize(peer, sizes[0] ?? 10, 0, root, reports);
    for (const n of sizes) {
      for (const peer of peers) {
        const all: SizeResult[] = [];
        for (let r = 0; r < runs; r++) all.push(await runSize(peer, n, idleSeconds, root, reports));
        const res = medianResult(all);
        if (!sizeResults.has(peer.name)) sizeResults.set(peer.name, new Map());
        sizeResults.get(peer.name)!.set(n, res);
        say(
          `${peer.name} N=${n}: ready ${fmtMs(res.readyMs)} ms (first ${
            fmtMs(res.firstMs)
          }), stop ${fmtMs(res.stopMs)} ms ` +
            `(${res.graceful}/${n} got SIGTERM, exit ${res.exitCode}), RSS ${
              fmtMiB(res.rssKiB)
            } MiB ` +
            `(anon ${fmtMiB(res.anonKiB)}, HWM ${fmtMiB(res.hwmKiB)}, tree PSS ${
              fmtMiB(res.treePssKiB)
            }), idle CPU ${res.idleCpuMs} ms ` +
            `(tree ${res.treeIdleCpuMs}), start CPU ${res.startCpuMs} ms`,
        );
      }
    }
    if (deep > 0) {
      for (const peer of peers.filter((p) => p.chains)) {
        const all: ChainResult[] = [];
        for (let r = 0; r < runs; r++) all.push(await runChain(peer, deep, root, reports));
        const res = {
          doneMs: median(all.map((c) => c.doneMs)),
          inOrder: all.every((c) => c.inOrder),
        };
        chainResults.set(peer.name, res);
        say(
          `${peer.name} chain of ${deep}: ${fmtMs(res.doneMs)} ms${
            res.inOrder ? "" : " (OUT OF ORDER)"
          }`,
        );
      }
    }
  } finally {
    clearTimeout(guard);
    Deno.removeSignalListener("SIGINT", onInt);
    current?.forceKill();
    await reports.close();
    await Deno.remove(root, { recursive: true });
  }

  printTables(peers, sizes, idleSeconds, deep, sizeResults, chainResults);
  return 0;
}

function printTables(
  peers: Peer[],
  sizes: number[],
  idleSeconds: number,
  deep: number,
  sizeResults: Map<string, Map<number, SizeResult>>,
  chainResults: Map<string, ChainResult>,
): void {
  const base = sizeResults.get(S6_PEER.name);
  const row = (cells: string[]) => say(`| ${cells.join(" | ")} |`);
  const header = (cells: string[]) => {
    say("");
    row(cells);
    row(Array(cells.length).fill("---"));
  };
  header([
    "supervisor",
    "N",
    "first spawn ms",
    "ready ms",
    "vs s6",
    "stop ms",
    "vs s6",
    "got SIGTERM",
    "RSS MiB (HWM)",
    "anon MiB",
    "file MiB",
    "tree PSS MiB",
    `idle CPU ms/${idleSeconds}s (tree)`,
    "start CPU ms",
  ]);
  for (const n of sizes) {
    for (const peer of peers) {
      const r = sizeResults.get(peer.name)?.get(n);
      if (!r) continue;
      const b = base?.get(n);
      row([
        peer.name,
        String(n),
        fmtMs(r.firstMs),
        fmtMs(r.readyMs),
        b ? ratio(r.readyMs, b.readyMs) : "–",
        fmtMs(r.stopMs),
        b ? ratio(r.stopMs, b.stopMs) : "–",
        `${r.graceful}/${n}`,
        `${fmtMiB(r.rssKiB)} (${fmtMiB(r.hwmKiB)})`,
        fmtMiB(r.anonKiB),
        fmtMiB(r.rssKiB - r.anonKiB),
        fmtMiB(r.treePssKiB),
        `${r.idleCpuMs} (${r.treeIdleCpuMs})`,
        String(r.startCpuMs),
      ]);
    }
  }
  if (sizes.length > 1) {
    say("");
    say("Each further service (growth between two sizes, divided by the services added), and");
    say("growth with N (the figure at N divided by the figure at the previous N):");
    header([
      "supervisor",
      "N",
      "RSS KiB/service",
      "anon KiB/service",
      "tree PSS KiB/service",
      "ready",
      "stop",
      "RSS",
      "start CPU",
    ]);
    const perService = (a: number, b: number, added: number) =>
      Number.isFinite(a) && Number.isFinite(b) ? ((b - a) / added).toFixed(1) : "–";
    for (const peer of peers) {
      const m = sizeResults.get(peer.name);
      if (!m) continue;
      for (const [from, to] of sizes.slice(1).map((n, i) => [sizes[i] ?? n, n] as const)) {
        const a = m.get(from), b = m.get(to);
        if (!a || !b) continue;
        row([
          peer.name,
          `${from}→${to} (×${(to / from).toFixed(0)})`,
          perService(a.rssKiB, b.rssKiB, to - from),
          perService(a.anonKiB, b.anonKiB, to - from),
          perService(a.treePssKiB, b.treePssKiB, to - from),
          ratio(b.readyMs, a.readyMs),
          ratio(b.stopMs, a.stopMs),
          ratio(b.rssKiB, a.rssKiB),
          ratio(b.startCpuMs, a.startCpuMs),
        ]);
      }
    }
  }
  if (deep > 0) {
    header(["supervisor", `chain of ${deep} oneshots, ms`, "vs s6"]);
    const b = chainResults.get(S6_PEER.name);
    for (const peer of peers) {
      const c = chainResults.get(peer.name);
      row([
        peer.name,
        c ? `${fmtMs(c.doneMs)}${c.inOrder ? "" : " (out of order)"}` : "not expressible",
        c && b ? ratio(c.doneMs, b.doneMs) : "–",
      ]);
    }
  }
}

Deno.exit(await main());
