/**
 * The synthetic world's defaults leave room for self-labelling: a model trained on 5% of the
 * labels falls clearly short of one trained on all of them (mean of 3 seeds).
 */
import assert from "node:assert/strict";
import { buildWorld, DEFAULT_SYNTHETIC } from "../../src/data/synthetic/world.ts";
import { samplePairs } from "../../src/data/synthetic/sample.ts";
import { assignSplits } from "../../src/data/split_assign.ts";
import { pairBatch, type PairRow } from "../../src/data/schema.ts";
import { Rng } from "../../src/contracts/rng.ts";
import { logregAccuracy } from "./_logreg.ts";

/** The default world of `seed`, split 5% seed / 5% validation / 20% test by prompt group. */
function defaultWorldSplits(seed: number): Record<"seed" | "unlabelled" | "test", PairRow[]> {
  const rows = [...samplePairs(buildWorld(DEFAULT_SYNTHETIC, seed), new Rng(seed))].map((p) =>
    p.row
  );
  const sizes = new Map<string, number>();
  for (const r of rows) sizes.set(r.group_id, (sizes.get(r.group_id) ?? 0) + 1);
  const split = assignSplits(
    sizes,
    { seed: 0.05, validation: 0.05, test: 0.2 },
    new Rng(seed + 100),
  );
  const of = (s: string) => rows.filter((r) => split.get(r.group_id) === s);
  return { seed: of("seed"), unlabelled: of("unlabelled"), test: of("test") };
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

Deno.test("synthetic defaults: a hashed-word logistic regression on 5% of the labels is >= 3 points behind all labels", () => {
  const seedOnly: number[] = [], all: number[] = [];
  for (const seed of [1, 2, 3]) {
    const s = defaultWorldSplits(seed);
    seedOnly.push(logregAccuracy(s.seed, s.test));
    all.push(logregAccuracy([...s.seed, ...s.unlabelled], s.test));
  }
  const gap = 100 * (mean(all) - mean(seedOnly));
  assert.ok(
    gap >= 3,
    `seed-only ${mean(seedOnly)}, all labels ${mean(all)}: gap ${gap.toFixed(2)} points`,
  );
  // Neither is trivial: the seed model learns something, and no model beats the label noise.
  assert.ok(mean(seedOnly) > 0.55 && mean(all) < 0.78);
});

Deno.test({
  name:
    "synthetic defaults: the reference reward model (ser defaults) on 5% of the labels is >= 3 points behind all labels",
  // About a minute on 2 cores: run with SERFLOW_SLOW_TESTS=1.
  ignore: !Deno.env.get("SERFLOW_SLOW_TESTS"),
  async fn() {
    const { CpuBackend } = await import("../../src/model/cpu_backend.ts");
    const { featuresFromBatches } = await import("../../src/model/pair_features.ts");
    const { fitModel } = await import("../../src/model/fit.ts");
    const { evaluatePairs } = await import("../../src/model/metrics.ts");
    const { initParams } = await import("../../src/model/params.ts");
    const { DEFAULT_MODEL, DEFAULT_TRAIN } = await import("../../src/model/types.ts");
    const { DEFAULT_FEATURIZER } = await import("../../src/model/featurizer.ts");
    // The `ser` stage's defaults (src/ser/config.ts).
    const model = { ...DEFAULT_MODEL, buckets: 65536, dim: 32, hidden: 64 };
    const train = { ...DEFAULT_TRAIN, batchSize: 64, lr: 0.003, epochs: 4 };
    const acc = { seed: [] as number[], all: [] as number[] };
    for (const seed of [1, 2, 3]) {
      const s = defaultWorldSplits(seed);
      const rows = [...s.seed, ...s.unlabelled, ...s.test];
      const feats = featuresFromBatches([pairBatch(rows)], {
        input: "bag",
        dim: model.dim,
        featurizer: { ...DEFAULT_FEATURIZER, buckets: model.buckets },
      });
      const nSeed = s.seed.length, nTrainAll = nSeed + s.unlabelled.length;
      const test = Uint32Array.from({ length: s.test.length }, (_, i) => nTrainAll + i);
      for (const [name, n] of [["seed", nSeed], ["all", nTrainAll]] as const) {
        const b = CpuBackend.create(model);
        await b.load(feats);
        await b.setParams(initParams(model, new Rng(seed)));
        const set = {
          indices: Uint32Array.from({ length: n }, (_, i) => i),
          labels: Int8Array.from(rows.slice(0, n).map((r) => r.label!)),
          weights: new Float32Array(n).fill(1),
        };
        await fitModel(b, set, train, new Rng(seed + 1));
        const sc = await b.score(test);
        acc[name].push(evaluatePairs(sc.rewardA, sc.rewardB, s.test.map((r) => r.label!)).accuracy);
        b.destroy();
      }
    }
    const gap = 100 * (mean(acc.all) - mean(acc.seed));
    console.log(
      `reference model: seed-only ${mean(acc.seed).toFixed(4)}, all labels ${
        mean(acc.all).toFixed(4)
      }, gap ${gap.toFixed(2)} points`,
    );
    assert.ok(gap >= 3, `gap ${gap.toFixed(2)} points`);
  },
});
