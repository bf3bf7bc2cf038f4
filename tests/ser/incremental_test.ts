import assert from "node:assert/strict";
import { lastValueFrom, toArray } from "rxjs";
import { Rng } from "../../src/contracts/rng.ts";
import { FastCpuBackend } from "../../src/model/fast/fast_backend.ts";
import { featuresFromBatches } from "../../src/model/pair_features.ts";
import type { RewardBackend, TrainSet } from "../../src/model/types.ts";
import type { SerConfig } from "../../src/ser/config.ts";
import { serLoop } from "../../src/ser/loop.ts";
import { type IterationCommit, MemoryStore } from "../../src/ser/store.ts";
import { newSelfLabels, replaySample } from "../../src/ser/train_set.ts";
import { problemsOf } from "../pipeline/_helpers.ts";
import { worldBatches, worldConfig, worldContext } from "./_world.ts";

/** Incremental retraining on the tiny world, re-labelling every iteration (so labels flip). */
function incConfig(train: Partial<SerConfig["train"]> = {}, over: Partial<SerConfig> = {}) {
  return worldConfig({
    train: { retrain: "incremental", incremental_epochs: 3, replay: 0.5, ...train },
    select: { policy: "either", relabel: true },
    stop: { max_iterations: 4, patience: 4, min_new_pairs: 5 },
    ...over,
  });
}

/** Records, per committed iteration, the sets trained on and whether the weights were reset. */
function spy(b: RewardBackend, store: MemoryStore) {
  const its: { sets: TrainSet[]; resets: number }[] = [{ sets: [], resets: 0 }];
  const train = b.trainEpoch.bind(b), set = b.setParams.bind(b), commit = store.commit.bind(store);
  b.trainEpoch = (
    s,
    order,
    opts,
    after,
  ) => (its.at(-1)!.sets.push(s), train(s, order, opts, after));
  b.setParams = (p, o) => (its.at(-1)!.resets++, set(p, o));
  store.commit = async (c) => {
    await commit(c);
    its.push({ sets: [], resets: 0 });
  };
  return its;
}

async function run(
  cfg: SerConfig,
  o: { store?: MemoryStore; signal?: AbortSignal; seed?: number; fast?: boolean } = {},
) {
  const store = o.store ?? new MemoryStore();
  const ctx = await worldContext(cfg, { store, signal: o.signal, seed: o.seed });
  let backend: RewardBackend = ctx.backend;
  if (o.fast) {
    backend = FastCpuBackend.create(ctx.opts.model, { threads: 1 });
    await backend.load(
      featuresFromBatches(worldBatches(), { ...ctx.opts.model, featurizer: ctx.opts.featurizer }),
    );
  }
  const its = spy(backend, store);
  try {
    const events = await lastValueFrom(serLoop({ ...ctx, backend }).pipe(toArray()));
    return { ctx, store, events, its, metrics: events.at(-1)!.state.metrics };
  } finally {
    if (o.fast) backend.destroy();
  }
}

function trail(commits: IterationCommit[]) {
  return commits.map((c) => ({ iteration: c.iteration, record: c.record, labels: c.labels }));
}

Deno.test("replaySample() draws a share of the seed without replacement, by the generator", () => {
  const seed = Uint32Array.from({ length: 40 }, (_, i) => 3 * i + 1);
  const a = replaySample(seed, 0.25, new Rng(5));
  assert.equal(a.length, 10);
  assert.equal(new Set(a).size, 10);
  assert.ok(a.every((r) => seed.includes(r)));
  assert.deepEqual([...a], [...a].sort((x, y) => x - y));
  assert.deepEqual(replaySample(seed, 0.25, new Rng(5)), a);
  assert.notDeepEqual(replaySample(seed, 0.25, new Rng(6)), a);
  assert.deepEqual(replaySample(seed, 1, new Rng(5)), seed);
  assert.equal(replaySample(seed, 0, new Rng(5)).length, 0);
});

