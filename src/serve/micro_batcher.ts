/**
 * Micro-batching: jobs submitted while a batch is being formed or run are gathered into one call
 * of `run`, which answers each job in order. One batch runs at a time, so whatever `run` reads
 * between batches (the model, after a reload) never changes under a batch.
 *
 * A batch starts when its jobs hold `maxBatch` rows, or `maxWaitMs` after its first job arrived,
 * or at once when the previous batch ends and jobs are waiting (they waited during it). A job is
 * never split: one larger than `maxBatch` makes a batch of its own.
 *
 * @module
 */

/** How batches are formed. */
export interface BatcherOptions {
  /** Rows per batch (a single larger job still runs, alone). */
  maxBatch: number;
  /** How long the first job of a batch waits for company, in milliseconds (0: none). */
  maxWaitMs: number;
}

interface _Queued<J, R> {
  job: J;
  rows: number;
  resolve: (r: R) => void;
  reject: (e: unknown) => void;
}

/** Gathers jobs into batches. */
export class MicroBatcher<J, R> {
  #opts: BatcherOptions;
  #run: (jobs: J[]) => Promise<R[]>;
  #rows: (job: J) => number;
  #queue: _Queued<J, R>[] = [];
  #queuedRows = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #running: Promise<void> | null = null;
  #idle: (() => void)[] = [];

  /**
   * @param opts Batch size and wait.
   * @param run Runs one batch; returns one result per job, in order (a rejection fails every job
   *   of the batch).
   * @param rows The rows a job counts for.
   * @example
   * ```ts
   * import { MicroBatcher } from "./micro_batcher.ts";
   * const sizes: number[] = [];
   * const b = new MicroBatcher<number, number>({ maxBatch: 8, maxWaitMs: 5 }, (jobs) => {
   *   sizes.push(jobs.length);
   *   return Promise.resolve(jobs.map((x) => x * 2));
   * }, () => 1);
   * const out = await Promise.all([1, 2, 3].map((x) => b.submit(x)));
   * if (out.join() !== "2,4,6" || sizes.join() !== "3") throw new Error();
   * ```
   */
  constructor(opts: BatcherOptions, run: (jobs: J[]) => Promise<R[]>, rows: (job: J) => number) {
    this.#opts = opts;
    this.#run = run;
    this.#rows = rows;
  }

  /**
   * Queues a job.
   *
   * @param job The job.
   * @returns Its result, once its batch ran.
   */
  submit(job: J): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      const rows = this.#rows(job);
      this.#queue.push({ job, rows, resolve, reject });
      this.#queuedRows += rows;
      this.#schedule();
    });
  }

  /** Jobs waiting for a batch. */
  get pending(): number {
    return this.#queue.length;
  }

  /** Rows of the jobs waiting for a batch. */
  get queuedRows(): number {
    return this.#queuedRows;
  }

  /** @returns A promise that settles once no job is queued or running. */
  drained(): Promise<void> {
    if (!this.#running && this.#queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  #schedule(): void {
    if (this.#running || this.#queue.length === 0) return;
    if (this.#queuedRows >= this.#opts.maxBatch || this.#opts.maxWaitMs <= 0) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
      this.#start();
    } else if (this.#timer === undefined) {
      this.#timer = setTimeout(() => {
        this.#timer = undefined;
        this.#start();
      }, this.#opts.maxWaitMs);
    }
  }

  #start(): void {
    if (this.#running || this.#queue.length === 0) return;
    const batch: _Queued<J, R>[] = [];
    let rows = 0;
    while (this.#queue.length > 0) {
      const next = this.#queue[0];
      if (batch.length > 0 && rows + next.rows > this.#opts.maxBatch) break;
      batch.push(this.#queue.shift()!);
      rows += next.rows;
    }
    this.#queuedRows -= rows;
    this.#running = this.#runBatch(batch).finally(() => {
      this.#running = null;
      if (this.#queue.length > 0) this.#start();
      else for (const f of this.#idle.splice(0)) f();
    });
  }

  async #runBatch(batch: _Queued<J, R>[]): Promise<void> {
    try {
      const out = await this.#run(batch.map((q) => q.job));
      if (out.length !== batch.length) {
        throw new Error(`Cannot answer a batch of ${batch.length} jobs with ${out.length} results`);
      }
      batch.forEach((q, i) => q.resolve(out[i]));
    } catch (e) {
      for (const q of batch) q.reject(e);
    }
  }
}
