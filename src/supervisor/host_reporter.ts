/**
 * Messages to the host's NOTIFY_SOCKET (podman --sdnotify=container, systemd): READY=1,
 * STOPPING=1, ERRNO= and the periodic STATUS= line. Without a host socket every call is a
 * no-op; a failing send is logged at debug and never disturbs the supervisor.
 */
import type { Logger } from "../log/logger.ts";
import type { Clock, HostNotify, TimerId } from "./ports.ts";
import { errorMessage } from "../text/error_message.ts";

/** Sends to the host's notify socket, if there is one. */
export class HostReporter {
  #notify: HostNotify | undefined;
  #log: Logger;
  #clock: Clock;
  #statusTimer: TimerId | undefined;

  constructor(notify: HostNotify | undefined, logger: Logger, clock: Clock) {
    this.#notify = notify;
    this.#log = logger;
    this.#clock = clock;
  }

  /** True when there is a host socket to talk to. */
  get connected(): boolean {
    return this.#notify !== undefined;
  }

  /** Sends one message. */
  send(message: string): void {
    if (!this.#notify) return;
    this.#log.debug(`queueing '${message}' to notify socket`);
    try {
      this.#notify.send(message);
    } catch (err) {
      this.#log.debug(`host notify failed: ${errorMessage(err)}`);
    }
  }

  /** Sends `STATUS=<line()>` now and every `every` seconds (none when `every` <= 0). */
  startStatus(every: number, line: () => string): void {
    if (!this.#notify || every <= 0) return;
    const tick = () => {
      this.send(`STATUS=${line()}`);
      this.#statusTimer = this.#clock.setTimeout(tick, every * 1000);
    };
    tick();
  }

  /** Stops the periodic STATUS= line. */
  stopStatus(): void {
    if (this.#statusTimer !== undefined) this.#clock.clearTimeout(this.#statusTimer);
    this.#statusTimer = undefined;
  }
}
