/**
 * `ser`: the self-evolving reward model loop (docs/design.md, "The algorithm"). Collects every pair
 * batch, featurizes once, loads the features into the backend once, then per iteration scores the
 * unlabelled pairs, selects confident ones, retrains, evaluates and commits the iteration to the
 * pool; emits one batch per iteration.
 *
 * @module
 */
import {
  catchError,
  concatMap,
  defer,
  EMPTY,
  finalize,
  from,
  map,
  type Observable,
  type OperatorFunction,
  throwError,
  toArray,
} from "rxjs";
import type { Batch, StageContext, StageSpec } from "../contracts/types.ts";
import { runCompute } from "../compute/run_compute.ts";
import { featureCacheFor } from "../model/feature_cache.ts";
import { featuresFromBatches } from "../model/pair_features.ts";
import { verifyIdColumns } from "../model/verify_ids.ts";
import { pairRows } from "../data/schema.ts";
import { checkSerConfig, loopOptions, SER_FIELDS, type SerConfig } from "../ser/config.ts";
import { collectPairs } from "../ser/dataset.ts";
import { serLoop } from "../ser/loop.ts";
import { openPoolStore } from "../ser/pool_store.ts";
import { eventBatch } from "../ser/event_batch.ts";
import { pct } from "../report/svg.ts";
import type { ModelConfig } from "../model/types.ts";
import { applyTuning, autoTune, tuneGrid, type TuneResult } from "../ser/auto_tune.ts";
import { estimateHeadroom } from "../ser/headroom.ts";
import type { HeadroomResult } from "../report/metrics.ts";
import { onIterationHook } from "./ser_on_iteration.ts";
import { onSelectedHook } from "./ser_on_selected.ts";
import { charViewFeaturizer, type CoView } from "../ser/cotrain.ts";
import { ID_COLUMNS } from "../model/id_columns.ts";

/** The `ser` stage's spec. */
export const spec: StageSpec = {
  name: "ser",
  summary: "Self-evolving reward model: train on the seed, self-label, retrain until it converges.",
  description: "Needs pairs after a `split` stage. Iteration 0 trains on the human seed labels " +
    "(`label` of `seed` rows). Each further iteration scores the unlabelled pairs with the " +
    "current model, keeps the confident ones (`select.policy`), labels each with the side the " +
    "model prefers, retrains on seed plus self-labels, and evaluates on the `test` split. The " +
    "`gold` labels of unlabelled pairs are read only to report self-label precision (and, in " +
    "`all-labels` mode, to train the upper reference). The loop stops on `max_iterations`, when " +
    "fewer than `min_new_pairs` new pairs are selected, or when validation accuracy has not " +
    "improved for `patience` iterations; the kept model is the best by validation accuracy " +
    "(`checkpoints/<stage id>.ckpt`). Every iteration's labels, metrics and checkpoint " +
    "(`checkpoints/iter-<n>.ckpt`) are committed to the pool in one transaction, and `--resume` " +
    "continues after the last committed one. Emits, per iteration, the rows it labelled (with " +
    "`origin`, `rule`, `iteration`, `p_a`, `p_b`, `margin`, `swapped`) carrying the run metrics " +
    "for the `report` stage.",
  fields: SER_FIELDS,
  check: (c) => checkSerConfig(c as unknown as SerConfig),
  examples: [
    { title: "The paper's loop with learning-status identification", yaml: "use: ser" },
    {
      title: "Reference rule, confidence-weighted self-labels",
      yaml: "use: ser\nwith:\n  select: { policy: either }\n  train: { weighting: confidence }\n" +
        "  stop: { max_iterations: 5, patience: 2 }",
    },
    { title: "The seed-only baseline", yaml: "use: ser\nwith: { mode: seed-only }" },
    {
      title: "Incremental retraining: new self-labels plus a replay of half the seed",
      yaml:
        "use: ser\nwith:\n  train: { retrain: incremental, incremental_epochs: 2, replay: 0.5 }",
    },
  ],
};

/**
 * @param cfg The validated config.
 * @param ctx The stage context.
 * @returns An operator that emits one batch per SER iteration.
 */
export function operator(cfg: SerConfig, ctx: StageContext): OperatorFunction<Batch, Batch> {
  return (source) =>
    source.pipe(
      toArray(),
      concatMap((batches) => _run(batches, cfg, ctx)),
    );
}

