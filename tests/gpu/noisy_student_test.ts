import assert from "node:assert/strict";
import { GpuBackend } from "../../src/gpu/gpu_backend.ts";
import { featuresFromBatches } from "../../src/model/pair_features.ts";
import type { RewardBackend } from "../../src/model/types.ts";
import { firstIteration, nextIteration } from "../../src/ser/iteration.ts";
import { EMPTY_METRICS, worldBatches, worldConfig, worldContext } from "../ser/_world.ts";
import { gpuTest } from "./_webgpu.ts";

// train.self_noise reaches the backend only through load() and trainEpoch(), so WebGPU trains
// on the same noised copies as the reference.
gpuTest("train.self_noise: a noisy iteration on WebGPU equals the reference", async (gpu) => {
  const cfg = worldConfig({ train: { self_noise: 0.3 }, select: { policy: "either" } });
  const run = async (backend?: RewardBackend) => {
    const ctx = await worldContext(cfg);
    const b = backend ?? ctx.backend;
    const features = featuresFromBatches(worldBatches(), {
      ...ctx.opts.model,
      featurizer: ctx.opts.featurizer,
    });
    await b.load(features);
    const c = { ...ctx, backend: b, features };
    const s1 = await nextIteration(c, (await firstIteration(c, EMPTY_METRICS)).state);
    return { s1, params: (await b.getParams()).params };
  };
  const ref = await run();
  const gb = await GpuBackend.create((await worldContext(cfg)).opts.model, { gpu });
  try {
    const g = await run(gb);
    assert.deepEqual([...g.s1.state.selfLabels.keys()], [...ref.s1.state.selfLabels.keys()]);
    for (let i = 0; i < ref.params.w1.length; i++) {
      assert.ok(Math.abs(ref.params.w1[i] - g.params.w1[i]) < 1e-3, `w1[${i}]`);
    }
  } finally {
    gb.destroy();
  }
});
