/**
 * The SER loop's checkpoint files: `<runDir>/checkpoints/iter-<n>.ckpt` per iteration (model and
 * optimizer, what `--resume` restores) and `<runDir>/checkpoints/<stageId>.ckpt`, the kept model
 * (best validation accuracy), which `score` and `evaluate` pick up by default.
 *
 * @module
 */
import { join } from "node:path";
import { type Checkpoint, loadCheckpoint, saveCheckpoint } from "../model/checkpoint.ts";
import type { FeaturizerConfig } from "../model/featurizer.ts";
import type { RewardStats } from "../model/reward_stats.ts";
import type { ModelConfig, ModelParams, OptimizerState } from "../model/types.ts";
import type { IterationRecord } from "../report/metrics.ts";

/**
 * @param runDir The run directory.
 * @param iteration The iteration.
 * @returns `<runDir>/checkpoints/iter-<iteration>.ckpt`.
 * @example
 * ```ts
 * import { iterationCheckpointPath } from "./checkpoints.ts";
 * if (!iterationCheckpointPath("runs/x", 3).endsWith("iter-3.ckpt")) throw new Error();
 * ```
 */
export function iterationCheckpointPath(runDir: string, iteration: number): string {
  return join(runDir, "checkpoints", `iter-${iteration}.ckpt`);
}

/** Who wrote a checkpoint and with which settings. */
export interface CheckpointOwner {
  runDir: string;
  runId: string;
  stageId: string;
  model: ModelConfig;
  /** Null for a model on precomputed embeddings. */
  featurizer: FeaturizerConfig | null;
}

/**
 * Writes one iteration's model and optimizer state (atomically: temporary file and rename).
 *
 * @param owner The run, stage and settings.
 * @param record The iteration's metrics (stored in the checkpoint's metadata).
 * @param dataHash A hash of the iteration's training set.
 * @param params The weights after training.
 * @param optimizer The AdamW state after training.
 * @param rewardStats Reward mean and std over the training set (stored as `rewardStats`).
 * @returns The path written.
 */
export async function saveIterationCheckpoint(
  owner: CheckpointOwner,
  record: IterationRecord,
  dataHash: string,
  params: ModelParams,
  optimizer: OptimizerState,
  rewardStats?: RewardStats,
): Promise<string> {
  const path = iterationCheckpointPath(owner.runDir, record.iteration);
  const { reliability: _, ...metrics } = record;
  await saveCheckpoint(path, {
    model: owner.model,
    featurizer: owner.featurizer,
    params,
    optimizer,
    metadata: {
      createdAt: new Date().toISOString(),
      iteration: record.iteration,
      dataHash,
      metrics,
      runId: owner.runId,
      stageId: owner.stageId,
      ...(rewardStats ? { rewardStats } : {}),
    },
  });
  return path;
}

/**
 * Loads an iteration's checkpoint, refusing one made with other model or featurizer settings.
 *
 * @param owner The run, stage and settings the checkpoint must match.
 * @param iteration The iteration.
 * @returns The checkpoint.
 */
export function loadIterationCheckpoint(
  owner: CheckpointOwner,
  iteration: number,
): Promise<Checkpoint> {
  return loadCheckpoint(iterationCheckpointPath(owner.runDir, iteration), {
    model: owner.model,
    featurizer: owner.featurizer,
  });
}

/**
 * Writes the kept model as `<runDir>/checkpoints/<stageId>.ckpt` (weights only, newest
 * `createdAt`, so it is what `score` and `evaluate` load by default).
 *
 * @param owner The run, stage and settings.
 * @param iteration The kept iteration.
 * @returns The path written.
 */
export async function saveKeptModel(owner: CheckpointOwner, iteration: number): Promise<string> {
  const ckpt = await loadIterationCheckpoint(owner, iteration);
  const path = join(owner.runDir, "checkpoints", `${owner.stageId}.ckpt`);
  await saveCheckpoint(path, {
    model: ckpt.model,
    featurizer: ckpt.featurizer,
    params: ckpt.params,
    metadata: { ...ckpt.metadata, createdAt: new Date().toISOString(), kept: true },
  });
  return path;
}

/**
 * Rewrites an iteration's checkpoint without its optimizer state (a third of the size): once a
 * later iteration is committed, `--resume` never needs it again.
 *
 * @param owner The run, stage and settings.
 * @param iteration The iteration whose checkpoint to slim.
 */
export async function dropOptimizer(owner: CheckpointOwner, iteration: number): Promise<void> {
  const path = iterationCheckpointPath(owner.runDir, iteration);
  const ckpt = await loadIterationCheckpoint(owner, iteration);
  if (!ckpt.optimizer) return;
  await saveCheckpoint(path, { ...ckpt, optimizer: undefined });
}