function _run(batches: Batch[], cfg: SerConfig, ctx: StageContext): Observable<Batch> {
  let opts = loopOptions(cfg);
  const featurizer = opts.model.input === "bag" ? opts.featurizer : null;
  return defer(() => from(_setup())).pipe(
    concatMap((loop) => {
      const bar = ctx.progress("iterations", opts.mode === "ser" ? opts.stop.maxIterations + 1 : 1);
      const phase = (k: number, text: string) => bar.status(`iteration ${k}: ${text}`);
      // A stop decided before training (nothing new to label) emits the last iteration again.
      let logged = -1;
      return serLoop({ ...loop, onPhase: phase }).pipe(
        map((e) => {
          const r = e.state.metrics.iterations.at(-1)!;
          if (!e.replayed && r.iteration !== logged) {
            logged = r.iteration;
            bar.tick();
            ctx.log.info(`iteration ${r.iteration}`, {
              status: r.status,
              scored: r.scored,
              selected: r.selected,
              pool: r.poolSize,
              validation: pct(r.validationAccuracy),
              test: pct(r.testAccuracy),
              precision: pct(r.selfLabelPrecision),
              ...(r.cotrain
                ? {
                  char_view_validation: pct(r.cotrain.validationAccuracy),
                  char_view_test: pct(r.cotrain.testAccuracy),
                }
                : {}),
            });
          }
          if (e.done) {
            const f = e.state.metrics.final!;
            ctx.log.info(`stopped: ${e.state.metrics.stopReason}`, {
              kept: f.iteration,
              test: pct(f.testAccuracy),
            });
            const ran = e.state.metrics.iterations.length;
            bar.update(ran, ran);
            bar.done();
          }
          return eventBatch(e, loop.rows);
        }),
        finalize(() => {
          loop.backend.destroy();
          loop.coView?.backend.destroy();
        }),
      );
    }),
    // Interrupted (SIGINT): end quietly; the committed iterations are what `--resume` continues.
    catchError((e) => ctx.signal.aborted ? EMPTY : throwError(() => e)),
  );

  async function _setup() {
    const where = `stage '${ctx.stageId}'`;
    const data = collectPairs(batches);
    if (featurizer) verifyIdColumns(batches, featurizer, where);
    const cotrain = opts.select.cotrain !== null && opts.mode === "ser";
    if (cotrain) _checkCotrain(batches, where, opts);
    const features = featuresFromBatches(batches, {
      ...opts.model,
      featurizer: featurizer ?? undefined,
      cache: featureCacheFor(ctx),
    });
    const seed = ctx.rng.nextU32();
    const compute = await runCompute(ctx);
    const open = async (model: ModelConfig) => {
      const b = await compute.backend(model);
      try {
        await b.load(features);
        return b;
      } catch (e) {
        b.destroy();
        throw e;
      }
    };
    let tuning: TuneResult | undefined;
    if (opts.train.auto) {
      // Deterministic (same seed, same choice), so a resumed run repeats it instead of storing it.
      const bar = ctx.progress("train.auto candidates", tuneGrid(opts).length);
      tuning = await autoTune(data, opts, seed, open, ctx.signal, () => bar.tick());
      bar.done();
      opts = applyTuning(opts, tuning);
      const c = tuning.candidates[tuning.chosen];
      ctx.log.info("train.auto", {
        lr: c.lr,
        [tuning.widthField]: c.width,
        weight_decay: c.weightDecay,
        epochs: c.epochs,
        validation_loss: c.validationLoss,
      });
    }
    const coView = cotrain ? await _coView(batches, compute, opts, featurizer!, ctx) : undefined;
    const backend = await compute.backend(opts.model);
    try {
      await backend.load(features);
      const owner = {
        runDir: ctx.runDir,
        runId: ctx.runId,
        stageId: ctx.stageId,
        model: opts.model,
        featurizer,
      };
      const store = await openPoolStore(ctx, owner, data, batches);
      ctx.log.info("SER loop", {
        mode: opts.mode,
        pairs: data.n,
        seed: data.seed.length,
        unlabelled: data.unlabelled.length,
        validation: data.validation.length,
        test: data.test.length,
        backend: backend.deviceName,
      });
      let headroom: HeadroomResult | undefined;
      if (opts.headroom.enabled) {
        ctx.log.info("headroom check", { fractions: opts.headroom.fractions.join(" ") });
        // The loop starts from fresh (or restored) weights, so the check may use the backend.
        headroom = await estimateHeadroom(
          { data, backend, opts, seed, store, signal: ctx.signal, log: ctx.log },
          opts.headroom,
        );
        ctx.log.info("headroom", {
          seed_accuracy: pct(headroom.seedAccuracy),
          predicted_all_labels: pct(headroom.predictedAllLabels),
          seconds: headroom.seconds.toFixed(1),
        });
      }
      const rows = batches.flatMap(pairRows);
      return {
        data,
        backend,
        features,
        coView,
        opts,
        seed,
        tuning,
        headroom,
        store,
        signal: ctx.signal,
        log: ctx.log,
        rows,
        onSelected: cfg.on_selected?.length
          ? onSelectedHook(cfg.on_selected, ctx, rows)
          : undefined,
        onIteration: cfg.on_iteration?.length ? onIterationHook(cfg.on_iteration, ctx) : undefined,
      };
    } catch (e) {
      backend.destroy();
      coView?.backend.destroy();
      throw e;
    }
  }
}

/** `select.cotrain` needs hashed bags, texts and a valid character range. */
function _checkCotrain(batches: Batch[], where: string, opts: ReturnType<typeof loopOptions>) {
  const co = opts.select.cotrain!;
  const fail = (what: string) => {
    throw new RangeError(`Cannot run ${where} with select.cotrain as ${what}`);
  };
  if (opts.model.input !== "bag") {
    fail("it needs hashed bags: set model.input to bag (or cotrain to false)");
  }
  if (co.charNgramMax < co.charNgramMin || co.charNgramMax > 8) {
    fail(
      `select.cotrain_char_max must be in [cotrain_char_min, 8]: current values are ` +
        `${co.charNgramMin}..${co.charNgramMax}`,
    );
  }
  if (batches.some((b) => Object.values(ID_COLUMNS).some((c) => b.getChild(c)))) {
    fail("its character view featurizes the texts itself: remove the featurize stage before it");
  }
}

/** `select.cotrain`: the character view's features and backend. */
async function _coView(
  batches: Batch[],
  compute: Awaited<ReturnType<typeof runCompute>>,
  opts: ReturnType<typeof loopOptions>,
  words: NonNullable<ReturnType<typeof loopOptions>["featurizer"]>,
  ctx: StageContext,
): Promise<CoView> {
  const co = opts.select.cotrain!;
  const features = featuresFromBatches(batches, {
    ...opts.model,
    featurizer: charViewFeaturizer(words, co),
    cache: featureCacheFor(ctx),
  });
  const backend = await compute.backend(opts.model);
  try {
    await backend.load(features);
    return { backend, features };
  } catch (e) {
    backend.destroy();
    throw e;
  }
}