Deno.test("retrain incremental trains only on the new self-labels plus the seed replay", async () => {
  const { ctx, events, its, metrics, store } = await run(incConfig({ epoch_patience: 0 }));
  const seed = new Set(ctx.data.seed);
  assert.ok(metrics.iterations.length >= 3, "the loop must run some self-labelling iterations");
  // Iteration 0: from the initial weights on the whole seed, for `epochs`.
  assert.equal(its[0].resets, 1);
  assert.equal(its[0].sets.length, 6);
  assert.deepEqual([...its[0].sets[0].indices], [...ctx.data.seed]);
  assert.equal(metrics.iterations[0].replayed, undefined);
  let fewer = false;
  for (let k = 1; k < metrics.iterations.length; k++) {
    const r = metrics.iterations[k];
    assert.equal(its[k].resets, 0, `iteration ${k} continues the previous weights`);
    assert.equal(its[k].sets.length, 3, "incremental_epochs passes");
    const set = its[k].sets[0];
    const human = [...set.indices].filter((i) => seed.has(i));
    const self = [...set.indices].filter((i) => !seed.has(i));
    assert.equal(human.length, 15, "half of the 30 seed pairs");
    assert.equal(r.replayed, 15);
    // Replays differ between iterations (drawn from the seed and the iteration).
    if (k > 1) {
      const before = [...its[k - 1].sets[0].indices].filter((i) => seed.has(i));
      assert.notDeepEqual(human, before);
    }
    const fresh = newSelfLabels(events[k - 1].state.selfLabels, events[k].state.selfLabels);
    assert.deepEqual(self, [...fresh.keys()].sort((a, b) => a - b));
    assert.equal(fresh.size, r.newPairs);
    for (const [j, row] of set.indices.entries()) {
      if (!seed.has(row)) assert.equal(set.labels[j], fresh.get(row)!.label);
    }
    // The pool still counts every self-label in force.
    assert.equal(r.poolSize, 30 + events[k].state.selfLabels.size);
    if (r.newPairs < events[k].state.selfLabels.size) fewer = true;
  }
  assert.ok(fewer, "some iteration must keep labels it had before (not retrained on)");
  // The committed weights are what training left in the backend.
  assert.equal(store.commits.length, metrics.iterations.length);
});

Deno.test("retrain incremental keeps the best epoch on validation", async () => {
  const { its, metrics } = await run(incConfig({ epoch_patience: 1, incremental_epochs: 6 }));
  for (let k = 1; k < metrics.iterations.length; k++) {
    const r = metrics.iterations[k];
    assert.ok(r.trainEpochs >= 1 && r.trainEpochs <= 6);
    assert.ok(its[k].sets.length <= Math.min(6, r.trainEpochs + 1), `iteration ${k} stopped early`);
  }
});

Deno.test("retrain incremental is deterministic and differs from scratch", async () => {
  const cfg = incConfig();
  const a = await run(cfg), b = await run(cfg);
  assert.deepEqual(trail(b.store.commits), trail(a.store.commits));
  assert.deepEqual(b.store.commits.at(-1)!.params, a.store.commits.at(-1)!.params);
  const c = await run(cfg, { seed: 8 });
  assert.notDeepEqual(c.its[1].sets[0].indices, a.its[1].sets[0].indices);
  const scratch = await run(incConfig({ retrain: "scratch" }));
  assert.equal(scratch.its[1].resets, 1);
  assert.equal(scratch.its[1].sets[0].indices.length, scratch.metrics.iterations[1].poolSize);
  assert.notDeepEqual(scratch.store.commits[1].params, a.store.commits[1].params);
});

Deno.test("retrain incremental resumed after a crash continues identically", async () => {
  const cfg = incConfig({}, { stop: { max_iterations: 4, patience: 4, min_new_pairs: 1 } });
  const whole = await run(cfg);
  assert.ok(whole.store.commits.length > 3, "the uninterrupted run must go past the crash point");
  const abort = new AbortController();
  const store = new MemoryStore();
  const commit = store.commit.bind(store);
  store.commit = async (c) => {
    await commit(c);
    if (c.iteration === 1) abort.abort();
  };
  await run(cfg, { store, signal: abort.signal });
  assert.equal(store.commits.length, 2);
  store.commit = commit;
  // A fresh backend: the model and the optimizer state come from iteration 1's checkpoint.
  const resumed = await run(cfg, { store });
  assert.equal(resumed.events[0].replayed, true);
  assert.deepEqual(trail(store.commits), trail(whole.store.commits));
  assert.deepEqual(resumed.metrics, whole.metrics);
  assert.deepEqual(store.commits.at(-1)!.params, whole.store.commits.at(-1)!.params);
});

