import assert from "node:assert/strict";
import { lastValueFrom, toArray } from "rxjs";
import { serLoop } from "../../src/ser/loop.ts";
import { bootstrapSet, committeeScore } from "../../src/ser/committee.ts";
import { precisionMargin } from "../../src/ser/precision.ts";
import { estimateHeadroom } from "../../src/ser/headroom.ts";
import { fitCurve, predictCurve } from "../../src/ser/learning_curve.ts";
import { autoTune, tuneGrid } from "../../src/ser/auto_tune.ts";
import { CpuBackend } from "../../src/model/cpu_backend.ts";
import { featuresFromBatches } from "../../src/model/pair_features.ts";
import { initParams } from "../../src/model/params.ts";
import { firstIteration, initRng, nextIteration } from "../../src/ser/iteration.ts";
import { applyPolicy } from "../../src/ser/policy.ts";
import { buildTrainSet } from "../../src/ser/train_set.ts";
import { Rng } from "../../src/contracts/rng.ts";
import { trainStep } from "../../src/ser/train.ts";
import { EMPTY_METRICS, worldBatches, worldConfig, worldContext } from "./_world.ts";

Deno.test("precisionMargin() picks the longest margin-ranked prefix that reaches the target", () => {
  // Margins 6..1 with correctness 1 1 1 0 0 1: prefixes 1, 1, 1, .75, .6, .67.
  const ra = [6, 5, 4, 3, 2, 1], rb = [0, 0, 0, 0, 0, 0], y = [1, 1, 1, -1, -1, 1];
  assert.equal(precisionMargin(ra, rb, y, 0.75, 1), 3);
  assert.equal(precisionMargin(ra, rb, y, 0.6, 1), 1);
  // Three pairs at least: the 100% prefixes of one and two pairs do not count.
  assert.equal(precisionMargin(ra, rb, y, 1, 3), 4);
  assert.equal(precisionMargin(ra, rb, y, 1, 4), Infinity);
  assert.throws(() => precisionMargin(ra, rb, y, 0, 1), RangeError);
});

Deno.test("bootstrapSet() draws n examples with replacement, as weights", () => {
  const n = 500;
  const set = {
    indices: Uint32Array.from({ length: n }, (_, i) => i * 2),
    labels: new Int8Array(n).fill(1),
    weights: new Float32Array(n).fill(0.5),
  };
  const b = bootstrapSet(set, new Rng(9));
  const draws = b.weights.reduce((a, w) => a + w / 0.5, 0);
  assert.equal(Math.round(draws), n);
  // About 1 - 1/e of the examples are drawn at least once.
  assert.ok(b.indices.length > 0.55 * n && b.indices.length < 0.71 * n, `${b.indices.length}`);
  assert.deepEqual(bootstrapSet(set, new Rng(9)), b, "same generator, same resample");
});

Deno.test("committeeScore() averages its members, restores the model and marks disagreement", async () => {
  const ctx = await worldContext(worldConfig({ select: { committee: 3 } }));
  const { backend, data, opts } = ctx;
  await backend.setParams(initParams(opts.model, initRng(ctx.seed)));
  const set = buildTrainSet(data, new Map(), "ser", opts.train);
  const before = await backend.getParams();
  const own = await backend.score(data.unlabelled);
  const [c] = await committeeScore(ctx, set, 1, [data.unlabelled]);
  assert.deepEqual((await backend.getParams()).params, before.params, "model restored");
  assert.equal(c.rewardA.length, data.unlabelled.length);
  // Members differ from the model alone, so the mean differs and some pairs disagree.
  assert.notDeepEqual(c.rewardA, own.rewardA);
  assert.ok(c.agree.some((x) => x === 1) && c.agree.some((x) => x === 0));
  for (let i = 0; i < c.agree.length; i++) {
    if (c.agree[i] === 0) assert.ok(c.spread[i] > 0);
  }
});

