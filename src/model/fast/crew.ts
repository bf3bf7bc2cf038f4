/**
 * The threads of the CPU fast path. A `Crew` runs a job's shares: `LocalCrew` all on the calling
 * thread; `WorkerCrew` (`worker_crew.ts`) share 0 here and the others on Workers over the same
 * shared memory.
 *
 * @module
 */
import type { ChunkEnv } from "./chunk_forward.ts";
import { type Job, runJob } from "./chunk_jobs.ts";
import { CHUNK_PAIRS } from "./shape.ts";

/** Runs jobs over the arena, in `parts` shares. */
export interface Crew {
  /** The number of shares (threads). */
  readonly parts: number;
  /** Runs every share of `job`; resolves when all are done. */
  run(job: Job): Promise<void>;
  /** Stops the threads. */
  close(): void;
}

/** Every share on the calling thread. */
export class LocalCrew implements Crew {
  readonly parts = 1;
  #env: ChunkEnv;
  #r = new Float64Array(2 * CHUNK_PAIRS);

  /** @param env The arena, layout and model settings. */
  constructor(env: ChunkEnv) {
    this.#env = env;
  }

  /** Runs the job here. */
  run(job: Job): Promise<void> {
    runJob(this.#env, job, 0, 1, this.#r);
    return Promise.resolve();
  }

  /** Nothing to stop. */
  close(): void {}
}
