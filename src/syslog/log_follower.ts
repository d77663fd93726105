/**
 * One `chaperone ctl logs -f` reader (docs/ctl.md, `logs`): the lines that arrived since it last
 * took them, in a queue bounded in lines and characters. Offering a line never waits and never
 * grows the queue past its bounds: a reader that falls behind loses the newest lines, counted,
 * and is told so by a marker in their place (`-- N lines dropped --`). The services and the
 * supervisor therefore never wait for a slow reader.
 */

/** A line of a service's output, as `ctl logs` shows it. */
export interface LogLine {
  /** Full service name (`web.service`, `CONSOLE`). */
  readonly service: string;
  /** Arrival order across services. */
  readonly seq: number;
  /** ms since the epoch. */
  readonly time: number;
  readonly text: string;
}

/** What a reader takes: lines, and where lines were lost, how many. */
export type FollowItem =
  | { readonly kind: "line"; readonly line: LogLine }
  | { readonly kind: "dropped"; readonly count: number };

/** Bounds of one reader's queue. */
export interface FollowerLimits {
  readonly maxLines: number;
  readonly maxChars: number;
}

/** Lines waiting for one reader. */
export class LogFollower {
  readonly #limits: FollowerLimits;
  readonly #accepts: (service: string) => boolean;
  readonly #onClose: (follower: LogFollower) => void;
  #queue: FollowItem[] = [];
  #lines = 0;
  #chars = 0;
  #dropped = 0;
  #closed = false;
  #wake: (() => void) | undefined;

  /**
   * `accepts` says which services this reader follows; `onClose` is told once when it is closed
   * (the store forgets it).
   */
  constructor(
    limits: FollowerLimits,
    accepts: (service: string) => boolean,
    onClose: (follower: LogFollower) => void,
  ) {
    this.#limits = limits;
    this.#accepts = accepts;
    this.#onClose = onClose;
  }

  /** Whether lines of `service` are for this reader. */
  accepts(service: string): boolean {
    return this.#accepts(service);
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Queues a line, or counts it as dropped when the queue is full. Never waits. */
  offer(line: LogLine): void {
    if (this.#closed) return;
    if (
      this.#lines >= this.#limits.maxLines ||
      (this.#lines > 0 && this.#chars + line.text.length > this.#limits.maxChars)
    ) {
      this.#dropped++;
      return;
    }
    // The reader caught up after losing lines: the marker goes where they were.
    if (this.#dropped > 0) this.#queue.push({ kind: "dropped", count: this.#takeDropped() });
    this.#queue.push({ kind: "line", line });
    this.#lines++;
    this.#chars += line.text.length;
    this.#wakeUp();
  }

  /** Everything queued, oldest first, and a marker for lines lost since; empties the queue. */
  take(): FollowItem[] {
    const items = this.#queue;
    if (this.#dropped > 0) items.push({ kind: "dropped", count: this.#takeDropped() });
    this.#queue = [];
    this.#lines = 0;
    this.#chars = 0;
    return items;
  }

  /** Resolves once something is queued or lost, or the reader is closed. */
  wait(): Promise<void> {
    if (this.#closed || this.#queue.length > 0 || this.#dropped > 0) return Promise.resolve();
    return new Promise((resolve) => {
      const previous = this.#wake;
      this.#wake = () => {
        previous?.();
        resolve();
      };
    });
  }

  /** Stops queueing (the reader went away, or Chaperone shuts down); wakes a waiting take. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#queue = [];
    this.#wakeUp();
    this.#onClose(this);
  }

  #takeDropped(): number {
    const n = this.#dropped;
    this.#dropped = 0;
    return n;
  }

  #wakeUp(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }
}
