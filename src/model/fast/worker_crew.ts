/**
 * Workers for the CPU fast path: `threads - 1` Workers (node:worker_threads, so that idle ones do
 * not keep the process alive) attached to the arena's shared memory; share 0 of every job runs
 * on the calling thread. Workers start with the first job big enough to pay for them
 * (`MIN_PARALLEL_CHUNKS` chunks); smaller jobs run here alone, with the same results.
 *
 * @module
 */
import { Worker } from "node:worker_threads";
import type { ChunkEnv } from "./chunk_forward.ts";
import { type Job, runJob } from "./chunk_jobs.ts";
import type { Crew } from "./crew.ts";
import type { CrewInit } from "./crew_worker.ts";
import { CHUNK_PAIRS } from "./shape.ts";

type Reply = { ok?: boolean; error?: string };

/** Jobs with fewer chunks than this run on the calling thread alone. */
export const MIN_PARALLEL_CHUNKS = 4;

/** Share 0 here, shares 1.. on Workers. */
export class WorkerCrew implements Crew {
  readonly parts: number;
  #env: ChunkEnv;
  #workers: Worker[] = [];
  #waiting: ((r: Reply) => void)[][] = [];
  #r = new Float64Array(2 * CHUNK_PAIRS);

  /**
   * @param env The arena, layout and model settings.
   * @param threads Threads in all (>= 2).
   */
  constructor(env: ChunkEnv, threads: number) {
    this.#env = env;
    this.parts = threads;
  }

  #start(): void {
    const env = this.#env, threads = this.parts;
    const url = new URL("./crew_worker.ts", import.meta.url);
    for (let w = 1; w < threads; w++) {
      const worker = new Worker(url), queue: ((r: Reply) => void)[] = [];
      worker.on("message", (r: Reply) => queue.shift()?.(r));
      worker.on("error", (e: Error) => queue.splice(0).forEach((f) => f({ error: String(e) })));
      const init: CrewInit = {
        memory: env.arena.memory,
        shape: env.shape,
        pooling: env.pooling,
        activation: env.activation,
        part: w,
        parts: threads,
      };
      worker.postMessage({ init, layout: env.layout });
      worker.unref();
      this.#workers.push(worker);
      this.#waiting.push(queue);
    }
  }

  /** Posts shares 1.. to the Workers, runs share 0 here, and waits for all. */
  async run(job: Job): Promise<void> {
    if (Math.ceil(job.len / CHUNK_PAIRS) < MIN_PARALLEL_CHUNKS) {
      runJob(this.#env, job, 0, 1, this.#r);
      return;
    }
    if (this.#workers.length === 0) this.#start();
    const replies = this.#workers.map((w, i) =>
      new Promise<Reply>((resolve) => {
        this.#waiting[i].push(resolve);
        w.ref();
        w.postMessage({ layout: this.#env.layout, job });
      })
    );
    let local: unknown;
    try {
      runJob(this.#env, job, 0, this.parts, this.#r);
    } catch (e) {
      local = e;
    }
    const done = await Promise.all(replies);
    for (const w of this.#workers) w.unref();
    if (local) throw local;
    const bad = done.find((r) => r.error);
    if (bad) throw new Error(`A CPU backend worker failed: ${bad.error}`);
  }

  /** Terminates the Workers. */
  close(): void {
    for (const w of this.#workers) void w.terminate();
    this.#workers = [];
  }
}
