/**
 * A trained model opened from a checkpoint, scoring pair batches: shared by the `score` and
 * `evaluate` stages. Token ids come from the batch's id columns (checked against the
 * checkpoint's featurizer) or from its text, featurized with the checkpoint's settings.
 *
 * @module
 */
import { resolve } from "node:path";
import type { Batch, Logger, StageContext } from "../pipeline/types.ts";
import { openBackend } from "./open_backend.ts";
import { type Checkpoint, loadCheckpoint } from "./checkpoint.ts";
import { latestCheckpoint } from "./latest_checkpoint.ts";
import { featuresFromBatches } from "./pair_features.ts";
import type { PairFeatures, RewardBackend, Scores } from "./types.ts";
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
    return await CheckpointScorer.fromFile(file, ctx.backend, ctx.log);
  }

  /**
   * Opens the checkpoint at `path` on a backend of the given kind (outside a pipeline run).
   *
   * @param file The checkpoint file.
   * @param backend `webgpu`, `cpu` or `auto` (see `openBackend`).
   * @param log Where the backend choice and the loaded model are logged.
   * @returns The scorer.
   * @example
   * ```ts
   * import { CheckpointScorer } from "./checkpoint_scorer.ts";
   * import { saveCheckpoint } from "./checkpoint.ts";
   * import { zeroParams } from "./params.ts";
   * import { DEFAULT_MODEL } from "./types.ts";
   * const model = { ...DEFAULT_MODEL, buckets: 8, dim: 2, hidden: 3 };
   * const path = await Deno.makeTempFile({ suffix: ".ckpt" });
   * await saveCheckpoint(path, { model, featurizer: null, params: zeroParams(model),
   *   metadata: { createdAt: "2025-01-01T00:00:00Z", iteration: 0, dataHash: "", metrics: {} } });
   * const noop = () => {};
   * const s = await CheckpointScorer.fromFile(path, "cpu", { debug: noop, info: noop, warn: noop, error: noop });
   * if (s.checkpoint.model.dim !== 2) throw new Error();
   * s.destroy();
   * await Deno.remove(path);
   * ```
   */
  static async fromFile(
    file: string,
    backend: "webgpu" | "cpu" | "auto",
    log: Logger,
  ): Promise<CheckpointScorer> {
    const ckpt = await loadCheckpoint(file);
    const b = await openBackend(backend, ckpt.model, log);
    try {
      await b.setParams(ckpt.params);
    } catch (e) {
      b.destroy();
      throw e;
    }
    log.info("model loaded", { checkpoint: file, backend: b.kind });
    return new CheckpointScorer(file, ckpt, b);
  }

  /** The kind of backend the model runs on. */
  get backendKind(): "webgpu" | "cpu" {
    return this.#backend.kind;
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
    return await this.scoreFeatures(f, chunk);
  }

  /**
   * Rewards of featurized pairs (ids made with this checkpoint's featurizer), in pair order:
   * one backend load, then one score call per `chunk` pairs.
   *
   * @param f The pairs' features.
   * @param chunk Pairs per backend call.
   * @returns Float32 rewards of responses a and b.
   */
  async scoreFeatures(f: PairFeatures, chunk = 4096): Promise<Scores> {
    await this.#backend.load(f);
    if (f.n <= chunk) return await this.#backend.score(_range(0, f.n));
    const rewardA = new Float32Array(f.n), rewardB = new Float32Array(f.n);
    for (let start = 0; start < f.n; start += chunk) {
      const end = Math.min(f.n, start + chunk);
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
