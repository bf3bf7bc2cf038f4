import { GpuBackend } from "../../src/gpu/gpu_backend.ts";
import { CpuBackend } from "../../src/model/cpu_backend.ts";
import { DEFAULT_TRAIN, type PairFeatures, type TrainSet } from "../../src/model/types.ts";
import type { Rng } from "../../src/contracts/rng.ts";
import { assertClose, rngFor } from "./_harness.ts";
import { assertTrainedClose, randomEmbeddings, randomSet, SMALL } from "./_pairs.ts";
import { gpuTest } from "./_webgpu.ts";
import assert from "node:assert/strict";

gpuTest("precomputed-embedding input scores and trains like the CPU reference", async (gpu) => {
  const cfg = { ...SMALL, input: "embedding" as const, dim: 20 }, rng = rngFor("embedding input");
  const f = randomEmbeddings(rng, 150, cfg.dim), set = randomSet(rng, f.n);
  const gpuB = await GpuBackend.create(cfg, { gpu }), cpu = CpuBackend.create(cfg);
  try {
    await gpuB.load(f);
    await cpu.load(f);
    const idx = Uint32Array.from({ length: 70 }, () => rng.int(f.n));
    const [g, c] = [await gpuB.score(idx), await cpu.score(idx)];
    assertClose(g.rewardA, c.rewardA, "rewardA");
    assertClose(g.rewardB, c.rewardB, "rewardB");
    const opts = { ...DEFAULT_TRAIN, batchSize: 40, lr: 0.01, weightDecay: 0.01 };
    const order = rng.shuffle(set.indices.slice());
    const [ge, ce] = [
      await gpuB.trainEpoch(set, order, opts),
      await cpu.trainEpoch(set, order, opts),
    ];
    assertClose([ge.loss, ge.accuracy], [ce.loss, ce.accuracy], "epoch stats", 1e-6, 1e-5);
    const [gp, cp] = [await gpuB.getParams(), await cpu.getParams()];
    assert.equal(gp.params.embedding.length, 0);
    assertTrainedClose(gp.params, cp.params, opts.lr, 4);
  } finally {
    gpuB.destroy();
  }
});

/**
 * A separable toy world: the prompt carries topic token 1 or 2, the preferred response carries
 * that topic's good token (10 or 20), the other response the other topic's, plus random filler.
 * Telling them apart needs the prompt-response interaction.
 */
function toyWorld(rng: Rng, n: number, buckets: number): { f: PairFeatures; set: TrainSet } {
  const bags = [[], [], []] as number[][], offs = [[0], [0], [0]];
  const labels = new Int8Array(n);
  for (let i = 0; i < n; i++) {
    const topic = 1 + rng.int(2),
      good = 10 * topic,
      bad = 10 * (3 - topic),
      aGood = rng.next() < 0.5;
    const filler = () => Array.from({ length: 2 + rng.int(5) }, () => 100 + rng.int(buckets - 100));
    bags[0].push(topic, ...filler());
    bags[1].push(aGood ? good : bad, ...filler());
    bags[2].push(aGood ? bad : good, ...filler());
    labels[i] = aGood ? 1 : -1;
    for (let k = 0; k < 3; k++) offs[k].push(bags[k].length);
  }
  const u = (a: number[]) => new Uint32Array(a);
  const f = {
    n,
    promptOffsets: u(offs[0]),
    promptIds: u(bags[0]),
    aOffsets: u(offs[1]),
    aIds: u(bags[1]),
    bOffsets: u(offs[2]),
    bIds: u(bags[2]),
  };
  const indices = Uint32Array.from({ length: n }, (_, i) => i);
  return { f, set: { indices, labels, weights: new Float32Array(n).fill(1) } };
}

gpuTest(
  "the GPU backend learns a separable prompt-dependent toy set to > 95% held-out accuracy",
  async (gpu) => {
    const rng = rngFor("toy"), { f, set } = toyWorld(rng, 600, SMALL.buckets);
    const train = {
      indices: set.indices.subarray(0, 400),
      labels: set.labels.subarray(0, 400),
      weights: set.weights.subarray(0, 400),
    };
    const b = await GpuBackend.create(SMALL, { gpu });
    try {
      await b.load(f);
      const opts = { ...DEFAULT_TRAIN, batchSize: 64, lr: 0.02 };
      let last = { loss: 0, accuracy: 0 };
      for (let e = 0; e < 8; e++) {
        last = await b.trainEpoch(
          train,
          rng.shuffle(train.indices.map((_, i) => i)),
          opts,
        );
      }
      assert.ok(last.accuracy > 0.95, `training accuracy ${last.accuracy}`);
      const held = set.indices.subarray(400);
      const s = await b.score(held);
      let right = 0;
      held.forEach((i, t) => right += set.labels[i] * (s.rewardA[t] - s.rewardB[t]) > 0 ? 1 : 0);
      assert.ok(right / held.length > 0.95, `held-out accuracy ${right / held.length}`);
    } finally {
      b.destroy();
    }
  },
);