Deno.test("retrain incremental gives the same run on the fast CPU path as on the reference", async () => {
  const cfg = incConfig({}, { stop: { max_iterations: 2, patience: 2, min_new_pairs: 5 } });
  const ref = await run(cfg), fast = await run(cfg, { fast: true });
  assert.equal(fast.metrics.iterations.length, ref.metrics.iterations.length);
  for (let k = 1; k < ref.metrics.iterations.length; k++) {
    assert.deepEqual(fast.its[k].sets[0], ref.its[k].sets[0], `iteration ${k}'s training set`);
  }
  const a = ref.store.commits.at(-1)!.params.w1, b = fast.store.commits.at(-1)!.params.w1;
  for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i] - b[i]) < 1e-3, `w1[${i}]`);
});

Deno.test("retrain incremental with self_noise replays clean seed rows and noises the new labels", async () => {
  const cfg = incConfig({ self_noise: 0.3 });
  const ctx0 = await worldContext(cfg);
  const features = featuresFromBatches(worldBatches(), {
    ...ctx0.opts.model,
    featurizer: ctx0.opts.featurizer,
  });
  await ctx0.backend.load(features);
  const store = new MemoryStore();
  const its = spy(ctx0.backend, store);
  const ctx = { ...ctx0, features, store };
  const events = await lastValueFrom(serLoop(ctx).pipe(toArray()));
  const r = events.at(-1)!.state.metrics.iterations[1];
  const set = its[1].sets[0], n = ctx.data.n;
  const human = [...set.indices.subarray(0, r.replayed)];
  assert.ok(human.every((i) => ctx.data.seed.includes(i)), "replayed rows are clean");
  assert.deepEqual(
    [...set.indices.subarray(r.replayed)],
    Array.from({ length: r.newPairs }, (_, j) => n + j),
    "new self-labels train on noised copies",
  );
});

const PIPE = `name: inc
stages:
  - id: data
    use: synthetic
  - id: split
    use: split
  - id: evolve
    use: ser
    with:
      train: { retrain: incremental }
`;

Deno.test("retrain incremental with a committee or co-training fails validation where it is set", async () => {
  assert.deepEqual(await problemsOf(PIPE), []);
  assert.deepEqual(await problemsOf(PIPE + "      select: { committee: 1 }\n"), []);
  assert.deepEqual(await problemsOf(PIPE + "      select: { committee: 3, cotrain: true }\n"), [
    "FILE:10:25: stage 'evolve': train.retrain 'incremental' cannot be combined with " +
    "select.committee 3 (its members retrain from new weights on the whole pool every " +
    "iteration): set select.committee to 1 or set train.retrain to scratch",
    "FILE:10:25: stage 'evolve': train.retrain 'incremental' cannot be combined with " +
    "select.cotrain (its character view retrains on the whole pool every iteration): set " +
    "select.cotrain to false or set train.retrain to scratch",
  ]);
  // Set on the command line: the problem names the argument.
  const scratch = PIPE.replace("retrain: incremental", "retrain: scratch");
  const viaSet = await problemsOf(scratch + "      select: { committee: 3 }\n", [
    "stages.evolve.with.train.retrain=incremental",
  ]);
  assert.equal(viaSet.length, 1);
  assert.match(viaSet[0], /^--set stages\.evolve\.with\.train\.retrain=incremental: /);
  // The reference modes train once: nothing to combine.
  assert.deepEqual(
    await problemsOf(
      PIPE.replace("      train:", "      mode: seed-only\n      train:") +
        "      select: { committee: 3 }\n",
    ),
    [],
  );
  // A field that is itself invalid is reported alone.
  const bad = await problemsOf(PIPE + "      select: { committee: 0 }\n");
  assert.equal(bad.length, 1);
  assert.match(bad[0], /committee/);
});
