import assert from "node:assert/strict";
import { lastValueFrom, toArray } from "rxjs";
import { Rng } from "../../src/contracts/rng.ts";
import { CpuBackend } from "../../src/model/cpu_backend.ts";
import { FastCpuBackend } from "../../src/model/fast/fast_backend.ts";
import { DEFAULT_FEATURIZER, Featurizer } from "../../src/model/featurizer.ts";
import { featuresFromBatches } from "../../src/model/pair_features.ts";
import type { PairFeatures, RewardBackend, TrainSet } from "../../src/model/types.ts";
import { charViewFeaturizer } from "../../src/ser/cotrain.ts";
import { firstIteration, type LoopContext, nextIteration } from "../../src/ser/iteration.ts";
import { serLoop } from "../../src/ser/loop.ts";
import { noisyCopies } from "../../src/ser/noise.ts";
import { applyPolicy } from "../../src/ser/policy.ts";
import { MemoryStore } from "../../src/ser/store.ts";
import * as ser from "../../src/stages/ser.ts";
import { randomFeatures, smallConfig } from "../model/_fixtures.ts";
import { runStage, testContext } from "./_ctx.ts";
import { EMPTY_METRICS, worldBatches, worldConfig, worldContext } from "./_world.ts";
import type { SerConfig } from "../../src/ser/config.ts";

/** Records what the backend was asked to load and to train on. */
function spy(b: RewardBackend) {
  const loads: PairFeatures[] = [], sets: TrainSet[] = [];
  const load = b.load.bind(b), train = b.trainEpoch.bind(b);
  b.load = (f) => (loads.push(f), load(f));
  b.trainEpoch = (set, order, opts, after) => (sets.push(set), train(set, order, opts, after));
  return { loads, sets };
}

/** A world context whose backend (reference or fast) knows its features, as the stage passes them. */
async function noisyContext(cfg: SerConfig, fast = false): Promise<LoopContext> {
  const ctx = await worldContext(cfg);
  const batches = worldBatches();
  const features = featuresFromBatches(batches, {
    ...ctx.opts.model,
    featurizer: ctx.opts.featurizer,
  });
  const backend = fast ? FastCpuBackend.create(ctx.opts.model, { threads: 1 }) : ctx.backend;
  await backend.load(features);
  return { ...ctx, backend, features };
}

Deno.test("noisyCopies() appends dropped-out copies and leaves the clean rows as they were", () => {
  const cfg = smallConfig({ buckets: 50 });
  const f = randomFeatures(cfg, 400, new Rng(1), 30);
  const rows = Array.from({ length: 200 }, (_, i) => 2 * i);
  const { features: g, copyOf } = noisyCopies(f, rows, 0.3, new Rng(2));
  assert.equal(g.n, 600);
  for (const k of ["prompt", "a", "b"] as const) {
    const off = g[`${k}Offsets`], ids = g[`${k}Ids`], o0 = f[`${k}Offsets`], i0 = f[`${k}Ids`];
    assert.deepEqual(off.subarray(0, 401), o0, "clean offsets unchanged");
    assert.deepEqual(ids.subarray(0, o0[400]), i0, "clean ids unchanged");
    let kept = 0, total = 0;
    for (const r of rows) {
      const c = copyOf.get(r)!;
      const copy = [...ids.subarray(off[c], off[c + 1])], orig = [...i0.subarray(o0[r], o0[r + 1])];
      // The copy is the original with some ids left out, in order.
      let j = 0;
      for (const id of orig) if (j < copy.length && copy[j] === id) j++;
      assert.equal(j, copy.length, `copy of row ${r} is a subsequence`);
      kept += copy.length, total += orig.length;
    }
    assert.ok(Math.abs(kept / total - 0.7) < 0.05, `kept ${kept / total}`);
  }
  assert.deepEqual(noisyCopies(f, rows, 0.3, new Rng(2)).features, g, "deterministic");
  const none = noisyCopies(f, [5], 0, new Rng(2)).features;
  assert.deepEqual(
    none.aIds.subarray(none.aOffsets[400]),
    f.aIds.subarray(f.aOffsets[5], f.aOffsets[6]),
  );
  assert.throws(() => noisyCopies(f, rows, 1, new Rng(2)), RangeError);
});

