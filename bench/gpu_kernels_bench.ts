/**
 * The WebGPU backend at the default model size (2^18 buckets, dim 64, hidden 128, GELU, sqrt-n
 * pooling, dense features) on the current adapter: scoring and training throughput at batch sizes
 * 256, 1024 and 4096, on the same synthetic bags as `model_cpu_bench.ts` (about 300 prompt ids
 * and 100 ids per response, Zipf-like over the buckets), so the two compare directly.
 *
 * Scoring: one iteration scores B pairs (pairs/s = B / time), one readback. Training: one
 * iteration is one epoch over 4096 pairs in mini-batches of B (pairs/s = 4096 / time), one
 * submission and one 8-byte readback. After the runs, the kernels' bytes and flops per call
 * (`GpuBackend.lastCost`) are printed, to turn times into GB/s and GFLOP/s.
 *
 * Skips (with a message) when there is no adapter. On Mesa's llvmpipe it is slow (about 3
 * minutes on 2 cores): it measures the software adapter, not a GPU.
 *
 * Run: `deno bench -A bench/gpu_kernels_bench.ts`
 *
 * @module
 */
import { GpuBackend } from "../src/gpu/gpu_backend.ts";
import { hasWebGpu } from "../src/model/open_backend.ts";
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

if (!(await hasWebGpu())) {
  console.warn(
    "gpu_kernels_bench skipped: no WebGPU adapter (see README: Mesa llvmpipe or lavapipe)",
  );
} else {
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
  const backend = await GpuBackend.create(cfg);
  await backend.load(features);
  await backend.setParams(initParams(cfg, rng));
  const order = Uint32Array.from({ length: PAIRS }, (_, i) => i);
  const costs: Record<string, unknown> = {};
  const device = backend.deviceName;

  for (const batch of [256, 1024, 4096]) {
    const indices = Uint32Array.from({ length: batch }, (_, i) => i);
    Deno.bench({
      name: `WebGPU (${device}): score ${batch} pairs`,
      group: "score",
      warmup: 1,
      n: 2,
      fn: async () => {
        await backend.score(indices);
        costs[`score ${batch}`] = backend.lastCost;
      },
    });
  }

  for (const batch of [256, 1024, 4096]) {
    Deno.bench({
      name: `WebGPU (${device}): train one epoch of ${PAIRS} pairs, batch ${batch}`,
      group: "train",
      // Kernels are compiled in create() and scratch grows during scoring: no warm-up needed,
      // and one epoch on a software adapter takes tens of seconds.
      warmup: 0,
      n: 1,
      fn: async () => {
        await backend.trainEpoch(set, order, { ...DEFAULT_TRAIN, batchSize: batch });
        costs[`train ${batch}`] = backend.lastCost;
      },
    });
  }

  globalThis.addEventListener("unload", () => {
    console.log(JSON.stringify({ device, costs }));
    backend.destroy();
  });
}
