/** In-process fakes for supervisor tests: a manual clock and a process table we control. */
import type { ExitStatus } from "../../src/process/exit_status.ts";
import type { ServiceSpec } from "../../src/config/schema.ts";
import { createLogger, MemorySink } from "../../src/log/logger.ts";
import { DependencyGraph } from "../../src/system/graph.ts";
import { type ParsedNotify, parseNotify } from "../../src/notify/protocol.ts";
import { Supervisor, type SupervisorDeps } from "../../src/supervisor/supervisor.ts";
import type {
  Clock,
  CronJob,
  CronPort,
  FollowedProcess,
  InetdPort,
  NotifyChannel,
  NotifyPort,
  ProbePort,
  ProbeResult,
  ProcessEntry,
  ProcessFacts,
  ProcessHandle,
  ProcessPort,
  ProcessRequest,
  TimerId,
} from "../../src/supervisor/ports.ts";

/** A clock that only moves when told to. */
export class ManualClock implements Clock {
  #now = 0;
  #seq = 0;
  #timers = new Map<number, { at: number; fn: () => void }>();
  now(): number {
    return this.#now;
  }
  setTimeout(fn: () => void, ms: number): TimerId {
    const id = ++this.#seq;
    this.#timers.set(id, { at: this.#now + ms, fn });
    return id as unknown as TimerId;
  }
  clearTimeout(id: TimerId): void {
    this.#timers.delete(id as unknown as number);
  }
  /** Moves time forward, firing due timers in time order. */
  async advance(ms: number): Promise<void> {
    const end = this.#now + ms;
    while (true) {
      // Promise callbacks first: they may arm timers that fall due within this advance.
      await flush();
      let next: [number, { at: number; fn: () => void }] | undefined;
      for (const e of this.#timers) if (e[1].at <= end && (!next || e[1].at < next[1].at)) next = e;
      if (!next) break;
      this.#timers.delete(next[0]);
      this.#now = next[1].at;
      next[1].fn();
      await flush();
    }
    this.#now = end;
    await flush();
  }
}

/** Lets promise callbacks and queued microtasks run. */
export async function flush(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
  await new Promise((r) => setTimeout(r, 0));
}

/** One fake process. */
export interface FakeProcess {
  pid: number;
  argv: readonly string[];
  request: ProcessRequest;
  exit(status?: ExitStatus): void;
  alive: boolean;
  signals: number[];
  /** Parent, group, session and real uid; spawned processes are our detached children. */
  facts: Omit<ProcessFacts, "running">;
}

/** Chaperone's pid in the fake process table. */
export const FAKE_SELF = 1;

/** A process table under the test's control. */
export class FakeProcesses implements ProcessPort {
  #next = 100;
  procs: FakeProcess[] = [];
  missing = new Set<string>();
  /** Processes exit by themselves on these signals (default SIGTERM and SIGKILL). */
  dieOn = new Set([15, 9]);
  resolve(argv0: string): string {
    if (this.missing.has(argv0)) throw new Deno.errors.NotFound(`executable '${argv0}' not found`);
    return argv0;
  }
  spawn(request: ProcessRequest): ProcessHandle {
    let settle!: (s: ExitStatus) => void;
    const status = new Promise<ExitStatus>((r) => (settle = r));
    const pid = this.#next++;
    const p: FakeProcess = {
      pid,
      argv: request.argv,
      request,
      alive: true,
      signals: [],
      facts: { ppid: FAKE_SELF, pgid: pid, sid: pid, uid: request.uid ?? 0 },
      exit(s = { code: 0, signal: null }) {
        if (!p.alive) return;
        p.alive = false;
        settle(s);
      },
    };
    this.procs.push(p);
    return { pid: p.pid, status, stdout: null, stderr: null };
  }
  signal(pid: number, signo: number): void {
    const p = this.#find(pid);
    if (!p || !p.alive) return;
    p.signals.push(signo);
    if (this.dieOn.has(signo)) p.exit({ code: null, signal: signo });
  }
  groupAlive(pgid: number): boolean {
    return this.procs.some((p) => p.pid === pgid && p.alive);
  }
  pidAlive(pid: number): boolean {
    return this.#find(pid)?.alive ?? false;
  }
  /** The newest process with this pid, spawned or foreign. */
  #find(pid: number): FakeProcess | undefined {
    return [...this.procs, ...this.orphans].reverse().find((x) => x.pid === pid && x.alive) ??
      [...this.procs, ...this.orphans].reverse().find((x) => x.pid === pid);
  }
  hasChildren(): boolean {
    return this.procs.some((p) => p.alive);
  }
  list(): ProcessEntry[] {
    return [...this.procs, ...this.orphans].filter((p) => p.alive).map((p) => ({
      pid: p.pid,
      ppid: p.facts.ppid,
      pgid: p.facts.pgid,
      sid: p.facts.sid,
    }));
  }
  /** Processes that are ours but no service's (orphans adopted as PID 1 or subreaper). */
  orphans: FakeProcess[] = [];
  leftovers(): number[] {
    return this.orphans.filter((p) => p.alive && p.facts.ppid === FAKE_SELF).map((p) => p.pid);
  }
  readonly self = FAKE_SELF;
  /** Pids the reaper is about to collect (zombies of ours): follow() says `exited`. */
  zombies = new Set<number>();
  inspect(pid: number): ProcessFacts | undefined {
    const p = this.#find(pid);
    if (!p || (!p.alive && !this.zombies.has(pid))) return undefined;
    return { ...p.facts, running: p.alive };
  }
  follow(pid: number): FollowedProcess {
    return {
      state: () => this.pidAlive(pid) ? "running" : this.zombies.has(pid) ? "exited" : "gone",
      close: () => {},
    };
  }
  /**
   * A process Chaperone did not spawn (a daemon, an orphan, another service's child): it lives
   * until exit() and shows `facts` to inspect().
   */
  foreign(facts: Partial<FakeProcess["facts"]> & { pid?: number } = {}): FakeProcess {
    const pid = facts.pid ?? this.#next++;
    const p: FakeProcess = {
      pid,
      argv: ["<foreign>"],
      request: {
        argv: [],
        env: {},
        detached: true,
        stdin: "null",
        stdout: "inherit",
        stderr: "inherit",
      },
      alive: true,
      signals: [],
      facts: { ppid: FAKE_SELF, pgid: pid, sid: pid, uid: 0, ...facts },
      exit() {
        p.alive = false;
      },
    };
    this.orphans.push(p);
    return p;
  }
  /** The live process started for a service (by its command's first word). */
  of(argv0: string): FakeProcess | undefined {
    return [...this.procs].reverse().find((p) => p.argv[0] === argv0);
  }
}

