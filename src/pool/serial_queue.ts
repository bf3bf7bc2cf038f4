/**
 * One-at-a-time work on a shared connection, and a clear error instead of a deadlock when work
 * waits for itself (a pool method called from inside a `pool.transaction()` callback).
 *
 * @module
 */
import { AsyncLocalStorage } from "node:async_hooks";

/** Runs async jobs one after another, in call order. */
export class SerialQueue {
  #tail: Promise<unknown> = Promise.resolve();
  #inside = new AsyncLocalStorage<{ active: boolean }>();

  /**
   * Queues `fn` after the jobs queued before it.
   *
   * @param name The caller, for the re-entry error (e.g. `Pool.labelsAsOf`).
   * @param fn The job.
   * @returns What `fn` returns.
   * @example
   * ```ts
   * import { SerialQueue } from "./serial_queue.ts";
   * const q = new SerialQueue();
   * const order: number[] = [];
   * await Promise.all([2, 1].map((ms) => q.run("job", async () => {
   *   await new Promise((r) => setTimeout(r, ms));
   *   order.push(ms);
   * })));
   * if (order.join() !== "2,1") throw new Error();
   * ```
   */
  run<T>(name: string, fn: () => Promise<T>): Promise<T> {
    if (this.#inside.getStore()?.active) {
      return Promise.reject(
        new Error(
          `Cannot call ${name}() inside work of the same pool (e.g. a pool.transaction() ` +
            `callback), as it would wait for itself: use the transaction handle 'tx' instead`,
        ),
      );
    }
    const job = async () => {
      const marker = { active: true };
      try {
        return await this.#inside.run(marker, fn);
      } finally {
        marker.active = false;
      }
    };
    const p = this.#tail.then(job, job);
    this.#tail = p.catch(() => {});
    return p;
  }

  /** @returns A promise that settles when every queued job has. */
  idle(): Promise<void> {
    return this.#tail.then(() => {});
  }
}
