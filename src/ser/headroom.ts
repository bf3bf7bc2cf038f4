/**
 * The headroom check: before the loop, train on growing shares of the human seed (several
 * repeats each), fit a learning curve to their test accuracy, and extrapolate to the number of
 * labels the run would have with every unlabelled pair labelled. The difference to the full seed
 * is what more labels are expected to add, hence the most SER can close by self-labelling.
 *
 * The largest share trains first, with the loop's early stopping; with `matchEpochs` every
 * smaller share then trains for the epochs it kept, without early stopping. Early stopping on a
 * small share keeps more passes over its few labels than the full seed (and a model on all labels)
 * does, which lifts the small shares and flattens the curve; matched epochs keep one training
 * regime along the curve, so that its slope is the labels' effect alone.
 *
 * @module
 */
import { initParams } from "../model/params.ts";
import type { HeadroomResult } from "../report/metrics.ts";
import { Rng } from "../contracts/rng.ts";
import { evaluateRows } from "./evaluate.ts";
import type { LoopContext } from "./iteration.ts";
import { fitCurve, predictCurve } from "./learning_curve.ts";
import { trainStep } from "./train.ts";

/** Headroom settings (`headroom` in the `ser` stage). */
export interface HeadroomOptions {
  fractions: number[];
  repeats: number;
  fit: "log" | "logit" | "power";
  /** Smaller shares train for the epochs the largest share's early stopping kept. */
  matchEpochs: boolean;
}

/**
 * Runs the headroom check on the backend (its model is left changed: set the loop's weights
 * afterwards).
 *
 * @param ctx The loop context (features loaded).
 * @param o Shares of the seed, repeats per share, curve form, epoch matching.
 * @returns The points, the fit and the prediction.
 * @throws {RangeError} Without a test split, or with a share outside (0, 1].
 */
export async function estimateHeadroom(
  ctx: LoopContext,
  o: HeadroomOptions,
): Promise<HeadroomResult> {
  const started = performance.now();
  const { data, backend, opts } = ctx;
  if (data.test.length === 0) {
    throw new RangeError(
      "Cannot estimate headroom as the test split is empty: raise the split stage's 'test_fraction'",
    );
  }
  for (const f of o.fractions) {
    if (!(f > 0 && f <= 1)) {
      throw new RangeError(
        `Cannot estimate headroom as every entry of 'headroom.fractions' must be in (0, 1]: current value is ${f}`,
      );
    }
  }
  const early = {
    indices: data.validation,
    labels: Int8Array.from(data.validation, (i) => data.label[i]),
    patience: opts.train.epochPatience,
  };
  const points: HeadroomResult["points"] = [];
  let epochs: number | null = null;
  // Largest share first: with matched epochs, the smaller ones train for as many as it kept.
  for (const fraction of [...o.fractions].sort((a, b) => b - a)) {
    const matched = epochs !== null;
    const train = matched ? { ...opts.train, epochs: epochs!, epochPatience: 0 } : opts.train;
    const runs: number[] = [], kept: number[] = [];
    let labels = 0;
    for (let r = 0; r < o.repeats; r++) {
      ctx.signal?.throwIfAborted();
      const rng = new Rng(ctx.seed).fork(`headroom-${fraction}-${r}`);
      const seed = rng.fork("subset").shuffle(Uint32Array.from(data.seed));
      const rows = seed.slice(0, Math.max(1, Math.round(fraction * seed.length))).sort();
      labels = rows.length;
      ctx.onPhase?.(0, `headroom: ${rows.length} seed labels, repeat ${r + 1} of ${o.repeats}`);
      const set = {
        indices: rows,
        labels: Int8Array.from(rows, (i) => data.label[i]),
        weights: new Float32Array(rows.length).fill(1),
      };
      await backend.setParams(initParams(opts.model, rng.fork("init")));
      const out = await trainStep(
        backend,
        set,
        train,
        rng.fork("shuffle"),
        matched ? null : early,
        ctx.signal,
      );
      kept.push(out.keptEpoch);
      runs.push((await evaluateRows(backend, data, data.test))!.accuracy);
    }
    if (o.matchEpochs && epochs === null) epochs = Math.max(1, ...kept);
    points.unshift({ fraction, labels, mean: runs.reduce((a, b) => a + b, 0) / runs.length, runs });
  }
  const fit = fitCurve(points.map((p) => p.labels), points.map((p) => p.mean), o.fit);
  const allLabels = data.seed.length + data.unlabelled.length;
  // The gain is read off the curve at both ends, so repeat noise at 100% does not enter it.
  const seedAccuracy = predictCurve(fit, data.seed.length);
  const predictedAllLabels = predictCurve(fit, allLabels);
  return {
    points,
    fit,
    allLabels,
    predictedAllLabels,
    seedAccuracy,
    predictedGain: predictedAllLabels - seedAccuracy,
    matchedEpochs: epochs,
    measuredAllLabels: null,
    seconds: (performance.now() - started) / 1000,
  };
}
