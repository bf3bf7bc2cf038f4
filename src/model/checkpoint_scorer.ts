/**
 * A trained model opened from a checkpoint, scoring pair batches: shared by the `score` and
 * `evaluate` stages. Token ids come from the batch's id columns (checked against the
 * checkpoint's featurizer) or from its text, featurized with the checkpoint's settings.
 *
 * @module
 */
import { resolve } from "node:path";
import type { Batch, StageContext } from "../pipeline/types.ts";
import { openBackend } from "./open_backend.ts";
import { type Checkpoint, loadCheckpoint } from "./checkpoint.ts";
import { latestCheckpoint } from "./latest_checkpoint.ts";
import { featuresFromBatches } from "./pair_features.ts";
import type { RewardBackend, Scores } from "./types.ts";
import { verifyIdColumns } from "./verify_ids.ts";

/** A loaded model ready to score batches. Call `destroy()` when done. */
export class CheckpointScorer {
  readonly path: string;
  readonly checkpoint: Omit<Checkpoint, "params" | "optimizer">;
  #backend: RewardBackend;

  private constructor(path: string, ckpt: Checkpoint, backend: RewardBackend) {
    this.path = path;
    this.checkpoint = { model: ckpt.model, featurizer: ckpt.featurizer, metadata: ckpt.metadata };
    this.#backend = backend;
  }

  /**
   * Opens the checkpoint at `path` (relative to the pipeline file), or the newest one this run
   * wrote when `path` is not given, on the run's backend.
   *
   * @param path The checkpoint file, or undefined for the run's latest.
   * @param ctx The stage context (pipeline dir, run dir and id, backend, logger).
   * @returns The scorer.
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
    const ckpt = await loadCheckpoint(file);
    const backend = await openBackend(ctx.backend, ckpt.model, ctx.log);
    try {
      await backend.setParams(ckpt.params);
    } catch (e) {
      backend.destroy();
      throw e;
    }
    ctx.log.info("model loaded", { checkpoint: file, backend: backend.kind });
    return new CheckpointScorer(file, ckpt, backend);
  }

  /**
   * Rewards of every row of `batch`, in row order.
   *
   * @param batch A pair batch (text, id columns or embedding columns, as the model needs).
   * @param chunk Pairs per backend call.
   * @returns Float32 rewards of responses a and b.
   */
  async scoreBatch(batch: Batch, chunk = 4096): Promise<Scores> {
    const { model, featurizer } = this.checkpoint;
    if (featurizer) verifyIdColumns([batch], featurizer, `the model in '${this.path}'`);
    const f = featuresFromBatches([batch], { ...model, featurizer: featurizer ?? undefined });
    await this.#backend.load(f);
    const rewardA = new Float32Array(f.n), rewardB = new Float32Array(f.n);
    for (let start = 0; start < f.n; start += chunk) {
      const end = Math.min(f.n, start + chunk);
      const s = await this.#backend.score(
        Uint32Array.from({ length: end - start }, (_, i) => start + i),
      );
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
