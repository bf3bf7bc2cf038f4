/**
 * `evaluate`: pairwise metrics of the reward model on the labelled rows of one split (accuracy,
 * Bradley-Terry loss, reward margin, ECE with its reliability bins), logged and written to
 * `<runDir>/<stageId>.json`. Batches pass through unchanged.
 *
 * @module
 */
import { concat, defer, ignoreElements, type OperatorFunction } from "rxjs";
import { join } from "node:path";
import type { Batch, StageContext, StageSpec } from "../contracts/types.ts";
import { CheckpointScorer } from "../compute/checkpoint_scorer.ts";
import { labelledRows, type LabelSource } from "../model/labelled_rows.ts";
import { evaluatePairs } from "../model/metrics.ts";

/** The `evaluate` stage's spec. */
export const spec: StageSpec = {
  name: "evaluate",
  summary: "Measures the reward model on one split: accuracy, loss, margin, ECE.",
  description: "Uses the batches' `reward_a`/`reward_b` columns when present (a `score` stage " +
    "before it), else scores the rows with `checkpoint` (default: the newest checkpoint this " +
    "run wrote). Only rows of `split` with a label count; ties count as half right. Writes " +
    "`<runDir>/<stageId>.json` with the metrics and the 10-bin reliability diagram.",
  fields: {
    split: {
      type: "string",
      default: "test",
      description: 'The split to evaluate ("" = unsplit rows).',
    },
    labels: {
      type: "enum",
      values: ["label", "gold", "either"],
      default: "label",
      description: "Which label to score against: label, the hidden gold label of unlabelled " +
        "pairs (evaluation only), or label where present else gold.",
    },
    checkpoint: {
      type: "path",
      description: "Checkpoint for rows without reward columns (default: newest in this run).",
    },
  },
  examples: [
    {
      title: "Test accuracy of the model just trained",
      yaml: "use: evaluate\nwith: { split: test }",
    },
    {
      title: "How well the model labels the unlabelled pool",
      yaml: "use: evaluate\nwith: { split: unlabelled, labels: gold }",
    },
  ],
};

/** Config of `evaluate`. */
export interface EvaluateConfig {
  split: string;
  labels: LabelSource;
  checkpoint?: string;
}

/**
 * @param cfg The validated config.
 * @param ctx The stage context.
 * @returns An operator that passes batches through and writes the metrics at the end.
 */
export function operator(cfg: EvaluateConfig, ctx: StageContext): OperatorFunction<Batch, Batch> {
  return (source) =>
    defer(() => {
      const ra: number[] = [], rb: number[] = [], ys: number[] = [];
      let scorer: Promise<CheckpointScorer> | undefined;
      const collect = ctx.mapAsync(async (batch) => {
        const rows = labelledRows([batch], [cfg.split], cfg.labels);
        if (rows.rows.length === 0) return batch;
        const colA = batch.getChild("reward_a"), colB = batch.getChild("reward_b");
        let a: (i: number) => number, b: (i: number) => number;
        if (colA && colB) {
          a = (i) => colA.get(i), b = (i) => colB.get(i);
        } else {
          const s = await (scorer ??= CheckpointScorer.open(cfg.checkpoint, ctx));
          const { rewardA, rewardB } = await s.scoreBatch(batch);
          a = (i) => rewardA[i], b = (i) => rewardB[i];
        }
        rows.rows.forEach((r, k) => {
          ra.push(a(r));
          rb.push(b(r));
          ys.push(rows.labels[k]);
        });
        return batch;
      });
      const report = defer(async () => {
        const m = evaluatePairs(ra, rb, ys);
        if (m.n === 0) {
          ctx.log.warn(
            `no rows of split '${cfg.split}' have a ${cfg.labels} label: nothing to evaluate`,
          );
        } else {
          ctx.log.info("evaluation", {
            split: cfg.split,
            n: m.n,
            accuracy: m.accuracy,
            loss: m.loss,
            ece: m.ece,
            margin: m.marginMean,
          });
        }
        const checkpoint = scorer ? (await scorer).path : null;
        const out = { stage: ctx.stageId, split: cfg.split, labels: cfg.labels, checkpoint, ...m };
        await Deno.mkdir(ctx.runDir, { recursive: true });
        await Deno.writeTextFile(
          join(ctx.runDir, `${ctx.stageId}.json`),
          JSON.stringify(out, null, 2) + "\n",
        );
      }).pipe(ignoreElements());
      return concat(source.pipe(collect), report).pipe();
    });
}
