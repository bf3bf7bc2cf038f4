/**
 * Backpressure between stages. RxJS pushes; it has no demand signal of its own. serflow links
 * stages with bounded channels and lets a stage take its next input batch only when (1) its
 * async work (`ctx.mapAsync`) has settled and (2) every downstream channel has room. Sources
 * (`ctx.source`) wait for room before each batch. So a fast source never floods a slow stage:
 * at most `capacity` batches wait on each edge.
 *
 * @module
 */

/** A bounded FIFO with one consumer. `push` never blocks (a producer awaits `room()` first). */
export class Channel<T> {
  readonly capacity: number;
  #items: T[] = [];
  #closed = false;
  #takers: ((v: T | undefined) => void)[] = [];
  #roomWaiters: (() => void)[] = [];
  /** The most items ever held at once (for tests and diagnostics). */
  highWater = 0;

  /** @param capacity Batches the channel holds before `room()` waits (Infinity: unbounded). */
  constructor(capacity: number) {
    this.capacity = capacity;
  }

  /** True once closed (no more pushes are accepted). */
  get closed(): boolean {
    return this.#closed;
  }

  /** Number of queued items. */
  get size(): number {
    return this.#items.length;
  }

  /** Adds an item (or hands it to a waiting taker). */
  push(v: T): void {
    if (this.#closed) return;
    const taker = this.#takers.shift();
    if (taker) return taker(v);
    this.#items.push(v);
    this.highWater = Math.max(this.highWater, this.#items.length);
  }

  /** No more items; pending and later `take()`s resolve with what is left, then `undefined`. */
  close(): void {
    this.#closed = true;
    for (const t of this.#takers.splice(0)) t(undefined);
    this.#wakeRoom();
  }

  /** Drops queued items and closes (on abort). */
  drain(): void {
    this.#items.length = 0;
    this.close();
  }

  /** Resolves with the next item, or `undefined` once closed and empty. */
  take(): Promise<T | undefined> {
    if (this.#items.length) {
      const v = this.#items.shift()!;
      this.#wakeRoom();
      return Promise.resolve(v);
    }
    if (this.#closed) return Promise.resolve(undefined);
    return new Promise((r) => this.#takers.push(r));
  }

  /** Resolves when the channel has room (or is closed). */
  room(): Promise<void> {
    if (this.#items.length < this.capacity || this.#closed) return Promise.resolve();
    return new Promise((r) => this.#roomWaiters.push(r));
  }

  #wakeRoom(): void {
    while (this.#roomWaiters.length && (this.#items.length < this.capacity || this.#closed)) {
      this.#roomWaiters.shift()!();
    }
  }
}

/** Counts a stage's unsettled async work; `idle()` resolves when there is none. */
export class Gate {
  #pending = 0;
  #waiters: (() => void)[] = [];

  /** Marks one unit of work started. */
  enter(): void {
    this.#pending++;
  }

  /** Marks one unit of work settled. */
  leave(): void {
    this.#pending = Math.max(0, this.#pending - 1);
    if (this.#pending === 0) { for (const w of this.#waiters.splice(0)) w(); }
  }

  /** Resolves when no work is pending. */
  idle(): Promise<void> {
    return this.#pending === 0 ? Promise.resolve() : new Promise((r) => this.#waiters.push(r));
  }
}
