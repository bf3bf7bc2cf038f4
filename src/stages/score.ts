/**
 * `score`: adds the reward model's `reward_a`, `reward_b`, `p_a = sigmoid(reward_a)` and
 * `p_b = sigmoid(reward_b)` (Float32) to every pair batch.
 *
 * @module
 */
import { defer, type OperatorFunction } from "rxjs";
import { Float32, makeData } from "apache-arrow";
import type { Batch, StageContext, StageSpec } from "../contracts/types.ts";
import { withColumns } from "../data/schema.ts";
import { CheckpointScorer } from "../compute/checkpoint_scorer.ts";
import { sigmoid } from "../model/math.ts";

/** The `score` stage's spec. */
export const spec: StageSpec = {
  name: "score",
  summary: "Scores pairs with the reward model: adds reward_a, reward_b, p_a, p_b.",
  description: "Loads the model from `checkpoint` (default: the newest checkpoint this run " +
    "wrote, e.g. by a `train` stage before it) on the run's backend and scores every row. " +
    "Token ids come from the batch's id columns when present (checked against the " +
    "checkpoint's featurizer settings), else from its text. `p_a` and `p_b` are the logistic " +
    "of each reward (the pointwise probabilities SER's selection uses).",
  fields: {
    checkpoint: {
      type: "path",
      description: "Checkpoint file (default: the newest one written in this run).",
    },
    batch: {
      type: "integer",
      default: 4096,
      min: 1,
      description: "Pairs per backend call (one GPU dispatch and readback).",
    },
  },
  examples: [
    { title: "Score with the model just trained", yaml: "use: score" },
    {
      title: "Score with a saved model",
      yaml: "use: score\nwith: { checkpoint: ./models/rm.ckpt }",
    },
  ],
};

/** Config of `score`. */
export interface ScoreConfig {
  checkpoint?: string;
  batch: number;
}

/** Float32 Arrow Data over `values` (shared, not copied). */
function _float32Column(values: Float32Array) {
  return makeData({ type: new Float32(), length: values.length, nullCount: 0, data: values });
}

/**
 * @param cfg The validated config.
 * @param ctx The stage context.
 * @returns An operator that adds the reward columns to each batch.
 */
export function operator(cfg: ScoreConfig, ctx: StageContext): OperatorFunction<Batch, Batch> {
  return (source) =>
    defer(() => {
      let scorer: Promise<CheckpointScorer> | undefined;
      return source.pipe(
        ctx.mapAsync(async (batch) => {
          const s = await (scorer ??= CheckpointScorer.open(cfg.checkpoint, ctx));
          const { rewardA, rewardB } = await s.scoreBatch(batch, cfg.batch);
          return withColumns(batch, {
            reward_a: _float32Column(rewardA),
            reward_b: _float32Column(rewardB),
            p_a: _float32Column(rewardA.map(sigmoid)),
            p_b: _float32Column(rewardB.map(sigmoid)),
          });
        }),
      );
    });
}