/** A notify port whose channels the test feeds with datagrams (`READY=1\nSTATUS=up`). */
export class FakeNotify implements NotifyPort {
  channels = new Map<string, { push(datagram: string): void }>();
  open(service: string): Promise<NotifyChannel> {
    const queue: ParsedNotify[] = [];
    let wake: (() => void) | undefined;
    let closed = false;
    const messages = {
      async *[Symbol.asyncIterator]() {
        while (!closed) {
          if (queue.length) yield queue.shift()!;
          else await new Promise<void>((r) => (wake = r));
        }
      },
    };
    this.channels.set(service, {
      push(datagram) {
        queue.push(parseNotify(datagram));
        wake?.();
      },
    });
    return Promise.resolve({
      path: `/fake/${service}`,
      messages,
      close() {
        closed = true;
        wake?.();
      },
    });
  }
}

/** A probe port whose answers the test sets, per probe description; it records every attempt. */
export class FakeProbes implements ProbePort {
  answers = new Map<string, ProbeResult>();
  attempts: string[] = [];
  attempt(source: Parameters<ProbePort["attempt"]>[0]): Promise<ProbeResult> {
    const key = JSON.stringify(source);
    this.attempts.push(key);
    return Promise.resolve(this.answers.get(key) ?? { ok: false, error: "connection refused" });
  }
}

/** A cron port whose ticks the test fires. */
export class FakeCron implements CronPort {
  ticks = new Map<string, () => void>();
  schedule(interval: string, onTick: () => void): CronJob {
    this.ticks.set(interval, onTick);
    return { nextRun: () => null, stop: () => this.ticks.delete(interval) };
  }
}

/** inetd is not exercised through fakes. */
export const noInetd: InetdPort = {
  listen() {
    throw new Error("inetd is not available in this test");
  },
};

/** A resolved service spec with test defaults. */
export function spec(name: string, over: Partial<ServiceSpec> = {}): ServiceSpec {
  const command = over.command ?? name.replace(/\.service$/, "");
  return {
    name,
    type: "simple",
    command,
    argv: over.argv ?? command.split(" "),
    enabled: true,
    optional: false,
    ignoreFailures: false,
    exitKills: false,
    restart: false,
    // A spec that only says `restart: true` means the original's policy.
    restartPolicy: over.restart ? "on-failure" : "never",
    restartLimit: 5,
    restartDelay: 3,
    restartBackoff: 1,
    restartDelayMax: 60,
    killSignal: 15,
    processTimeout: 30,
    startupPause: 0.5,
    stdout: "inherit",
    stderr: "inherit",
    groups: ["default"],
    after: [],
    before: [],
    debug: false,
    env: { inherit: ["*"], set: {}, unset: [] },
    pos: { file: "test.conf" },
    ...over,
  };
}

/** A Supervisor over fresh fakes (detect_exit on, no IDLE delay); returns it with its fakes. */
export function buildSupervisor(
  services: ServiceSpec[],
  over: Partial<Pick<SupervisorDeps, "idleDelay" | "detectExit" | "envFor" | "inetd">> = {},
) {
  const clock = new ManualClock();
  const procs = new FakeProcesses();
  const notify = new FakeNotify();
  const cron = new FakeCron();
  const probes = new FakeProbes();
  const sink = new MemorySink();
  const logger = createLogger({ sink, threshold: 7, tag: "chaperone", pid: 1 });
  const sup = new Supervisor({
    services,
    graph: DependencyGraph.from(services),
    processes: procs,
    notify,
    cron,
    inetd: over.inetd ?? noInetd,
    probes,
    clock,
    logger,
    sink,
    envFor: over.envFor ?? (() => ({})),
    idleDelay: over.idleDelay ?? 0,
    shutdownTimeout: 8,
    detectExit: over.detectExit ?? true,
    isPid1: false,
    killAll: () => {},
    statusInterval: 0,
  });
  return { sup, clock, procs, notify, cron, sink, probes };
}

/** Stops `name` as `ctl stop --force` would; resolves once its processes are gone. */
export function stopService(sup: Supervisor, name: string): Promise<void> {
  const result = sup.commands.stop([name], { force: true });
  if (!result.ok) throw new Error(result.error);
  return result.done;
}
