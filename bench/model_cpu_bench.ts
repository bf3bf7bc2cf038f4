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
import { DEFAULT_MODEL, DEFAULT_TRAIN } from "../src/model/types.ts";
import { bagWorkload } from "./lib/bag_workload.ts";

const PAIRS = 4096;
const cfg = DEFAULT_MODEL;

const { features, set, params, order } = bagWorkload(cfg, PAIRS);
const backend = CpuBackend.create(cfg);
await backend.load(features);
await backend.setParams(params);

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
