import assert from "node:assert/strict";
import { lastValueFrom, toArray } from "rxjs";
import { serLoop } from "../../src/ser/loop.ts";
import { type IterationCommit, MemoryStore } from "../../src/ser/store.ts";
import type { SerConfig } from "../../src/ser/config.ts";
import { SIZES, worldBatches, worldConfig, worldContext } from "./_world.ts";
import { pairBatch, pairRows } from "../../src/data/schema.ts";

async function run(cfg: SerConfig, opts: Parameters<typeof worldContext>[1] = {}) {
  const ctx = await worldContext(cfg, opts);
  const events = await lastValueFrom(serLoop(ctx).pipe(toArray()));
  const store = ctx.store as MemoryStore;
  return { events, store, metrics: events[events.length - 1].state.metrics };
}

/** Labels and records of each commit, without the (large) weights. */
function trail(commits: IterationCommit[]) {
  return commits.map((c) => ({ iteration: c.iteration, record: c.record, labels: c.labels }));
}

Deno.test("serLoop() emits one event per iteration and ends with a stop reason and kept model", async () => {
  const { events, metrics, store } = await run(worldConfig({ stop: { max_iterations: 2 } }));
  assert.deepEqual(events.map((e) => e.state.iteration), [0, 1, 2]);
  assert.deepEqual(events.map((e) => e.done), [false, false, true]);
  assert.equal(metrics.stopReason, "max-iterations");
  assert.equal(metrics.final?.iterations, 2);
  assert.equal(metrics.humanLabels, SIZES.seed);
  const best = Math.max(...metrics.iterations.map((r) => r.validationAccuracy!));
  const kept = metrics.iterations.find((r) => r.iteration === metrics.final!.iteration)!;
  assert.equal(kept.validationAccuracy, best);
  assert.equal(metrics.final?.testAccuracy, kept.testAccuracy);
  assert.deepEqual(store.finished, metrics);
  // Iteration 0 commits the human seed labels; later ones the self-labels they chose.
  assert.equal(store.commits[0].labels.length, SIZES.seed);
  assert.ok(store.commits[0].labels.every((l) => l.origin === "human" && l.rule === "seed"));
  for (const c of store.commits.slice(1)) {
    assert.equal(c.labels.length, c.record.selected);
    assert.ok(c.labels.every((l) => l.origin === "self" && l.iteration === c.iteration));
  }
});

Deno.test("serLoop() is deterministic: same seed, same labels, metrics and weights", async () => {
  const cfg = worldConfig({ stop: { max_iterations: 2 } });
  const a = await run(cfg), b = await run(cfg);
  assert.deepEqual(trail(b.store.commits), trail(a.store.commits));
  assert.deepEqual(b.store.commits[2].params, a.store.commits[2].params);
  const c = await run(cfg, { seed: 8 });
  assert.notDeepEqual(c.store.commits[0].params.w1, a.store.commits[0].params.w1);
});

Deno.test("serLoop() never trains on gold labels: flipping every gold label changes no weight", async () => {
  const cfg = worldConfig({ stop: { max_iterations: 2 } });
  const flipped = worldBatches().map((b) =>
    pairBatch(pairRows(b).map((r) => ({ ...r, gold: r.gold === null ? null : -r.gold as 1 | -1 })))
  );
  const a = await run(cfg), b = await run(cfg, { batches: flipped });
  assert.equal(b.store.commits.length, a.store.commits.length);
  for (let i = 0; i < a.store.commits.length; i++) {
    assert.deepEqual(b.store.commits[i].params, a.store.commits[i].params);
    assert.deepEqual(b.store.commits[i].labels, a.store.commits[i].labels);
    const pa = a.store.commits[i].record.selfLabelPrecision;
    const pb = b.store.commits[i].record.selfLabelPrecision;
    if (pa === null) assert.equal(pb, null);
    else assert.ok(Math.abs(pa + pb! - 1) < 1e-12, "precision must mirror against flipped gold");
  }
  // The check has teeth: all-labels mode does read gold, and there the weights differ.
  const all = worldConfig({ mode: "all-labels" });
  const c = await run(all), d = await run(all, { batches: flipped });
  assert.notDeepEqual(d.store.commits[0].params.w1, c.store.commits[0].params.w1);
});

