import assert from "node:assert/strict";
import { Rng } from "../../src/contracts/rng.ts";
import { CpuBackend } from "../../src/model/cpu_backend.ts";
import { FastCpuBackend } from "../../src/model/fast/fast_backend.ts";
import { CHUNK_PAIRS } from "../../src/model/fast/shape.ts";
import { initParams, PARAM_GROUPS } from "../../src/model/params.ts";
import { DEFAULT_TRAIN, type ModelConfig, type TrainOptions } from "../../src/model/types.ts";
import { randomFeatures, randomSet, smallConfig } from "./_fixtures.ts";

/** Largest |a - b| relative to max(1, |b|) over every parameter group. */
function maxRelDiff(a: Record<string, Float32Array>, b: Record<string, Float32Array>): number {
  let worst = 0;
  for (const g of PARAM_GROUPS) {
    for (let i = 0; i < b[g].length; i++) {
      worst = Math.max(worst, Math.abs(a[g][i] - b[g][i]) / Math.max(1, Math.abs(b[g][i])));
    }
  }
  return worst;
}

const SHAPES: Partial<ModelConfig>[] = [
  {},
  { dim: 8, hidden: 16, pooling: "mean", activation: "relu" },
  { dim: 5, hidden: 12, denseFeatures: false },
  { input: "embedding", dim: 6, hidden: 9 },
  { dim: 7, hidden: 20, pooling: "mean" },
];

for (const over of SHAPES) {
  for (const threads of [1, 2]) {
    // ReLU's kink turns float32 rounding into whole-step differences over many AdamW steps, so
    // with ReLU one full-batch step is compared.
    const relu = over.activation === "relu", epochs = relu ? 1 : 2;
    Deno.test(`FastCpuBackend (${threads} thread) matches the reference over ${epochs} epochs (${JSON.stringify(over)})`, async () => {
      const cfg = smallConfig(over), rng = new Rng(3);
      const n = 2 * CHUNK_PAIRS + 17, f = randomFeatures(cfg, n, rng), set = randomSet(n, rng);
      const init = initParams(cfg, rng.fork("init"));
      const opts: TrainOptions = {
        ...DEFAULT_TRAIN,
        batchSize: relu ? n : 100,
        lr: 0.02,
        weightDecay: 0.01,
      };
      const ref = CpuBackend.create(cfg), fast = FastCpuBackend.create(cfg, { threads });
      try {
        for (const b of [ref, fast]) await b.load(f), await b.setParams(init);
        for (let e = 0; e < epochs; e++) {
          const order = rng.fork(`order${e}`).shuffle(set.indices.map((_, i) => i));
          const sr = await ref.trainEpoch(set, order, opts);
          const sf = await fast.trainEpoch(set, order, opts);
          assert.ok(Math.abs(sr.loss - sf.loss) < 1e-5, `loss ${sf.loss} vs ${sr.loss}`);
          assert.equal(sf.accuracy, sr.accuracy);
        }
        const pr = await ref.getParams(), pf = await fast.getParams();
        assert.equal(pf.optimizer.step, pr.optimizer.step);
        const dp = maxRelDiff(pf.params as never, pr.params as never);
        const dm = maxRelDiff(pf.optimizer.m as never, pr.optimizer.m as never);
        assert.ok(dp < 1e-4 && dm < 1e-4, `params differ by ${dp}, moments by ${dm}`);
        const idx = Uint32Array.from({ length: n }, (_, i) => (i * 7) % n);
        const a = await ref.score(idx), b = await fast.score(idx);
        for (let i = 0; i < n; i++) {
          assert.ok(
            Math.abs(a.rewardA[i] - b.rewardA[i]) < 1e-4 * Math.max(1, Math.abs(a.rewardA[i])),
          );
          assert.ok(
            Math.abs(a.rewardB[i] - b.rewardB[i]) < 1e-4 * Math.max(1, Math.abs(a.rewardB[i])),
          );
        }
      } finally {
        ref.destroy(), fast.destroy();
      }
    });
  }
}

Deno.test("FastCpuBackend gives bit-identical weights and scores with 1, 2 and 3 threads", async () => {
  const cfg = smallConfig({ dim: 8, hidden: 16 }), rng = new Rng(5);
  const n = 6 * CHUNK_PAIRS + 5, f = randomFeatures(cfg, n, rng, 12), set = randomSet(n, rng);
  const init = initParams(cfg, rng.fork("init")), opts = { ...DEFAULT_TRAIN, batchSize: n - 40 };
  const order = rng.shuffle(set.indices.map((_, i) => i)), all = set.indices;
  const runs = [];
  for (const threads of [1, 2, 3]) {
    const b = FastCpuBackend.create(cfg, { threads });
    try {
      await b.load(f), await b.setParams(init);
      const stats = [await b.trainEpoch(set, order, opts), await b.trainEpoch(set, order, opts)];
      runs.push({ stats, params: (await b.getParams()).params, scores: await b.score(all) });
    } finally {
      b.destroy();
    }
  }
  for (const r of runs.slice(1)) {
    assert.deepEqual(r.stats, runs[0].stats);
    for (const g of PARAM_GROUPS) assert.deepEqual(r.params[g], runs[0].params[g], g);
    assert.deepEqual(r.scores, runs[0].scores);
  }
});

Deno.test("FastCpuBackend's restore() brings back the weights and moments of its last snapshot()", async () => {
  const cfg = smallConfig({ dim: 5, hidden: 9 }), rng = new Rng(6);
  const n = 90, f = randomFeatures(cfg, n, rng), set = randomSet(n, rng);
  const b = FastCpuBackend.create(cfg, { threads: 1 }), order = set.indices.map((_, i) => i);
  try {
    await b.load(f), await b.setParams(initParams(cfg, rng.fork("init")));
    await assert.rejects(() => b.restore(), /no snapshot\(\) was taken/);
    await b.trainEpoch(set, order, DEFAULT_TRAIN);
    await b.snapshot();
    const kept = await b.getParams();
    const r = await b.trainEpoch(set, order, DEFAULT_TRAIN, new Uint32Array([0, 5]));
    assert.equal(r.scores?.rewardA.length, 2);
    await b.restore();
    assert.deepEqual(await b.getParams(), kept);
  } finally {
    b.destroy();
  }
});
