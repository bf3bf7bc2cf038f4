/**
 * The Worker side of `WorkerCrew`: attaches to the shared memory once, then runs its share of
 * each job it is sent and answers `{ ok: true }` or `{ error }`.
 *
 * @module
 */
import { parentPort } from "node:worker_threads";
import { Arena } from "./arena.ts";
import type { ChunkEnv } from "./chunk_forward.ts";
import { type Job, runJob } from "./chunk_jobs.ts";
import type { Layout } from "./layout.ts";
import { CHUNK_PAIRS, type FastShape } from "./shape.ts";

/** The first message: the memory and this worker's share. */
export interface CrewInit {
  memory: WebAssembly.Memory;
  shape: FastShape;
  pooling: "mean" | "sqrtn";
  activation: "gelu" | "relu";
  part: number;
  parts: number;
}

let env: ChunkEnv | undefined, part = 0, parts = 1;
const r = new Float64Array(2 * CHUNK_PAIRS);

parentPort?.on("message", (msg: { init?: CrewInit; layout?: Layout; job?: Job }) => {
  try {
    if (msg.init) {
      const i = msg.init;
      const arena = new Arena(i.memory);
      env = {
        arena,
        layout: msg.layout!,
        shape: i.shape,
        pooling: i.pooling,
        activation: i.activation,
      };
      part = i.part, parts = i.parts;
      return;
    }
    if (!env) throw new Error("Cannot run a job before the worker is initialized");
    env.layout = msg.layout!;
    env.arena.refresh();
    runJob(env, msg.job!, part, parts, r);
    parentPort!.postMessage({ ok: true });
  } catch (e) {
    parentPort!.postMessage({ error: e instanceof Error ? (e.stack ?? e.message) : String(e) });
  }
});
