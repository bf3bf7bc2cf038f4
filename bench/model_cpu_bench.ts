/**
 * The CPU backends at the default model size (2^18 buckets, dim 64, hidden 128, GELU, sqrt-n
 * pooling, dense features): the TypeScript reference and the fast path (WebAssembly SIMD, 1 and 2
 * threads), scoring and training throughput at batch sizes 256, 1024 and 4096, on synthetic bags
 * shaped like featurized HH-RLHF pairs (about 300 prompt ids and 100 ids per response, Zipf-like
 * over the buckets).
 *
 * Scoring: one iteration scores B pairs (pairs/s = B / time). Training: one iteration is one
 * epoch over 4096 pairs in mini-batches of B (pairs/s = 4096 / time).
 *
 * Run: `deno bench -A bench/model_cpu_bench.ts`
 *
 * @module
 */
import { CpuBackend } from "../src/model/cpu_backend.ts";
import { FastCpuBackend } from "../src/model/fast/fast_backend.ts";
import { DEFAULT_MODEL, DEFAULT_TRAIN, type RewardBackend } from "../src/model/types.ts";
import { bagWorkload } from "./lib/bag_workload.ts";

const PAIRS = 4096;
const cfg = DEFAULT_MODEL;

const { features, set, params, order } = bagWorkload(cfg, PAIRS);
const backends: [string, RewardBackend][] = [
  ["CPU reference", CpuBackend.create(cfg)],
  ["CPU fast path, 1 thread", FastCpuBackend.create(cfg, { threads: 1 })],
  ["CPU fast path, 2 threads", FastCpuBackend.create(cfg, { threads: 2 })],
];
for (const [, backend] of backends) {
  await backend.load(features);
  await backend.setParams(params);
}

for (const [name, backend] of backends) {
  for (const batch of [256, 1024, 4096]) {
    const indices = Uint32Array.from({ length: batch }, (_, i) => i);
    Deno.bench({
      name: `${name}: score ${batch} pairs`,
      group: `score ${batch}`,
      baseline: name === "CPU reference",
      warmup: 1,
      n: 5,
      fn: async () => {
        await backend.score(indices);
      },
    });
  }
}

for (const [name, backend] of backends) {
  for (const batch of [256, 1024, 4096]) {
    Deno.bench({
      name: `${name}: train one epoch of ${PAIRS} pairs, batch ${batch}`,
      group: `train ${batch}`,
      baseline: name === "CPU reference",
      warmup: 1,
      n: 3,
      fn: async () => {
        await backend.trainEpoch(set, order, { ...DEFAULT_TRAIN, batchSize: batch });
      },
    });
  }
}