Deno.test("noisyCopies() on precomputed vectors zeroes components and rescales the rest", () => {
  const cfg = smallConfig({ input: "embedding", dim: 64 });
  const f = randomFeatures(cfg, 3, new Rng(1));
  const { features: g } = noisyCopies(f, [1], 0.5, new Rng(4));
  assert.equal(g.n, 4);
  assert.deepEqual(g.aEmb!.subarray(0, 3 * 64), f.aEmb);
  let zeros = 0;
  for (let c = 0; c < 64; c++) {
    const v = g.aEmb![3 * 64 + c];
    if (v === 0) zeros++;
    else assert.ok(Math.abs(v - 2 * f.aEmb![64 + c]) < 1e-6);
  }
  assert.ok(zeros > 16 && zeros < 48, `${zeros} zeros`);
});

Deno.test("train.self_noise trains self-labels on noised copies and human pairs on clean rows", async () => {
  const cfg = worldConfig({ train: { self_noise: 0.3 }, select: { policy: "either" } });
  const ctx = await noisyContext(cfg);
  const n = ctx.data.n;
  const first = await firstIteration(ctx, EMPTY_METRICS);
  const { loads, sets } = spy(ctx.backend);
  const next = await nextIteration(ctx, first.state);
  assert.equal(loads.length, 1, "one noisy load per iteration");
  const set = sets.at(-1)!, seed = ctx.data.seed.length, f = loads[0];
  assert.deepEqual([...set.indices.subarray(0, seed)], [...ctx.data.seed], "human rows clean");
  const self = [...next.state.selfLabels.keys()].sort((a, b) => a - b);
  assert.ok(self.length > 0);
  assert.equal(f.n, n + self.length);
  assert.deepEqual(
    [...set.indices.subarray(seed)],
    self.map((_, j) => n + j),
    "self-labels train on the copies",
  );
  // The copies hold fewer ids than their rows (about 70%).
  const ids = (o: Uint32Array, rows: number[]) => rows.reduce((s, r) => s + o[r + 1] - o[r], 0);
  const copies = self.map((_, j) => n + j);
  const ratio = ids(f.aOffsets, copies) / ids(f.aOffsets, self);
  assert.ok(ratio > 0.6 && ratio < 0.8, `${ratio}`);
  // Without noise the same iteration trains on the rows themselves and differs.
  const clean = await noisyContext(
    worldConfig({ train: { self_noise: 0 }, select: { policy: "either" } }),
  );
  const c0 = await firstIteration(clean, EMPTY_METRICS);
  const cs = spy(clean.backend);
  const cn = await nextIteration(clean, c0.state);
  assert.equal(cs.loads.length, 0);
  assert.deepEqual([...cs.sets.at(-1)!.indices.subarray(seed)], self);
  assert.notDeepEqual(cn.record!.trainLoss, next.record!.trainLoss);
  // Deterministic from the seed.
  const again = await noisyContext(cfg);
  const a2 = await nextIteration(again, (await firstIteration(again, EMPTY_METRICS)).state);
  assert.deepEqual(a2.record, next.record);
});

Deno.test("train.self_noise gives the same iteration on the fast CPU path as on the reference", async () => {
  const cfg = worldConfig({ train: { self_noise: 0.2 }, select: { policy: "either" } });
  const run = async (fast: boolean) => {
    const ctx = await noisyContext(cfg, fast);
    try {
      const s1 = await nextIteration(ctx, (await firstIteration(ctx, EMPTY_METRICS)).state);
      const s2 = await nextIteration(ctx, s1.state);
      return { s1, s2, params: (await ctx.backend.getParams()).params };
    } finally {
      ctx.backend.destroy();
    }
  };
  const ref = await run(false), fast = await run(true);
  assert.deepEqual([...fast.s2.state.selfLabels.keys()], [...ref.s2.state.selfLabels.keys()]);
  for (let i = 0; i < ref.params.w1.length; i++) {
    assert.ok(Math.abs(ref.params.w1[i] - fast.params.w1[i]) < 1e-3, `w1[${i}]`);
  }
});

