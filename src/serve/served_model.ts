/**
 * The model a server answers with: a checkpoint opened on a backend, its featurizer, a stable id
 * naming the run, file and version, and the reward statistics for normalisation.
 *
 * @module
 */
import { basename, dirname } from "node:path";
import { CheckpointScorer } from "../compute/checkpoint_scorer.ts";
import { openBackend } from "../compute/open_backend.ts";
import { Featurizer } from "../model/featurizer.ts";
import type { Logger } from "../contracts/types.ts";
import type { RewardStats } from "../model/reward_stats.ts";
import { type BatchPlan, planBatch, type ScoreJob } from "./batch_plan.ts";
import { textPairFeatures } from "./text_features.ts";
import type { Scores } from "../model/types.ts";

/** What `/v1/model` reports about a served model. */
export interface ModelInfo {
  /** `<run>/<checkpoint name>@<createdAt>`: changes with every new checkpoint. */
  id: string;
  /** The run directory's name. */
  run: string;
  checkpoint: string;
  iteration: number;
  createdAt: string;
  runId: string | null;
  stageId: string | null;
  /** True for the model a SER loop kept (best validation accuracy). */
  kept: boolean;
  metrics: Record<string, unknown>;
  /** Mean and std of rewards over the training pool (null for older checkpoints). */
  rewardStats: RewardStats | null;
  backend: "webgpu" | "cpu";
  model: { buckets: number; dim: number; hidden: number };
}

/**
 * @param path A checkpoint path (`<run>/checkpoints/<name>.ckpt`).
 * @param createdAt The checkpoint's creation time.
 * @returns The model id.
 * @example
 * ```ts
 * import { modelId } from "./served_model.ts";
 * if (modelId("runs/x/checkpoints/evolve.ckpt", "T") !== "x/evolve@T") throw new Error();
 * ```
 */
export function modelId(path: string, createdAt: string): string {
  const dir = dirname(path);
  const run = basename(dir) === "checkpoints" ? basename(dirname(dir)) : basename(dir);
  return `${run}/${basename(path).replace(/\.ckpt$/, "")}@${createdAt}`;
}

/** A loaded model; `destroy()` frees its backend. */
export class ServedModel {
  readonly info: ModelInfo;
  #scorer: CheckpointScorer;
  #featurizer: Featurizer;

  private constructor(scorer: CheckpointScorer) {
    const { model, featurizer, metadata } = scorer.checkpoint;
    if (!featurizer || model.input !== "bag") {
      throw new Error(
        `Cannot serve checkpoint '${scorer.path}' as its model reads precomputed embeddings, ` +
          `not text: serve a model trained with input "bag"`,
      );
    }
    this.#scorer = scorer;
    this.#featurizer = new Featurizer(featurizer);
    const dir = dirname(scorer.path);
    this.info = {
      id: modelId(scorer.path, metadata.createdAt),
      run: basename(basename(dir) === "checkpoints" ? dirname(dir) : dir),
      checkpoint: scorer.path,
      iteration: metadata.iteration,
      createdAt: metadata.createdAt,
      runId: metadata.runId ?? null,
      stageId: metadata.stageId ?? null,
      kept: metadata.kept === true,
      metrics: metadata.metrics,
      rewardStats: metadata.rewardStats ?? null,
      backend: scorer.backendKind,
      model: { buckets: model.buckets, dim: model.dim, hidden: model.hidden },
    };
  }

  /**
   * Opens a checkpoint for serving.
   *
   * @param path The checkpoint file.
   * @param backend `webgpu`, `cpu` or `auto`.
   * @param log Where loading is logged.
   * @returns The model.
   * @throws {Error} For a damaged checkpoint or one on precomputed embeddings.
   */
  static async open(
    path: string,
    backend: "webgpu" | "cpu" | "auto",
    log: Logger,
  ): Promise<ServedModel> {
    const scorer = await CheckpointScorer.load(path, (cfg) => openBackend(backend, cfg, log));
    log.info("model loaded", { checkpoint: path, backend: scorer.backendKind });
    try {
      return new ServedModel(scorer);
    } catch (e) {
      scorer.destroy();
      throw e;
    }
  }

  /** The model's id (see `ModelInfo.id`). */
  get id(): string {
    return this.info.id;
  }

  /**
   * Scores the jobs of one micro-batch: one featurization pass, one backend load and (up to
   * `chunk` pairs) one score call, i.e. one GPU submission on WebGPU.
   *
   * @param jobs The jobs.
   * @param chunk Pairs per backend call.
   * @returns The plan (where each job's rows went) and the rewards of its pairs.
   */
  async scoreJobs(
    jobs: readonly ScoreJob[],
    chunk = 65536,
  ): Promise<{ plan: BatchPlan; scores: Scores }> {
    const plan = planBatch(jobs);
    const features = textPairFeatures(plan.pairs, this.#featurizer);
    return { plan, scores: await this.#scorer.scoreFeatures(features, chunk) };
  }

  /** Frees the backend. */
  destroy(): void {
    this.#scorer.destroy();
  }
}
