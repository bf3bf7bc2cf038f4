import type { CallCost } from "../../src/gpu/cost.ts";
import { GpuBackend, type GpuBackendOptions } from "../../src/gpu/gpu_backend.ts";
import type { GpuContext } from "../../src/gpu/device.ts";
import { DEFAULT_TRAIN, type EpochStats, type ModelParams } from "../../src/model/types.ts";
import { assertClose, rngFor } from "./_harness.ts";
import { paramsIdentical, randomPairs, randomSet, SMALL } from "./_pairs.ts";
import { gpuTest } from "./_webgpu.ts";
import assert from "node:assert/strict";
import { openGpu } from "../../src/gpu/device.ts";

const CFG = { ...SMALL, dim: 16 }; // a 4096 x 16 table: 256 KiB

interface Run {
  params: ModelParams;
  stats: EpochStats[];
  cost: CallCost;
}

/** Trains 3 epochs from the default initial weights with a fixed seed. */
async function train(gpu: GpuContext, seed: string, opts: GpuBackendOptions = {}): Promise<Run> {
  const rng = rngFor(seed), f = randomPairs(rng, 240, CFG.buckets, 20), set = randomSet(rng, f.n);
  const b = await GpuBackend.create(CFG, { ...opts, gpu });
  try {
    await b.load(f);
    const stats = [];
    for (let e = 0; e < 3; e++) {
      const opts = { ...DEFAULT_TRAIN, batchSize: 50, lr: 0.02, weightDecay: 0.01 };
      stats.push(await b.trainEpoch(set, rng.shuffle(set.indices.slice()), opts));
    }
    return { params: (await b.getParams()).params, stats, cost: b.lastCost! };
  } finally {
    b.destroy();
  }
}

gpuTest("two GPU runs with the same seed give bit-identical weights and losses", async (gpu) => {
  const [a, b] = [await train(gpu, "seed 1"), await train(gpu, "seed 1")];
  assert.ok(paramsIdentical(a.params, b.params), "weights differ between identical runs");
  assert.deepEqual(a.stats, b.stats);
  const c = await train(gpu, "seed 2");
  assert.ok(!paramsIdentical(a.params, c.params), "a different seed should give different weights");
});

gpuTest(
  "an embedding table split over 4 bindings trains bit-identically to the unsplit one",
  async (gpu) => {
    const whole = await train(gpu, "split");
    // 64 KiB bindings: the 256 KiB table takes 4 chunks, and each epoch several submissions.
    const small = await openGpu({ maxStorageBindingBytes: 64 * 1024 });
    try {
      const split = await train(small, "split");
      assert.ok(paramsIdentical(whole.params, split.params), "split table changed the weights");
      split.stats.forEach((s, e) =>
        assertClose(
          [s.loss, s.accuracy],
          [whole.stats[e].loss, whole.stats[e].accuracy],
          `epoch ${e}`,
          0,
          1e-6,
        )
      );
      assert.equal(whole.cost.submissions, 4); // segments of 1, 2 and 2 steps, and the readback
      assert.ok(split.cost.submissions >= 4, `got ${split.cost.submissions} submissions`);
      // Rows of all 4 chunks are touched in each of the 5 steps: one embedding_adam dispatch per
      // chunk (the loss totals are reduced per step, however the epoch is cut).
      assert.equal(split.cost.dispatches - whole.cost.dispatches, 5 * 3);
    } finally {
      small.destroy();
    }
  },
);

gpuTest(
  "host planning in a worker, inline, or in segments of 1 step gives bit-identical weights",
  async (gpu) => {
    const host = { rowLists: "host" } as const;
    const worker = await train(gpu, "planning", host);
    const inline = await train(gpu, "planning", { ...host, planWorkers: 0 });
    const short = await train(gpu, "planning", { ...host, stepsPerSegment: 1 });
    assert.ok(paramsIdentical(worker.params, inline.params), "inline planning changed the weights");
    assert.ok(paramsIdentical(worker.params, short.params), "1-step segments changed the weights");
    assert.deepEqual(worker.stats, short.stats);
    // 240 pairs in batches of 50: 5 steps; one readback per epoch either way.
    assert.equal(worker.cost.readbacks, 1);
    assert.equal(short.cost.readbacks, 1);
    assert.equal(worker.cost.submissions, 4); // 1, 2 and 2 steps, then the readback
    assert.equal(short.cost.submissions, 6);
    assert.equal(worker.cost.host?.steps, 5);
    assert.equal(worker.cost.host?.offThread, true);
    assert.equal(inline.cost.host?.offThread, false);
  },
);

gpuTest(
  "touched-row lists built on the GPU train bit-identically to the host planner's, uploading only the batch",
  async (gpu) => {
    const onGpu = await train(gpu, "lists");
    const host = await train(gpu, "lists", { rowLists: "host" });
    assert.ok(paramsIdentical(onGpu.params, host.params), "GPU-built lists changed the weights");
    assert.deepEqual(onGpu.stats, host.stats);
    assert.equal(onGpu.cost.readbacks, 1);
    assert.equal(onGpu.cost.host?.offThread, false);
    // The same embedding work, counted from the lists read back with the epoch totals.
    for (const k of ["embedding_adam", "embedding_grad"]) {
      assert.deepEqual(onGpu.cost.kernels[k], host.cost.kernels[k], k);
    }
    // Only pair indices, targets and params go up: 50 pairs * 12 bytes per step, plus params.
    assert.ok(
      onGpu.cost.uploadBytes < host.cost.uploadBytes / 2,
      `${onGpu.cost.uploadBytes} vs ${host.cost.uploadBytes} bytes`,
    );
    assert.ok(onGpu.cost.kernels.radix_sort.bytes > 0);
  },
);
