import { GpuBackend } from "../../src/gpu/gpu_backend.ts";
import { CpuBackend } from "../../src/model/cpu_backend.ts";
import { initParams } from "../../src/model/params.ts";
import { DEFAULT_TRAIN } from "../../src/model/types.ts";
import { Rng } from "../../src/contracts/rng.ts";
import { assertClose, rngFor } from "./_harness.ts";
import {
  assertParamsClose,
  assertTrainedClose,
  randomPairs,
  randomSet,
  SMALL,
  withHotToken,
} from "./_pairs.ts";
import { gpuTest } from "./_webgpu.ts";
import assert from "node:assert/strict";

gpuTest(
  "score() matches the CPU reference on 600 random pairs (mean and sqrt-n pooling)",
  async (gpu) => {
    for (const pooling of ["mean", "sqrtn"] as const) {
      const cfg = { ...SMALL, pooling },
        rng = rngFor(`score ${pooling}`),
        f = randomPairs(rng, 600, cfg.buckets);
      const gpuB = await GpuBackend.create(cfg, { gpu, scoreChunk: 250 }),
        cpu = CpuBackend.create(cfg);
      try {
        await gpuB.load(f);
        await cpu.load(f);
        const idx = Uint32Array.from({ length: 900 }, () => rng.int(f.n)); // repeats, any order
        const [g, c] = [await gpuB.score(idx), await cpu.score(idx)];
        assertClose(g.rewardA, c.rewardA, "rewardA");
        assertClose(g.rewardB, c.rewardB, "rewardB");
        assert.equal(gpuB.lastCost?.submissions, 1); // 4 chunks, one readback
      } finally {
        gpuB.destroy();
      }
    }
  },
);

gpuTest(
  "one GPU training step equals one reference step (weights, moments, loss, accuracy)",
  async (gpu) => {
    const rng = rngFor("one step"),
      f = randomPairs(rng, 90, SMALL.buckets),
      set = randomSet(rng, f.n);
    const order = rng.shuffle(set.indices.slice());
    const opts = { ...DEFAULT_TRAIN, batchSize: 128, lr: 0.02, weightDecay: 0.01, margin: 0.1 };
    const gpuB = await GpuBackend.create(SMALL, { gpu }), cpu = CpuBackend.create(SMALL);
    try {
      await gpuB.load(f);
      await cpu.load(f);
      const [g, c] = [
        await gpuB.trainEpoch(set, order, opts),
        await cpu.trainEpoch(set, order, opts),
      ];
      assertClose([g.loss, g.accuracy], [c.loss, c.accuracy], "epoch stats", 1e-6, 1e-5);
      const [gp, cp] = [await gpuB.getParams(), await cpu.getParams()];
      assert.equal(gp.optimizer.step, 1);
      assertTrainedClose(gp.params, cp.params, opts.lr, 1);
      assertParamsClose(gp.optimizer.m, cp.optimizer.m, "m", 1e-7);
      assertParamsClose(gp.optimizer.v, cp.optimizer.v, "v", 1e-9);
    } finally {
      gpuB.destroy();
    }
  },
);

gpuTest(
  "one GPU epoch of 7 mini-batches (last one short) equals one reference epoch",
  async (gpu) => {
    const rng = rngFor("one epoch"),
      f = randomPairs(rng, 200, SMALL.buckets),
      set = randomSet(rng, f.n);
    const opts = { ...DEFAULT_TRAIN, batchSize: 30, lr: 0.01, weightDecay: 0.001 };
    const gpuB = await GpuBackend.create(SMALL, { gpu }), cpu = CpuBackend.create(SMALL);
    try {
      await gpuB.load(f);
      await cpu.load(f);
      for (let epoch = 0; epoch < 2; epoch++) {
        const order = rng.shuffle(set.indices.slice());
        const [g, c] = [
          await gpuB.trainEpoch(set, order, opts),
          await cpu.trainEpoch(set, order, opts),
        ];
        assertClose([g.loss, g.accuracy], [c.loss, c.accuracy], `epoch ${epoch} stats`, 1e-5, 1e-4);
        // 7 steps in segments of 1, 2 and 4 steps (ramping up), then the stats readback.
        assert.equal(gpuB.lastCost?.submissions, 4);
        assert.equal(gpuB.lastCost?.readbacks, 1);
      }
      const [gp, cp] = [await gpuB.getParams(), await cpu.getParams()];
      assert.equal(gp.optimizer.step, 14);
      assertTrainedClose(gp.params, cp.params, opts.lr, 14);
    } finally {
      gpuB.destroy();
    }
  },
);

gpuTest(
  "a token in every bag (450 occurrences per mini-batch) trains like the reference",
  async (gpu) => {
    const rng = rngFor("hot token"), f = withHotToken(randomPairs(rng, 150, SMALL.buckets), 7, 3);
    const set = randomSet(rng, f.n), order = rng.shuffle(set.indices.slice());
    const opts = { ...DEFAULT_TRAIN, batchSize: 50, lr: 0.01 };
    const gpuB = await GpuBackend.create(SMALL, { gpu }), cpu = CpuBackend.create(SMALL);
    try {
      await gpuB.load(f);
      await cpu.load(f);
      const [g, c] = [
        await gpuB.trainEpoch(set, order, opts),
        await cpu.trainEpoch(set, order, opts),
      ];
      assertClose([g.loss, g.accuracy], [c.loss, c.accuracy], "epoch stats", 1e-6, 1e-5);
      assert.ok(
        gpuB.lastCost?.kernels.embedding_grad,
        "the frequent row should be summed in blocks",
      );
      const [gp, cp] = [await gpuB.getParams(), await cpu.getParams()];
      assertTrainedClose(gp.params, cp.params, opts.lr, 3);
    } finally {
      gpuB.destroy();
    }
  },
);

gpuTest(
  "setParams/getParams round-trip weights and AdamW state, and training resumes from them",
  async (gpu) => {
    const rng = rngFor("round trip"),
      cfg = { ...SMALL, activation: "relu" as const, denseFeatures: false };
    const params = initParams(cfg, new Rng(11)),
      m = initParams(cfg, new Rng(12)),
      v = initParams(cfg, new Rng(13));
    for (const g of Object.values(v)) {
      for (let i = 0; i < g.length; i++) {
        g[i] = Math.abs(g[i]) * 1e-3;
      }
    }
    const optimizer = { step: 7, m, v };
    const gpuB = await GpuBackend.create(cfg, { gpu }), cpu = CpuBackend.create(cfg);
    try {
      await gpuB.setParams(params, optimizer);
      const back = await gpuB.getParams();
      assert.deepEqual(back.params, params);
      assert.deepEqual(back.optimizer, optimizer);
      await cpu.setParams(params, optimizer);
      const f = randomPairs(rng, 80, cfg.buckets),
        set = randomSet(rng, f.n),
        order = rng.shuffle(set.indices.slice());
      await gpuB.load(f);
      await cpu.load(f);
      const opts = { ...DEFAULT_TRAIN, batchSize: 25, lr: 0.003 };
      await gpuB.trainEpoch(set, order, opts);
      await cpu.trainEpoch(set, order, opts);
      const [gp, cp] = [await gpuB.getParams(), await cpu.getParams()];
      assert.equal(gp.optimizer.step, 11);
      assertTrainedClose(gp.params, cp.params, opts.lr, 4);
    } finally {
      gpuB.destroy();
    }
  },
);