Deno.test("nextIteration() with a committee selects by the members' mean where all agree", async () => {
  const cfg = worldConfig({ select: { committee: 3, policy: "either" } });
  const ctx = await worldContext(cfg);
  const first = await firstIteration(ctx, EMPTY_METRICS);
  // The committee the iteration will build, computed beside it from the same state.
  const set = buildTrainSet(ctx.data, new Map(), "ser", ctx.opts.train);
  const [c] = await committeeScore(ctx, set, 1, [ctx.data.unlabelled]);
  const rule = { ...ctx.opts.select, minNewPairs: 1 };
  const sel = applyPolicy("either", 1, c.rewardA, c.rewardB, rule).selection;
  const agreed = [...sel.positions].filter((p) => c.agree[p] === 1);
  assert.ok(agreed.length < sel.positions.length, "some selected pairs are disputed");
  const next = await nextIteration(ctx, first.state);
  const rows = next.labels.filter((l) => l.origin === "self").map((l) => l.row);
  assert.deepEqual(rows, agreed.map((p) => ctx.data.unlabelled[p]));
  const again = await worldContext(cfg);
  const n2 = await nextIteration(again, (await firstIteration(again, EMPTY_METRICS)).state);
  assert.deepEqual(n2.record, next.record, "deterministic");
});

Deno.test("serLoop() with the precision policy records status 'precision' and the calibrated ECE", async () => {
  const cfg = worldConfig({
    select: { policy: "precision", precision: 0.6, precision_min_pairs: 5 },
    stop: { max_iterations: 1 },
  });
  const ctx = await worldContext(cfg);
  const ev = await lastValueFrom(serLoop(ctx).pipe(toArray()));
  const its = ev.at(-1)!.state.metrics.iterations;
  assert.equal(its[1]?.status, "precision");
  for (const r of its) {
    assert.ok(r.calibration! > 0);
    assert.ok(r.calibratedEce! >= 0 && r.calibratedEce! <= 1);
  }
});

Deno.test("autoTune() tries the whole grid and chooses the candidate of lowest validation loss", async () => {
  const cfg = worldConfig({ train: { epoch_patience: 1 } });
  const ctx = await worldContext(cfg);
  const batches = worldBatches();
  const open = async (m: typeof ctx.opts.model) => {
    const b = CpuBackend.create(m);
    await b.load(featuresFromBatches(batches, { ...m, featurizer: ctx.opts.featurizer }));
    return b;
  };
  const r = await autoTune(ctx.data, ctx.opts, 5, open);
  assert.equal(r.candidates.length, tuneGrid(ctx.opts).length);
  const best = Math.min(...r.candidates.map((c) => c.validationLoss));
  assert.equal(r.candidates[r.chosen].validationLoss, best);
  assert.equal(r.widthField, "dim");
  assert.deepEqual(new Set(r.candidates.map((c) => c.width)), new Set([8, 32]));
  assert.deepEqual(await autoTune(ctx.data, ctx.opts, 5, open), r, "deterministic");
});

Deno.test("fitCurve() recovers a power law and never predicts a fall with more labels", () => {
  const n = [100, 200, 400, 800];
  const acc = n.map((x) => 0.8 - 0.5 * x ** -0.5);
  const f = fitCurve(n, acc, "power");
  assert.ok(Math.abs(predictCurve(f, 10000) - (0.8 - 0.5 * 0.01)) < 0.01);
  const flat = fitCurve(n, [0.7, 0.69, 0.68, 0.67], "power");
  assert.equal(predictCurve(flat, 10000), predictCurve(flat, 100));
  assert.throws(() => fitCurve([5, 5], [0.5, 0.6], "log"), RangeError);
});

Deno.test("fitCurve() logit recovers a power law in the odds and stays below 1", () => {
  const n = [125, 250, 500, 1000];
  const curve = (x: number) => 1 / (1 + Math.exp(-(-1.2 + 0.2 * Math.log(x))));
  const f = fitCurve(n, n.map(curve), "logit");
  assert.ok(Math.abs(f.params[0] - -1.2) < 1e-9 && Math.abs(f.params[1] - 0.2) < 1e-9);
  assert.ok(Math.abs(predictCurve(f, 15000) - curve(15000)) < 1e-9);
  // Unlike `log`, the curve rises towards 1 without passing it.
  assert.ok(predictCurve(f, 1e12) < 1 && predictCurve(f, 1e12) > predictCurve(f, 15000));
  assert.equal(predictCurve(fitCurve(n, n.map((x) => 0.5 + 0.1 * Math.log(x)), "log"), 1e12), 1);
  // Perfect accuracies are pulled in from the bounds instead of giving infinite log-odds.
  const sure = fitCurve([10, 20], [0.9, 1], "logit");
  assert.ok(sure.params.every(Number.isFinite));
});

