/**
 * The synthetic workload the backend micro-benchmarks share: pairs with bags shaped like
 * featurized HH-RLHF text (about 300 prompt ids and 100 ids per response, Zipf-like over the
 * buckets), random labels, and initial weights, all from one seeded generator, so the CPU and
 * WebGPU benchmarks see the same data.
 *
 * @module
 */
import { initParams } from "../../src/model/params.ts";
import type { ModelConfig, ModelParams, PairFeatures, TrainSet } from "../../src/model/types.ts";
import { Rng } from "../../src/contracts/rng.ts";

function bags(rng: Rng, n: number, mean: number, buckets: number) {
  const offsets = new Uint32Array(n + 1), ids: number[] = [];
  for (let i = 0; i < n; i++) {
    const len = Math.max(1, Math.round(mean * (0.5 + rng.next())));
    for (let t = 0; t < len; t++) ids.push(Math.floor(buckets * rng.next() ** 3));
    offsets[i + 1] = ids.length;
  }
  return { offsets, ids: Uint32Array.from(ids) };
}

/**
 * @param cfg The model (its `buckets` bound the ids).
 * @param pairs How many pairs.
 * @param seed The generator's seed.
 * @returns Features, a training set over every pair, initial weights and the epoch order.
 * @example
 * ```ts
 * import { bagWorkload } from "./bag_workload.ts";
 * import { DEFAULT_MODEL } from "../../src/model/types.ts";
 * const w = bagWorkload({ ...DEFAULT_MODEL, buckets: 64, dim: 2, hidden: 2 }, 3);
 * if (w.features.n !== 3 || w.set.labels.length !== 3) throw new Error();
 * ```
 */
export function bagWorkload(cfg: ModelConfig, pairs: number, seed = 1): {
  features: PairFeatures;
  set: TrainSet;
  params: ModelParams;
  order: Uint32Array;
} {
  const rng = new Rng(seed);
  const p = bags(rng, pairs, 300, cfg.buckets);
  const a = bags(rng, pairs, 100, cfg.buckets);
  const b = bags(rng, pairs, 100, cfg.buckets);
  const features: PairFeatures = {
    n: pairs,
    promptOffsets: p.offsets,
    promptIds: p.ids,
    aOffsets: a.offsets,
    aIds: a.ids,
    bOffsets: b.offsets,
    bIds: b.ids,
  };
  const set: TrainSet = {
    indices: Uint32Array.from({ length: pairs }, (_, i) => i),
    labels: Int8Array.from({ length: pairs }, () => (rng.next() < 0.5 ? 1 : -1)),
    weights: new Float32Array(pairs).fill(1),
  };
  const params = initParams(cfg, rng);
  return { features, set, params, order: Uint32Array.from({ length: pairs }, (_, i) => i) };
}
