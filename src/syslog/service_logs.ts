/**
 * The output of every service kept in memory for `chaperone ctl logs` (docs/ctl.md, `logs`;
 * Decision 26 in docs/migration.md): one LogRing per service, fed with every record the run
 * handles, before and whatever the logging sections select, so that it works with no logging
 * section, with `--no-console-log` and with sections that write elsewhere.
 *
 * Which lines belong to a service: those it wrote to its stdout and stderr (records carrying
 * `service`), and the /dev/log messages of its processes (the pid after their tag belongs to
 * its process group or session, found by the same `serviceOfPid` as the `service` key of
 * `json` lines: docs/logging.md). Chaperone's own messages belong to no service.
 *
 * Memory is bounded whatever the services print (docs/configuration.md, `log_buffer_lines`):
 * each line is cut at MAX_LINE_CHARS; each service keeps at most `log_buffer_lines` lines
 * weighing at most MAX_SERVICE_BYTES (a line weighs its length plus LINE_OVERHEAD: log_ring.ts),
 * and all of them together at most MAX_TOTAL_BYTES (a service's share is MAX_TOTAL_BYTES divided
 * by the number of services, when that is less).
 */
import type { LogRecord, LogSink } from "../log/record.ts";
import { cutLine, LogRing } from "../log/log_ring.ts";
import { recordMessage, recordService } from "./structured_line.ts";
import { type FollowerLimits, LogFollower, type LogLine } from "./log_follower.ts";

export { type FollowItem, LogFollower, type LogLine } from "./log_follower.ts";

/** Longest line kept; longer ones are cut, ending with `…`. */
export const MAX_LINE_CHARS = 4096;
/** Most one service's ring weighs. */
export const MAX_SERVICE_BYTES = 256 * 1024;
/** Most all rings weigh together. */
export const MAX_TOTAL_BYTES = 32 * 1024 * 1024;
/** A follower's queue: a reader this far behind loses lines (counted) instead. */
export const FOLLOW_LIMITS: FollowerLimits = { maxLines: 1000, maxChars: 1024 * 1024 };

/** What the store needs. */
export interface ServiceLogsOptions {
  /** Lines kept per service (`log_buffer_lines`, > 0). */
  readonly lines: number;
  /** How many services the run has, to share MAX_TOTAL_BYTES among them. */
  readonly services: number;
  /** The service a /dev/log sender's pid belongs to (record_service.ts); none when absent. */
  readonly serviceOfPid?: (pid: number) => string | undefined;
  /** Wall clock in ms (tests). */
  readonly now?: () => number;
  /** A reader's queue bounds (tests; default FOLLOW_LIMITS). */
  readonly followLimits?: FollowerLimits;
}

/** The store of a run with `log_buffer_lines: lines` and `services` services; none when 0. */
export function serviceLogsFor(
  lines: number,
  services: number,
  serviceOfPid: (pid: number) => string | undefined,
): ServiceLogs | undefined {
  return lines > 0 ? new ServiceLogs({ lines, services, serviceOfPid }) : undefined;
}

/** Every service's last lines, and the readers following new ones. */
export class ServiceLogs implements LogSink {
  readonly lines: number;
  readonly #ringBytes: number;
  readonly #rings = new Map<string, LogRing>();
  readonly #followers = new Set<LogFollower>();
  readonly #serviceOfPid: ((pid: number) => string | undefined) | undefined;
  readonly #now: () => number;
  readonly #followLimits: FollowerLimits;
  #seq = 0;

  constructor(options: ServiceLogsOptions) {
    this.lines = Math.max(1, Math.floor(options.lines));
    this.#ringBytes = Math.min(
      MAX_SERVICE_BYTES,
      Math.floor(MAX_TOTAL_BYTES / Math.max(1, options.services)),
    );
    this.#serviceOfPid = options.serviceOfPid;
    this.#now = options.now ?? Date.now;
    this.#followLimits = options.followLimits ?? FOLLOW_LIMITS;
  }

  /** Readers following now (`ctl logs -f` connections). */
  get followers(): number {
    return this.#followers.size;
  }

  /** Keeps the record's line when it belongs to a service. Never throws, never waits. */
  write(record: LogRecord): void {
    // A message whose sender cannot be placed stays in the logging sections only.
    const service = recordService(record, this.#serviceOfPid);
    if (service === undefined) return;
    // A service's own line is its message; a /dev/log message keeps its tag and pid, which
    // tell the service's programs apart (`nginx[42]: ...`).
    const text = record.service !== undefined
      ? recordMessage(record)
      : record.formatError
      ? record.raw
      : record.tag + record.rest;
    const seq = ++this.#seq;
    const time = this.#now();
    const kept = cutLine(text, MAX_LINE_CHARS);
    let ring = this.#rings.get(service);
    if (!ring) this.#rings.set(service, ring = new LogRing(this.lines, this.#ringBytes));
    ring.push(seq, time, kept);
    if (this.#followers.size === 0) return;
    const line: LogLine = { service, seq, time, text: kept };
    for (const follower of this.#followers) {
      if (follower.accepts(service)) follower.offer(line);
    }
  }

  /**
   * The last `n` lines of `services` (every service when undefined) together, oldest first; with
   * `follow`, also a reader of the lines that come after them, with nothing lost in between.
   */
  read(
    services: ReadonlySet<string> | undefined,
    n: number,
    follow: boolean,
  ): { tail: LogLine[]; follower?: LogFollower } {
    const tail = this.#tail(services, n);
    if (!follow) return { tail };
    const follower = new LogFollower(
      this.#followLimits,
      (service) => services === undefined || services.has(service),
      (f) => this.#followers.delete(f),
    );
    this.#followers.add(follower);
    return { tail, follower };
  }

  /** `next` with this store in front: each record is kept here if a service's, then passed on. */
  before(next: LogSink): LogSink {
    return {
      write: (record) => {
        this.write(record);
        next.write(record);
      },
    };
  }

  // The last n lines over several rings: walk each from its newest line, always taking the
  // newest of their next lines, n times; then reverse.
  #tail(services: ReadonlySet<string> | undefined, n: number): LogLine[] {
    const picked: { service: string; ring: LogRing; next: number }[] = [];
    for (const [service, ring] of this.#rings) {
      if (ring.size > 0 && (services === undefined || services.has(service))) {
        picked.push({ service, ring, next: ring.size - 1 });
      }
    }
    const out: LogLine[] = [];
    while (out.length < n) {
      let best: (typeof picked)[number] | undefined;
      for (const p of picked) {
        if (p.next < 0) continue;
        if (best === undefined || p.ring.seqAt(p.next) > best.ring.seqAt(best.next)) best = p;
      }
      if (best === undefined) break;
      out.push({ service: best.service, ...best.ring.at(best.next--) });
    }
    return out.reverse();
  }
}
