import assert from "node:assert/strict";
import { GpuBackend } from "../../src/gpu/gpu_backend.ts";
import { featuresFromBatches } from "../../src/model/pair_features.ts";
import type { RewardBackend } from "../../src/model/types.ts";
import { firstIteration, nextIteration } from "../../src/ser/iteration.ts";
import { worldBatches, worldConfig, worldContext } from "../ser/_world.ts";
import { gpuTest } from "./_webgpu.ts";

// train.retrain: incremental reaches the backend only through trainEpoch() on a smaller set
// and the optimizer state it keeps between iterations, so WebGPU continues as the reference does.
gpuTest("train.retrain incremental: two iterations on WebGPU equal the reference", async (gpu) => {
  const cfg = worldConfig({
    train: { retrain: "incremental", incremental_epochs: 3, replay: 0.5 },
    select: { policy: "either", relabel: true },
  });
  const empty = {
    stopReason: null,
    mode: "ser" as const,
    humanLabels: 0,
    iterations: [],
    final: null,
  };
  const run = async (backend?: RewardBackend) => {
    const ctx = await worldContext(cfg);
    const c = backend ? { ...ctx, backend } : ctx;
    if (backend) {
      await backend.load(
        featuresFromBatches(worldBatches(), { ...ctx.opts.model, featurizer: ctx.opts.featurizer }),
      );
    }
    const s1 = await nextIteration(c, (await firstIteration(c, empty)).state);
    const s2 = await nextIteration(c, s1.state);
    return { s2, params: (await c.backend.getParams()).params };
  };
  const ref = await run();
  assert.ok(ref.s2.record!.replayed! > 0);
  const gb = await GpuBackend.create((await worldContext(cfg)).opts.model, { gpu });
  try {
    const g = await run(gb);
    assert.deepEqual([...g.s2.state.selfLabels.keys()], [...ref.s2.state.selfLabels.keys()]);
    assert.equal(g.s2.record!.newPairs, ref.s2.record!.newPairs);
    for (let i = 0; i < ref.params.w1.length; i++) {
      assert.ok(Math.abs(ref.params.w1[i] - g.params.w1[i]) < 1e-3, `w1[${i}]`);
    }
  } finally {
    gb.destroy();
  }
});
