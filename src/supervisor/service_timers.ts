/**
 * The named timers of one service (at most one of each name, see TimerName). Arming a timer
 * replaces the one of the same name; a timer forgets itself when it fires.
 */
import type { TimerName } from "../service/state.ts";
import type { Clock, TimerId } from "./ports.ts";

/** One service's armed timers. */
export class ServiceTimers {
  #clock: Clock;
  #armed = new Map<TimerName, TimerId>();

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  /** Names of the armed timers. */
  get armed(): TimerName[] {
    return [...this.#armed.keys()];
  }

  /** Arms `name` to call `fire` after `ms`, cancelling an earlier timer of that name. */
  set(name: TimerName, ms: number, fire: () => void): void {
    this.cancel(name);
    this.#armed.set(
      name,
      this.#clock.setTimeout(() => {
        this.#armed.delete(name);
        fire();
      }, ms),
    );
  }

  /** Cancels `name` if it is armed. */
  cancel(name: TimerName): void {
    const id = this.#armed.get(name);
    if (id !== undefined) this.#clock.clearTimeout(id);
    this.#armed.delete(name);
  }

  /** Cancels every armed timer. */
  cancelAll(): void {
    for (const id of this.#armed.values()) this.#clock.clearTimeout(id);
    this.#armed.clear();
  }
}
