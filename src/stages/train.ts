/**
 * `train`: fits the reward model on the labelled rows of all incoming batches, writes
 * `<runDir>/checkpoints/<stageId>.ckpt`, and passes the batches through unchanged.
 *
 * @module
 */
import { concatMap, from, type OperatorFunction, toArray } from "rxjs";
import { join, resolve } from "node:path";
import type { Batch, StageContext, StageSpec } from "../contracts/types.ts";
import {
  FEATURIZER_FIELDS,
  featurizerConfigFromFields,
  fitOptionsFromFields,
  MODEL_FIELDS,
  modelConfigFromFields,
  TRAIN_FIELDS,
} from "../model/config_fields.ts";
import { runCompute } from "../compute/run_compute.ts";
import { loadCheckpoint, saveCheckpoint } from "../model/checkpoint.ts";
import { fitModel } from "../model/fit.ts";
import { labelledRows, trainingDataHash } from "../model/labelled_rows.ts";
import { featureCacheFor } from "../model/feature_cache.ts";
import { featuresFromBatches } from "../model/pair_features.ts";
import { initParams } from "../model/params.ts";
import { trainingRewardStats } from "../model/reward_stats.ts";
import { verifyIdColumns } from "../model/verify_ids.ts";

/** The `train` stage's spec. */
export const spec: StageSpec = {
  name: "train",
  summary: "Trains the reward model on labelled pairs and writes a checkpoint.",
  description: "Collects all batches, then trains on the rows of `splits` that have a `label` " +
    "(never `gold`) with the Bradley-Terry loss and AdamW, shuffling with the stage's seed each " +
    "epoch. Rows of `validation_split` are scored after every epoch, and training stops early " +
    "on their loss (`train.epoch_patience`), keeping the best epoch. Starts fresh, or from the " +
    "weights and optimizer state of `init`. Uses the batches' `prompt_ids`/`a_ids`/`b_ids` when " +
    "present (checked against `model.buckets` and `features`), else featurizes the text. " +
    "Writes `<runDir>/checkpoints/<stageId>.ckpt`, which `score` and `evaluate` use by default.",
  fields: {
    model: { type: "object", fields: MODEL_FIELDS, description: "The reward model's shape." },
    features: {
      type: "object",
      fields: FEATURIZER_FIELDS,
      description:
        "How text becomes token ids (as in the featurize stage; buckets = model.buckets).",
    },
    train: { type: "object", fields: TRAIN_FIELDS, description: "Optimizer and epochs." },
    splits: {
      type: "array",
      items: { type: "string", description: "A split name." },
      single: true,
      default: ["seed"],
      description: 'Splits whose labelled rows are trained on ("" = rows no split stage assigned).',
    },
    validation_split: {
      type: "string",
      default: "validation",
      description: 'Split scored after each epoch ("" for none).',
    },
    init: { type: "path", description: "Checkpoint to warm-start from (default: fresh weights)." },
    save_optimizer: {
      type: "boolean",
      default: true,
      description: "Store the AdamW moments in the checkpoint (3x the size; needed to resume).",
    },
  },
  examples: [
    { title: "Defaults", yaml: "use: train" },
    {
      title: "A small model, 5 epochs",
      yaml: "use: train\nwith:\n  model: { buckets: 65536, dim: 32, hidden: 64 }\n" +
        "  train: { epochs: 5, batch: 256, lr: 0.005, weight_decay: 0.01 }",
    },
  ],
};

/** Config of `train` (snake_case as in the pipeline file). */
export interface TrainConfig {
  // deno-lint-ignore no-explicit-any
  model: Record<string, any>;
  // deno-lint-ignore no-explicit-any
  features: Record<string, any>;
  // deno-lint-ignore no-explicit-any
  train: Record<string, any>;
  splits: string[];
  validation_split: string;
  init?: string;
  save_optimizer: boolean;
}

/**
 * @param cfg The validated config.
 * @param ctx The stage context.
 * @returns An operator that trains once all batches arrived, then re-emits them.
 */
