/**
 * `pool`: writes pair batches, and the human labels they carry, to the run's labelled pool.
 *
 * @module
 */
import { type OperatorFunction, tap } from "rxjs";
import type { Batch, StageContext, StageSpec } from "../contracts/types.ts";
import { runPool } from "../pool/run_pool.ts";
import { humanLabelRows } from "../pool/batch_labels.ts";

const SPLITS = ["seed", "unlabelled", "validation", "test", "unsplit"] as const;

/** The `pool` stage's spec. */
export const spec: StageSpec = {
  name: "pool",
  summary: "Writes pair batches and their human labels to the run's pool (DuckDB); passes them on.",
  description: "Writes every incoming pair batch to `pairs` in `<run dir>/pool.duckdb` (a pair " +
    "already there keeps its text and takes the batch's split), and the human labels of its " +
    "labelled rows in `label_splits` to `labels` (origin `human`, rule `seed`, iteration 0; " +
    "labels already recorded for this run are not repeated on `--resume`). One transaction per " +
    "batch. Hidden `gold` labels are stored in `pairs.gold` for evaluation, never as labels. " +
    "Batches pass through unchanged. Query the pool with `deno task query`.",
  kind: "sink",
  fields: {
    labels: {
      type: "boolean",
      default: true,
      description: "Also record the human labels of labelled rows.",
    },
    label_splits: {
      type: "array",
      items: { type: "enum", values: SPLITS, description: "A split." },
      single: true,
      default: ["seed", "unsplit"],
      description: "Splits whose human labels are recorded (`unsplit`: rows before a split " +
        "stage). Validation and test labels stay out of the training pool by default.",
    },
    dataset: {
      type: "string",
      default: "",
      description: "The `dataset` of the pairs (default: their `source` without `:line`).",
    },
  },
  examples: [
    { title: "After the split", yaml: "use: pool" },
    {
      title: "Pairs only, named",
      yaml: "use: pool\nwith: { labels: false, dataset: hh-harmless }",
    },
  ],
};

/** Config of `pool`. */
export interface PoolConfig {
  labels: boolean;
  label_splits: (typeof SPLITS)[number][];
  dataset: string;
}

/**
 * @param cfg The validated config.
 * @param ctx The stage context.
 * @returns An operator that writes each batch to the pool and passes it on.
 */
export function operator(cfg: PoolConfig, ctx: StageContext): OperatorFunction<Batch, Batch> {
  const splits = cfg.label_splits.map((s) => (s === "unsplit" ? "" : s));
  return (source) => {
    let pairs = 0, labels = 0;
    return source.pipe(
      ctx.mapAsync(async (batch) => {
        const pool = await runPool(ctx);
        await pool.transaction(async (tx) => {
          pairs += await tx.insertPairs(batch, { dataset: cfg.dataset || undefined });
          if (cfg.labels) {
            labels += await tx.appendLabels(humanLabelRows(batch, splits), {
              skipDuplicates: true,
            });
          }
        });
        return batch;
      }),
      tap({ complete: () => ctx.log.info("pool written", { pairs, human_labels: labels }) }),
    );
  };
}
