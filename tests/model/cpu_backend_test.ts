import assert from "node:assert/strict";
import { Rng } from "../../src/contracts/rng.ts";
import { CpuBackend } from "../../src/model/cpu_backend.ts";
import { batchGradients, scoreReference } from "../../src/model/reference_batch.ts";
import { initParams, PARAM_GROUPS } from "../../src/model/params.ts";
import { DEFAULT_TRAIN, type ModelConfig, type TrainOptions } from "../../src/model/types.ts";
import { randomFeatures, randomSet, smallConfig } from "./_fixtures.ts";

const OPTS: TrainOptions = {
  ...DEFAULT_TRAIN,
  lr: 0.05,
  weightDecay: 0.1,
  margin: 0.2,
  batchSize: 64,
};

/** The expected result of one full-batch AdamW step from fresh moments (step 1), per types.ts. */
function expectedFirstStep(cfg: ModelConfig, seed: number) {
  const rng = new Rng(seed);
  const f = randomFeatures(cfg, 9, rng);
  const set = randomSet(9, rng);
  const params = initParams(cfg, rng);
  const positions = Array.from({ length: 9 }, (_, i) => i);
  const { grads } = batchGradients(params, cfg, f, set, positions, OPTS.margin);
  const touched = new Set([...f.promptIds, ...f.aIds, ...f.bIds]);
  const c1 = 1 - OPTS.beta1, c2 = 1 - OPTS.beta2;
  const want: Record<string, Float64Array> = {};
  for (const g of PARAM_GROUPS) {
    const decay = g === "embedding" || g === "w1" || g === "w2" ? OPTS.weightDecay : 0;
    want[g] = Float64Array.from(params[g], (theta, i) => {
      if (g === "embedding" && !touched.has(Math.floor(i / cfg.dim))) return theta;
      const m = (1 - OPTS.beta1) * grads[g][i], v = (1 - OPTS.beta2) * grads[g][i] ** 2;
      return theta - OPTS.lr * ((m / c1) / (Math.sqrt(v / c2) + OPTS.eps) + decay * theta);
    });
  }
  return { f, set, params, want, touched };
}

for (
  const over of [{}, { pooling: "mean", activation: "relu" }, { input: "embedding" }] as Partial<
    ModelConfig
  >[]
) {
  Deno.test(`CpuBackend's training step equals the reference gradient + AdamW (${JSON.stringify(over)})`, async () => {
    const cfg = smallConfig({ buckets: 30, ...over });
    const { f, set, params, want } = expectedFirstStep(cfg, 11);
    const b = CpuBackend.create(cfg);
    await b.load(f);
    await b.setParams(params);
    await b.trainEpoch(set, Uint32Array.from([3, 1, 4, 0, 5, 8, 2, 6, 7]), OPTS);
    const got = (await b.getParams()).params;
    for (const g of PARAM_GROUPS) {
      for (let i = 0; i < want[g].length; i++) {
        assert.ok(
          Math.abs(got[g][i] - want[g][i]) <= 1e-6 + 1e-5 * Math.abs(want[g][i]),
          `${g}[${i}]: ${got[g][i]} vs ${want[g][i]}`,
        );
      }
    }
  });
}

Deno.test("CpuBackend's lazy AdamW leaves untouched embedding rows and their moments exactly as they were", async () => {
  const cfg = smallConfig({ buckets: 50 });
  const { f, set, params, touched } = expectedFirstStep(cfg, 5);
  const b = CpuBackend.create(cfg);
  await b.load(f);
  const rng = new Rng(9);
  const m = initParams(cfg, rng), v = initParams(cfg, rng);
  for (const g of PARAM_GROUPS) v[g].forEach((x, i) => (v[g][i] = x * x));
  await b.setParams(params, { step: 4, m, v });
  await b.trainEpoch(set, Uint32Array.from({ length: 9 }, (_, i) => i), { ...OPTS, batchSize: 4 });
  const { params: after, optimizer } = await b.getParams();
  assert.equal(optimizer.step, 7, "three mini-batches of 4, 4 and 1");
  let untouched = 0, moved = 0;
  for (let row = 0; row < cfg.buckets; row++) {
    const sl = (a: Float32Array) => [...a.subarray(row * cfg.dim, (row + 1) * cfg.dim)];
    if (touched.has(row)) {
      if (sl(after.embedding).some((x, k) => x !== params.embedding[row * cfg.dim + k])) moved++;
      continue;
    }
    untouched++;
    assert.deepEqual(sl(after.embedding), sl(params.embedding), `row ${row} weights`);
    assert.deepEqual(sl(optimizer.m.embedding), sl(m.embedding), `row ${row} first moment`);
    assert.deepEqual(sl(optimizer.v.embedding), sl(v.embedding), `row ${row} second moment`);
  }
  assert.ok(untouched > 10 && moved === touched.size);
});

Deno.test("CpuBackend scores like the reference and reports epoch loss and accuracy", async () => {
  const cfg = smallConfig();
  const rng = new Rng(2);
  const f = randomFeatures(cfg, 20, rng);
  const params = initParams(cfg, rng);
  const b = CpuBackend.create(cfg);
  await b.load(f);
  await b.setParams(params);
  const idx = Uint32Array.from([19, 0, 7, 7]);
  const got = await b.score(idx);
  const want = scoreReference(params, cfg, f, idx);
  assert.deepEqual(got, want);
  const set = randomSet(20, rng);
  const stats = await b.trainEpoch(set, Uint32Array.from({ length: 20 }, (_, i) => i), {
    ...OPTS,
    batchSize: 100,
  });
  const s = scoreReference(params, cfg, f, set.indices);
  let loss = 0, right = 0;
  for (let i = 0; i < 20; i++) {
    const d = set.labels[i] * (s.rewardA[i] - s.rewardB[i]);
    loss += set.weights[i] * Math.log1p(Math.exp(OPTS.margin - d));
    if (d > 0) right++;
  }
  assert.ok(Math.abs(stats.loss - loss / 20) < 1e-5);
  assert.equal(stats.accuracy, right / 20);
});

Deno.test("CpuBackend refuses ids outside the table, bad labels and unloaded scoring", async () => {
  const cfg = smallConfig({ buckets: 4 });
  const b = CpuBackend.create(cfg);
  await assert.rejects(
    () => b.score(new Uint32Array([0])),
    /no features are loaded: call load\(features\) first/,
  );
  const o = new Uint32Array([0, 1]);
  const bad = {
    n: 1,
    promptOffsets: o,
    promptIds: new Uint32Array([4]),
    aOffsets: o,
    aIds: new Uint32Array([0]),
    bOffsets: o,
    bIds: new Uint32Array([0]),
  };
  await assert.rejects(
    () => b.load(bad),
    /prompt id 4 at position 0 is not below model.buckets \(4\)/,
  );
  await b.load({ ...bad, promptIds: new Uint32Array([3]) });
  const set = {
    indices: new Uint32Array([0]),
    labels: new Int8Array([0]),
    weights: new Float32Array([1]),
  };
  await assert.rejects(
    async () => await b.trainEpoch(set, new Uint32Array([0]), OPTS),
    /label must be 1 or -1: current value is 0/,
  );
  await assert.rejects(
    async () => await b.score(new Uint32Array([1])),
    /Cannot score pair 1 as only 1 pairs are loaded/,
  );
});