export function operator(cfg: TrainConfig, ctx: StageContext): OperatorFunction<Batch, Batch> {
  return (source) =>
    source.pipe(
      toArray(),
      concatMap(async (batches) => {
        await trainOn(batches, cfg, ctx);
        return batches;
      }),
      concatMap((batches) => from(batches)),
    );
}

async function trainOn(batches: Batch[], cfg: TrainConfig, ctx: StageContext): Promise<void> {
  const model = modelConfigFromFields(cfg.model);
  const featurizer = model.input === "bag"
    ? featurizerConfigFromFields(cfg.features, model.buckets)
    : null;
  const opts = fitOptionsFromFields(cfg.train);
  const where = `stage '${ctx.stageId}'`;
  const train = labelledRows(batches, cfg.splits);
  if (train.rows.length === 0) {
    const total = batches.reduce((a, b) => a + b.numRows, 0);
    throw new Error(
      `Cannot train in ${where} as none of the ${total} rows is labelled in splits ` +
        `${JSON.stringify(cfg.splits)}: run a split stage first or set 'splits'`,
    );
  }
  const val = cfg.validation_split ? labelledRows(batches, [cfg.validation_split]) : undefined;
  if (featurizer) verifyIdColumns(batches, featurizer, where);
  const features = featuresFromBatches(batches, {
    ...model,
    featurizer: featurizer ?? undefined,
    cache: featureCacheFor(ctx),
  });
  const backend = await (await runCompute(ctx)).backend(model);
  try {
    await backend.load(features);
    let iteration = 0;
    if (cfg.init) {
      const path = resolve(ctx.pipeline.dir, cfg.init);
      const ckpt = await loadCheckpoint(path, { model, featurizer });
      await backend.setParams(ckpt.params, ckpt.optimizer);
      iteration = ckpt.metadata.iteration;
      ctx.log.info("warm start", { checkpoint: path, step: ckpt.optimizer?.step ?? 0 });
    } else {
      await backend.setParams(initParams(model, ctx.rng.fork("init")));
    }
    const set = {
      indices: train.rows,
      labels: train.labels,
      weights: new Float32Array(train.rows.length).fill(1),
    };
    ctx.log.info("training", {
      pairs: set.indices.length,
      validation: val?.rows.length ?? 0,
      backend: backend.deviceName,
      epochs: opts.epochs,
    });
    const bar = ctx.progress("epochs", opts.epochs);
    const started = performance.now();
    const records = await fitModel(backend, set, opts, ctx.rng.fork("shuffle"), {
      validation: val && val.rows.length > 0
        ? { indices: val.rows, labels: val.labels }
        : undefined,
      signal: ctx.signal,
      patience: cfg.train.epoch_patience ?? 2,
      onEpoch: (r) => {
        bar.tick();
        ctx.log.info("epoch", {
          epoch: r.epoch,
          loss: r.loss,
          accuracy: r.accuracy,
          ...(r.validation
            ? { val_accuracy: r.validation.accuracy, val_loss: r.validation.loss }
            : {}),
        });
      },
    });
    bar.done();
    const rewardStats = await trainingRewardStats(backend, set.indices);
    const { params, optimizer } = await backend.getParams();
    const last = records.find((r) => r.kept) ?? records.at(-1);
    const path = join(ctx.runDir, "checkpoints", `${ctx.stageId}.ckpt`);
    await saveCheckpoint(path, {
      model,
      featurizer,
      params,
      optimizer: cfg.save_optimizer ? optimizer : undefined,
      metadata: {
        createdAt: new Date().toISOString(),
        iteration,
        dataHash: trainingDataHash(train),
        metrics: {
          trainPairs: set.indices.length,
          epochs: records.length,
          keptEpoch: last?.epoch ?? 0,
          seconds: (performance.now() - started) / 1000,
          trainLoss: last?.loss ?? null,
          trainAccuracy: last?.accuracy ?? null,
          validation: last?.validation ?? null,
        },
        runId: ctx.runId,
        stageId: ctx.stageId,
        backend: backend.kind,
        rewardStats,
      },
    });
    ctx.log.info("checkpoint written", { path });
  } finally {
    backend.destroy();
  }
}
