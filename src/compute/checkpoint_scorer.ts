/**
 * A trained model opened from a checkpoint, scoring pair batches: shared by the `score` and
 * `evaluate` stages of a run (one weight upload per checkpoint). Token ids come from the batch's
 * id columns (checked against the checkpoint's featurizer) or from its text, featurized with the
 * checkpoint's settings.
 *
 * @module
 */
import { resolve } from "node:path";
import type { Batch, StageContext } from "../contracts/types.ts";
import { type Checkpoint, loadCheckpoint } from "../model/checkpoint.ts";
import { latestCheckpoint } from "../model/latest_checkpoint.ts";
import { featuresFromBatches } from "../model/pair_features.ts";
import type { ModelConfig, PairFeatures, RewardBackend, Scores } from "../model/types.ts";
import { verifyIdColumns } from "../model/verify_ids.ts";
import { runCompute } from "./run_compute.ts";

/** A loaded model ready to score batches; calls run one at a time. */
export class CheckpointScorer {
  readonly path: string;
  readonly checkpoint: Omit<Checkpoint, "params" | "optimizer">;
  #backend: RewardBackend;
  #tail: Promise<unknown> = Promise.resolve();
  #loaded: Batch | null = null;

  private constructor(path: string, ckpt: Checkpoint, backend: RewardBackend) {
    this.path = path;
    this.checkpoint = { model: ckpt.model, featurizer: ckpt.featurizer, metadata: ckpt.metadata };
    this.#backend = backend;
  }

  /**
   * Opens the checkpoint at `path` (relative to the pipeline file), or the newest one this run
   * wrote when `path` is not given, on the run's compute (shared with other stages).
   *
   * @param path The checkpoint file, or undefined for the run's latest.
   * @param ctx The stage context (pipeline dir, run dir and id, resources, logger).
   * @returns The scorer, owned by the run: do not destroy it.
   * @throws {Error} When no checkpoint is given and the run has written none.
   */
  static async open(path: string | undefined, ctx: StageContext): Promise<CheckpointScorer> {
    const file = path
      ? resolve(ctx.pipeline.dir, path)
      : await latestCheckpoint(ctx.runDir, ctx.runId);
    if (!file) {
      throw new Error(
        `Cannot score in stage '${ctx.stageId}' as this run has written no checkpoint under ` +
          `${resolve(ctx.runDir, "checkpoints")}: put a train stage before it or set 'checkpoint'`,
      );
    }
    const compute = await runCompute(ctx);
    const scorer = await compute.scorer(file);
    ctx.log.info("model loaded", { checkpoint: file, backend: compute.kind });
    return scorer;
  }

  /**
   * Loads a checkpoint onto a backend from `open`.
   *
   * @param file The checkpoint file.
   * @param open Opens a backend for the checkpoint's model shape.
   * @returns The scorer; `destroy()` frees its backend.
   */
  static async load(
    file: string,
    open: (cfg: ModelConfig) => Promise<RewardBackend>,
  ): Promise<CheckpointScorer> {
    const ckpt = await loadCheckpoint(file);
    const backend = await open(ckpt.model);
    try {
      await backend.setParams(ckpt.params);
    } catch (e) {
      backend.destroy();
      throw e;
    }
    return new CheckpointScorer(file, ckpt, backend);
  }

  /** The kind of backend the model runs on. */
  get backendKind(): "webgpu" | "cpu" {
    return this.#backend.kind;
  }

  /**
   * Rewards of every row of `batch`, in row order. The batch's features are uploaded once, even
   * when several stages score the same batch.
   *
   * @param batch A pair batch (text, id columns or embedding columns, as the model needs).
   * @param chunk Pairs per backend call.
   * @returns Float32 rewards of responses a and b.
   */
  scoreBatch(batch: Batch, chunk = 4096): Promise<Scores> {
    const run = this.#tail.then(() => this.#score(batch, chunk));
    this.#tail = run.catch(() => {});
    return run;
  }

  /**
   * Rewards of featurized pairs (ids made with this checkpoint's featurizer), in pair order:
   * one backend load, then one score call per `chunk` pairs (one GPU submission each).
   *
   * @param f The pairs' features.
   * @param chunk Pairs per backend call.
   * @returns Float32 rewards of responses a and b.
   */
  scoreFeatures(f: PairFeatures, chunk = 65536): Promise<Scores> {
    const run = this.#tail.then(async () => {
      this.#loaded = null;
      await this.#backend.load(f);
      return await this.#scoreLoaded(f.n, chunk);
    });
    this.#tail = run.catch(() => {});
    return run;
  }

  async #score(batch: Batch, chunk: number): Promise<Scores> {
    const { model, featurizer } = this.checkpoint;
    if (this.#loaded !== batch) {
      if (featurizer) verifyIdColumns([batch], featurizer, `the model in '${this.path}'`);
      const f = featuresFromBatches([batch], { ...model, featurizer: featurizer ?? undefined });
      this.#loaded = null;
      await this.#backend.load(f);
      this.#loaded = batch;
    }
    return await this.#scoreLoaded(batch.numRows, chunk);
  }

  async #scoreLoaded(n: number, chunk: number): Promise<Scores> {
    if (n <= chunk) return await this.#backend.score(_range(0, n));
    const rewardA = new Float32Array(n), rewardB = new Float32Array(n);
    for (let start = 0; start < n; start += chunk) {
      const end = Math.min(n, start + chunk);
      const s = await this.#backend.score(_range(start, end));
      rewardA.set(s.rewardA, start);
      rewardB.set(s.rewardB, start);
    }
    return { rewardA, rewardB };
  }

  /** Frees the backend. */
  destroy(): void {
    this.#backend.destroy();
  }
}

function _range(start: number, end: number): Uint32Array {
  const out = new Uint32Array(end - start);
  for (let i = 0; i < out.length; i++) out[i] = start + i;
  return out;
}
