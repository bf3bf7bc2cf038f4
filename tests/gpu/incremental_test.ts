import assert from "node:assert/strict";
import { GpuBackend } from "../../src/gpu/gpu_backend.ts";
import type { RewardBackend } from "../../src/model/types.ts";
import { firstIteration, nextIteration } from "../../src/ser/iteration.ts";
import { EMPTY_METRICS, worldConfig, worldContext } from "../ser/_world.ts";
import { gpuTest } from "./_webgpu.ts";

// train.retrain: incremental reaches the backend only through trainEpoch() on a smaller set
// and the optimizer state it keeps between iterations, so WebGPU continues as the reference does.
gpuTest("train.retrain incremental: two iterations on WebGPU equal the reference", async (gpu) => {
  const cfg = worldConfig({
    train: { retrain: "incremental", incremental_epochs: 3, replay: 0.5 },
    select: { policy: "either", relabel: true },
  });
  const run = async (backend?: RewardBackend) => {
    const c = await worldContext(cfg, { backend });
    const s1 = await nextIteration(c, (await firstIteration(c, EMPTY_METRICS)).state);
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
