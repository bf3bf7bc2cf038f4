/**
 * The TypeScript reference backend at the default model size (2^18 buckets, dim 64, hidden 128,
 * GELU, sqrt-n pooling, dense features): scoring and training throughput at batch sizes 256,
 * 1024 and 4096, on synthetic bags shaped like featurized HH-RLHF pairs (about 300 prompt ids
 * and 100 ids per response, Zipf-like over the buckets).
 *
 * Scoring: one iteration scores B pairs (pairs/s = B / time). Training: one iteration is one
 * epoch over 4096 pairs in mini-batches of B (pairs/s = 4096 / time).
 *
 * Run: `deno bench -A bench/model_cpu_bench.ts`
 *
 * @module
 */
import { CpuBackend } from "../src/model/cpu_backend.ts";
import { initParams } from "../src/model/params.ts";
import { DEFAULT_MODEL, DEFAULT_TRAIN, type PairFeatures } from "../src/model/types.ts";
import { Rng } from "../src/util/rng.ts";

const PAIRS = 4096;
const cfg = DEFAULT_MODEL;

function bags(rng: Rng, n: number, mean: number): { offsets: Uint32Array; ids: Uint32Array } {
  const offsets = new Uint32Array(n + 1), ids: number[] = [];
  for (let i = 0; i < n; i++) {
    const len = Math.max(1, Math.round(mean * (0.5 + rng.next())));
    for (let t = 0; t < len; t++) ids.push(Math.floor(cfg.buckets * rng.next() ** 3));
    offsets[i + 1] = ids.length;
  }
  return { offsets, ids: Uint32Array.from(ids) };
}

const rng = new Rng(1);
const p = bags(rng, PAIRS, 300), a = bags(rng, PAIRS, 100), b = bags(rng, PAIRS, 100);
const features: PairFeatures = {
  n: PAIRS,
  promptOffsets: p.offsets,
  promptIds: p.ids,
  aOffsets: a.offsets,
  aIds: a.ids,
  bOffsets: b.offsets,
  bIds: b.ids,
};
const set = {
  indices: Uint32Array.from({ length: PAIRS }, (_, i) => i),
  labels: Int8Array.from({ length: PAIRS }, () => (rng.next() < 0.5 ? 1 : -1)),
  weights: new Float32Array(PAIRS).fill(1),
};
const backend = CpuBackend.create(cfg);
await backend.load(features);
await backend.setParams(initParams(cfg, rng));
const order = Uint32Array.from({ length: PAIRS }, (_, i) => i);

for (const batch of [256, 1024, 4096]) {
  const indices = Uint32Array.from({ length: batch }, (_, i) => i);
  Deno.bench({
    name: `CPU reference: score ${batch} pairs`,
    group: "score",
    warmup: 1,
    n: 5,
    fn: async () => {
      await backend.score(indices);
    },
  });
}

for (const batch of [256, 1024, 4096]) {
  Deno.bench({
    name: `CPU reference: train one epoch of ${PAIRS} pairs, batch ${batch}`,
    group: "train",
    warmup: 1,
    n: 3,
    fn: async () => {
      await backend.trainEpoch(set, order, { ...DEFAULT_TRAIN, batchSize: batch });
    },
  });
}
