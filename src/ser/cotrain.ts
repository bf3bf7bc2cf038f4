/**
 * Two-view co-training (`select.cotrain`): beside the word model (the pipeline's featurizer) a
 * second model of the same shape reads only character n-grams inside words. Each iteration both
 * views score the candidates with their previous model and apply the selection policy; the pairs
 * the character view is confident about become the word model's self-labels (the ones the pool
 * keeps), and the pairs the word view is confident about train the character model. The kept
 * model is the word model; the character view's accuracy is recorded beside it.
 *
 * @module
 */
import type { FeaturizerConfig } from "../model/featurizer.ts";
import { initParams } from "../model/params.ts";
import type { PairFeatures, RewardBackend } from "../model/types.ts";
import type { IterationRecord } from "../report/metrics.ts";
import type { LoopContext } from "./iteration.ts";
import { Rng } from "../contracts/rng.ts";
import { evaluateSplits } from "./evaluate.ts";
import { loadNoisyTrainSet } from "./noise.ts";
import { buildTrainSet, type SelfLabels } from "./train_set.ts";
import { trainStep } from "./train.ts";

/** The second view: its backend (with `features` loaded) and its features. */
export interface CoView {
  backend: RewardBackend;
  features: PairFeatures;
}

/**
 * The character view's featurizer: the word featurizer's hashing, length cap and punctuation, with
 * word n-grams off and character n-grams `min..max` on.
 *
 * @param words The word view's featurizer.
 * @param chars The character n-gram lengths.
 * @returns The second view's featurizer settings.
 * @example
 * ```ts
 * import { charViewFeaturizer } from "./cotrain.ts";
 * import { DEFAULT_FEATURIZER, Featurizer } from "../model/featurizer.ts";
 * const c = charViewFeaturizer(DEFAULT_FEATURIZER, { charNgramMin: 3, charNgramMax: 3 });
 * // "<ab>" has two 3-grams and no word id.
 * if (new Featurizer(c).textIds("ab", "response").length !== 2) throw new Error();
 * ```
 */
export function charViewFeaturizer(
  words: FeaturizerConfig,
  chars: { charNgramMin: number; charNgramMax: number },
): FeaturizerConfig {
  return { ...words, ngramMin: 1, ngramMax: 0, ...chars };
}

/** The shuffles, initial weights and noise of the character view in iteration `k`. */
function _rng(seed: number, k: number, what: string): Rng {
  return new Rng(seed).fork(`cotrain-${what}-${k}`);
}

/**
 * Trains the character view's model of iteration `k` on the seed plus `labels` (the pairs the word
 * view chose) and evaluates it.
 *
 * @param ctx The loop context (with `coView`).
 * @param k The iteration.
 * @param labels The character view's self-labels.
 * @param temps Soft targets: the temperature of the model that made iteration j's labels.
 * @returns The record's `cotrain` entry.
 */
export async function trainCharView(
  ctx: LoopContext,
  k: number,
  labels: SelfLabels,
  temps: (iteration: number) => number,
): Promise<NonNullable<IterationRecord["cotrain"]>> {
  const { data, opts } = ctx;
  const view = ctx.coView!;
  const set = buildTrainSet(data, labels, "ser", { ...opts.train, labelTemperature: temps });
  if (k === 0 || !opts.train.warmStart) {
    await view.backend.setParams(initParams(opts.model, _rng(ctx.seed, 0, "init")));
  }
  const trainOn = await loadNoisyTrainSet(
    view.backend,
    view.features,
    set,
    data.seed.length,
    opts.train.selfNoise,
    _rng(ctx.seed, k, "noise"),
  );
  const early = {
    indices: data.validation,
    labels: Int8Array.from(data.validation, (i) => data.label[i]),
    patience: opts.train.epochPatience,
  };
  await trainStep(
    view.backend,
    trainOn,
    opts.train,
    _rng(ctx.seed, k, "shuffle"),
    early,
    ctx.signal,
  );
  const ev = await evaluateSplits(view.backend, data);
  return {
    labels: labels.size,
    validationAccuracy: ev.validation?.accuracy ?? null,
    testAccuracy: ev.test?.accuracy ?? null,
    calibration: ev.temperature,
  };
}
