/**
 * A remote syslog host as a log output: UDP datagrams with a `<PRI>` header (Decision 8 in
 * docs/migration.md).
 */
import type { OutputReporter } from "./output_reporter.ts";
import { errorMessage } from "../text/error_message.ts";

/** Datagrams queued for one remote host before further lines are dropped. */
export const MAX_REMOTE_IN_FLIGHT = 1024;
/** Drops this far apart (monotonic ms) belong to one burst: one warning, one count. */
export const DROP_BURST_GAP_MS = 1000;

const encoder = new TextEncoder();

/** Splits `syslog_host` into host and port (default 514; `host:port` and `[v6]:port` accepted). */
export function parseSyslogHost(spec: string): { hostname: string; port: number } {
  const bracket = /^\[([^\]]+)\](?::(\d+))?$/.exec(spec);
  if (bracket) return { hostname: bracket[1]!, port: bracket[2] ? Number(bracket[2]) : 514 };
  const hostPort = /^([^:]+):(\d+)$/.exec(spec);
  if (hostPort) return { hostname: hostPort[1]!, port: Number(hostPort[2]) };
  return { hostname: spec, port: 514 };
}

/** A remote syslog host: one UDP datagram per line, with a `<PRI>` header. */
export class RemoteOutput {
  readonly kind = "remote";
  readonly host: string;
  #target: { hostname: string; port: number };
  #report: OutputReporter;
  #socket: Deno.DatagramConn | undefined;
  // One send at a time, in order: concurrent send ops may reach the wire in any order.
  #queue: Uint8Array[] = [];
  // Whether #drain runs. It is cleared by #drain itself in the same synchronous step as its
  // last look at an empty queue: a flag cleared later (a `.finally`) leaves a gap in which a
  // burst can fill the queue with no drain to empty it, and every line after is dropped.
  #pumping = false;
  #pump: Promise<void> = Promise.resolve();
  #failing = false;
  #clock: () => number;
  // Lines dropped in the current burst, and when the last one was.
  #dropped = 0;
  #lastDrop = 0;
  // Lines lost so far: dropped in floods, or not sent because sending failed.
  #lost = 0;

  /** `clock` gives monotonic milliseconds (tests; performance.now). */
  constructor(host: string, report: OutputReporter, clock: () => number = () => performance.now()) {
    this.host = host;
    this.#target = parseSyslogHost(host);
    this.#report = report;
    this.#clock = clock;
  }

  /** Whether sending fails or lines are being dropped. */
  get failing(): boolean {
    return this.#failing || this.#dropped > 0;
  }

  /** Lines lost so far (a flood over MAX_REMOTE_IN_FLIGHT, or a failed send). */
  get dropped(): number {
    return this.#lost;
  }

  /** Queues `<pri>line` for sending (the caller passes the record's PRI). */
  send(pri: number, line: string): void {
    if (this.#queue.length >= MAX_REMOTE_IN_FLIGHT) {
      // UDP is lossy anyway: under a flood, drop rather than queue without bound. A flood
      // keeps the queue hovering at the bound, so a burst lasts until drops stop for a while.
      this.#lost++;
      if (this.#dropped++ === 0) {
        this.#report(
          "warn",
          `syslog host ${this.host}: more than ${MAX_REMOTE_IN_FLIGHT} datagrams waiting, dropping lines`,
        );
      }
      this.#lastDrop = this.#clock();
      return;
    }
    if (this.#dropped > 0 && this.#clock() - this.#lastDrop >= DROP_BURST_GAP_MS) {
      const dropped = this.#dropped;
      this.#dropped = 0;
      this.#report("info", `syslog host ${this.host}: sending again, ${dropped} line(s) dropped`);
    }
    this.#queue.push(encoder.encode(`<${pri}>${line}`));
    if (!this.#pumping) {
      this.#pumping = true;
      this.#pump = this.#drain();
    }
  }

  async #drain(): Promise<void> {
    try {
      this.#socket ??= Deno.listenDatagram({
        transport: "udp",
        hostname: this.#target.hostname.includes(":") ? "::" : "0.0.0.0",
        port: 0,
      });
    } catch (e) {
      this.#lost += this.#queue.length;
      this.#queue = [];
      this.#pumping = false;
      this.#fail(e);
      return;
    }
    const addr = { transport: "udp" as const, ...this.#target };
    while (this.#queue.length > 0) {
      const data = this.#queue.shift()!;
      try {
        await this.#socket.send(data, addr);
        if (this.#failing) {
          this.#failing = false;
          this.#report("info", `syslog host ${this.host} is reachable again`);
        }
      } catch (e) {
        this.#lost++;
        this.#fail(e);
      }
    }
    this.#pumping = false;
  }

  /** Waits for queued datagrams to be sent, then closes the socket. */
  async close(): Promise<void> {
    while (this.#pumping) await this.#pump;
    this.#socket?.close();
    this.#socket = undefined;
  }

  #fail(e: unknown): void {
    if (this.#failing) return;
    this.#failing = true;
    this.#report("warn", `cannot send log lines to syslog host ${this.host}: ${errorMessage(e)}`);
  }
}