Deno.test("estimateHeadroom() trains on shares of the seed and extrapolates to all labels", async () => {
  const ctx = await worldContext(worldConfig({ train: { epoch_patience: 1 } }));
  const h = await estimateHeadroom(ctx, {
    fractions: [1, 0.5],
    repeats: 2,
    fit: "log",
    matchEpochs: false,
  });
  assert.deepEqual(h.points.map((p) => p.fraction), [0.5, 1]);
  assert.deepEqual(h.points.map((p) => p.labels), [
    Math.round(ctx.data.seed.length / 2),
    ctx.data.seed.length,
  ]);
  assert.ok(h.points.every((p) => p.runs.length === 2));
  assert.equal(h.allLabels, ctx.data.seed.length + ctx.data.unlabelled.length);
  assert.equal(h.predictedAllLabels, predictCurve(h.fit, h.allLabels));
  assert.equal(h.predictedGain, h.predictedAllLabels - predictCurve(h.fit, ctx.data.seed.length));
  await assert.rejects(
    estimateHeadroom(ctx, { fractions: [0], repeats: 1, fit: "log", matchEpochs: false }),
    RangeError,
  );
  assert.equal(h.matchedEpochs, null);
});

Deno.test("estimateHeadroom() trains smaller shares for the epochs the full seed kept", async () => {
  const ctx = await worldContext(worldConfig({ train: { epochs: 8, epoch_patience: 1 } }));
  const o = { fractions: [0.5, 1], repeats: 2, fit: "logit" as const, matchEpochs: true };
  const h = await estimateHeadroom(ctx, o);
  const early = {
    indices: ctx.data.validation,
    labels: Int8Array.from(ctx.data.validation, (i) => ctx.data.label[i]),
    patience: 1,
  };
  // The same trainings by hand: the full seed with early stopping, then half of it for the most
  // epochs the full seed kept, without early stopping.
  const train = async (fraction: number, r: number, epochs: number | null) => {
    const rng = new Rng(ctx.seed).fork(`headroom-${fraction}-${r}`);
    const rows = rng.fork("subset").shuffle(Uint32Array.from(ctx.data.seed))
      .slice(0, Math.round(fraction * ctx.data.seed.length)).sort();
    await ctx.backend.setParams(initParams(ctx.opts.model, rng.fork("init")));
    const set = {
      indices: rows,
      labels: Int8Array.from(rows, (i) => ctx.data.label[i]),
      weights: new Float32Array(rows.length).fill(1),
    };
    const opts = epochs === null ? ctx.opts.train : { ...ctx.opts.train, epochs, epochPatience: 0 };
    const out = await trainStep(
      ctx.backend,
      set,
      opts,
      rng.fork("shuffle"),
      epochs === null ? early : null,
    );
    const s = await ctx.backend.score(ctx.data.test);
    const hits = Array.from(ctx.data.test, (row, i) => {
      const d = (s.rewardA[i] - s.rewardB[i]) * ctx.data.label[row];
      return d > 0 ? 1 : d === 0 ? 0.5 : 0;
    });
    return { kept: out.keptEpoch, accuracy: hits.reduce<number>((a, b) => a + b, 0) / hits.length };
  };
  const full = [await train(1, 0, null), await train(1, 1, null)];
  const kept = Math.max(...full.map((f) => f.kept));
  assert.ok(kept >= 1 && kept < 8, `early stopping ends the full seed's training (kept ${kept})`);
  assert.equal(h.matchedEpochs, kept);
  assert.deepEqual(h.points[1].runs, full.map((f) => f.accuracy));
  const half = [await train(0.5, 0, kept), await train(0.5, 1, kept)];
  assert.deepEqual(h.points[0].runs, half.map((f) => f.accuracy));
  assert.equal(h.fit.form, "logit");
});

Deno.test("serLoop() lists every iteration that is worse on validation than one with fewer labels", async () => {
  const ctx = await worldContext(worldConfig({ stop: { max_iterations: 3, patience: 3 } }));
  const ev = await lastValueFrom(serLoop(ctx).pipe(toArray()));
  const m = ev.at(-1)!.state.metrics;
  const expected: [number, number][] = [];
  for (const r of m.iterations) {
    const better = m.iterations.filter((e) =>
      e.poolSize < r.poolSize && e.validationAccuracy! > r.validationAccuracy!
    );
    if (better.length === 0) continue;
    const top = better.reduce((a, b) => (b.validationAccuracy! > a.validationAccuracy! ? b : a));
    expected.push([r.iteration, top.iteration]);
  }
  assert.deepEqual(m.regressions ?? [], expected);
});