Deno.test("serLoop() resumed after a crash gives the same labels and metrics as an uninterrupted run", async () => {
  for (const warm of [false, true]) {
    const cfg = worldConfig({
      stop: { max_iterations: 4, patience: 4 },
      train: { warm_start: warm },
    });
    const whole = await run(cfg);
    assert.ok(whole.store.commits.length > 3, "the uninterrupted run must go past the crash point");
    // Crash right after iteration 2 commits: the run stops at the next unit of work.
    const abort = new AbortController();
    const store = new MemoryStore();
    const commit = store.commit.bind(store);
    store.commit = async (c) => {
      await commit(c);
      if (c.iteration === 2) abort.abort();
    };
    const first = await run(cfg, { store, signal: abort.signal });
    assert.equal(first.events[first.events.length - 1].done, false);
    assert.equal(store.commits.length, 3);
    // Resume with a fresh backend: the model and optimizer come from the store.
    store.commit = commit;
    const resumed = await run(cfg, { store });
    assert.equal(resumed.events[0].replayed, true);
    assert.equal(resumed.events[0].state.iteration, 2);
    assert.deepEqual(trail(store.commits), trail(whole.store.commits));
    assert.deepEqual(resumed.metrics, whole.metrics);
    const last = whole.store.commits.length - 1;
    assert.deepEqual(store.commits[last].params, whole.store.commits[last].params);
  }
});

Deno.test("serLoop() stops on max_iterations 0 right after the seed model", async () => {
  const { metrics } = await run(worldConfig({ stop: { max_iterations: 0 } }));
  assert.equal(metrics.stopReason, "max-iterations");
  assert.equal(metrics.iterations.length, 1);
});

Deno.test("serLoop() stops with no-new-pairs when the policy finds fewer than min_new_pairs", async () => {
  const { metrics, store } = await run(worldConfig({ stop: { min_new_pairs: 10000 } }));
  assert.equal(metrics.stopReason, "no-new-pairs");
  assert.equal(metrics.final?.iterations, 0);
  assert.equal(store.commits.length, 1);
});

Deno.test("serLoop() stops with no-unlabelled once every unlabelled pair is labelled", async () => {
  const cfg = worldConfig({ select: { policy: "top_k", k: 10000 }, stop: { min_new_pairs: 1 } });
  const { metrics } = await run(cfg);
  assert.equal(metrics.stopReason, "no-unlabelled");
  assert.equal(metrics.iterations[1].selected, SIZES.unlabelled);
  assert.equal(metrics.iterations.length, 2);
});

Deno.test("serLoop() stops on patience when validation accuracy stops improving", async () => {
  // A learning rate of ~0 keeps every retrained model at the same initial weights: no gains.
  const cfg = worldConfig({
    train: { lr: 1e-12 },
    select: { policy: "top_k", k: 20 },
    stop: { patience: 2, max_iterations: 8, min_new_pairs: 1 },
  });
  const { metrics } = await run(cfg);
  assert.equal(metrics.stopReason, "patience");
  assert.deepEqual(metrics.iterations.map((r) => r.iteration), [0, 1, 2]);
  assert.equal(metrics.final?.iteration, 0);
});

Deno.test("serLoop() relabel re-labels the whole unlabelled split and withdraws dropped labels", async () => {
  const cfg = worldConfig({ select: { relabel: true }, stop: { max_iterations: 3, patience: 3 } });
  const { store } = await run(cfg);
  let before = new Set<number>();
  for (const c of store.commits.slice(1)) {
    assert.equal(c.record.scored, SIZES.unlabelled);
    const now = new Set(c.labels.filter((l) => l.label !== null).map((l) => l.row));
    assert.equal(now.size, c.record.selected);
    assert.equal(c.record.poolSize, SIZES.seed + c.record.selected);
    const withdrawn = c.labels.filter((l) => l.label === null).map((l) => l.row).sort();
    assert.deepEqual(withdrawn, [...before].filter((r) => !now.has(r)).sort());
    before = now;
  }
  const { store: fixed } = await run(worldConfig({ stop: { max_iterations: 3, patience: 3 } }));
  assert.ok(
    fixed.commits[2].record.scored < SIZES.unlabelled,
    "without relabel only new pairs are scored",
  );
});

Deno.test("serLoop() seed-only and all-labels train once, on the seed and on seed plus gold", async () => {
  const seedOnly = await run(worldConfig({ mode: "seed-only" }));
  assert.equal(seedOnly.metrics.stopReason, "seed-only");
  assert.equal(seedOnly.metrics.iterations.length, 1);
  assert.equal(seedOnly.metrics.iterations[0].poolSize, SIZES.seed);
  const ser = await run(worldConfig({ stop: { max_iterations: 0 } }));
  assert.deepEqual(seedOnly.metrics.iterations[0], ser.metrics.iterations[0]);
  const all = await run(worldConfig({ mode: "all-labels" }));
  assert.equal(all.metrics.stopReason, "all-labels");
  assert.equal(all.metrics.humanLabels, SIZES.seed + SIZES.unlabelled);
  assert.equal(all.metrics.iterations[0].poolSize, SIZES.seed + SIZES.unlabelled);
  assert.equal(
    all.store.commits[0].labels.filter((l) => l.rule === "gold").length,
    SIZES.unlabelled,
  );
});