Deno.test("the character view's featurizer emits character n-grams only", () => {
  const words = { ...DEFAULT_FEATURIZER, buckets: 1 << 20 };
  const c = charViewFeaturizer(words, { charNgramMin: 3, charNgramMax: 4 });
  const f = new Featurizer(c), w = new Featurizer(words);
  // "<cat>" has 3 trigrams and 2 four-grams; "<a>" has 1 trigram.
  const ids = f.textIds("cat a", "response");
  assert.equal(ids.length, 6);
  const wordIds = new Set(w.textIds("cat a", "response"));
  assert.ok([...ids].every((id) => !wordIds.has(id)));
  assert.throws(
    () => new Featurizer({ ...words, ngramMax: 0 }),
    RangeError,
    "words off needs chars",
  );
});

/** A world context with the character view beside the word model. */
async function coContext(cfg: SerConfig): Promise<LoopContext> {
  const ctx = await worldContext(cfg);
  const chars = featuresFromBatches(worldBatches(), {
    ...ctx.opts.model,
    featurizer: charViewFeaturizer(ctx.opts.featurizer, ctx.opts.select.cotrain!),
  });
  const backend = CpuBackend.create(ctx.opts.model);
  await backend.load(chars);
  return { ...ctx, coView: { backend, features: chars } };
}

Deno.test("select.cotrain: each view's confident pairs become the other view's labels", async () => {
  const cfg = worldConfig({
    model: { buckets: 4096 },
    select: { policy: "either", cotrain: true, cotrain_char_min: 3, cotrain_char_max: 4 },
  });
  const ctx = await coContext(cfg);
  const first = await firstIteration(ctx, EMPTY_METRICS);
  const co = first.record!.cotrain!;
  assert.equal(co.labels, 0);
  assert.ok(co.validationAccuracy !== null && co.testAccuracy !== null);
  // What each view selects from iteration 0's models, computed beside the loop.
  const rows = ctx.data.unlabelled, rule = { ...ctx.opts.select, minNewPairs: 1 };
  const chosen = async (b: RewardBackend) => {
    const s = await b.score(rows);
    const sel = applyPolicy("either", 1, s.rewardA, s.rewardB, rule).selection;
    return new Map([...sel.positions].map((p, j) => [rows[p], sel.labels[j]]));
  };
  const byWords = await chosen(ctx.backend), byChars = await chosen(ctx.coView!.backend);
  assert.notDeepEqual(byWords, byChars, "the views disagree somewhere");
  const next = await nextIteration(ctx, first.state);
  const labelsOf = (m: Map<number, { label: number }>) =>
    new Map([...m].map(([r, s]) => [r, s.label]));
  assert.deepEqual(labelsOf(next.state.selfLabels), byChars, "word model learns the char view's");
  assert.deepEqual(labelsOf(next.state.coLabels!), byWords, "char model learns the word view's");
  assert.deepEqual(
    next.labels.filter((l) => l.origin === "self").map((l) => l.row).sort((a, b) => a - b),
    [...byChars.keys()].sort((a, b) => a - b),
    "the pool keeps the word model's labels",
  );
  assert.equal(next.record!.cotrain!.labels, byWords.size);
  const again = await coContext(cfg);
  const n2 = await nextIteration(again, (await firstIteration(again, EMPTY_METRICS)).state);
  assert.deepEqual(n2.record, next.record, "deterministic");
});

Deno.test("select.cotrain refuses --resume and bags-free input with the field named", async () => {
  const cfg = worldConfig({ select: { cotrain: true }, stop: { max_iterations: 1 } });
  const store = new MemoryStore();
  const ctx = await coContext(cfg);
  await lastValueFrom(serLoop({ ...ctx, store }).pipe(toArray()));
  const again = await coContext(cfg);
  await assert.rejects(
    lastValueFrom(serLoop({ ...again, store })),
    /Cannot resume a run with select\.cotrain/,
  );
  const stage = testContext({ stageId: "evolve" });
  const withBlock = {
    ...worldConfig({ select: { cotrain: true } }),
    model: { ...cfg.model, input: "embedding" },
  };
  await assert.rejects(
    () => runStage(ser, withBlock, stage, worldBatches()).finally(() => stage.close()),
    /Cannot run stage 'evolve' with select\.cotrain as it needs hashed bags: set model\.input to bag/,
  );
});
