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
import { hasWebGpu } from "../src/compute/open_backend.ts";
import { DEFAULT_MODEL, DEFAULT_TRAIN } from "../src/model/types.ts";
import { bagWorkload } from "./lib/bag_workload.ts";

const PAIRS = 4096;
const cfg = DEFAULT_MODEL;

if (!(await hasWebGpu())) {
  console.warn(
    "gpu_kernels_bench skipped: no WebGPU adapter (see README: Mesa llvmpipe or lavapipe)",
  );
} else {
  const { features, set, params, order } = bagWorkload(cfg, PAIRS);
  const backend = await GpuBackend.create(cfg);
  await backend.load(features);
  await backend.setParams(params);
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
