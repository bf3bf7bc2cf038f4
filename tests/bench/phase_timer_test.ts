import assert from "node:assert/strict";
import { PhaseTimer } from "../../bench/lib/phase_timer.ts";
import type { RewardBackend } from "../../src/model/types.ts";
import { MemoryStore } from "../../src/ser/store.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function fakeBackend(): RewardBackend {
  return {
    kind: "cpu",
    deviceName: "fake",
    config: {} as never,
    load: () => Promise.resolve(),
    setParams: () => Promise.resolve(),
    snapshot: () => Promise.resolve(),
    restore: () => Promise.resolve(),
    getParams: async () => {
      await sleep(15);
      return {} as never;
    },
    trainEpoch: async () => {
      await sleep(25);
      return { loss: 0, accuracy: 0 };
    },
    score: async (i) => {
      await sleep(20);
      return { rewardA: new Float32Array(i.length), rewardB: new Float32Array(i.length) };
    },
    destroy: () => {},
  };
}

Deno.test("PhaseTimer attributes each call to its phase and iteration", async () => {
  const t = new PhaseTimer();
  const b = t.backend(fakeBackend());
  const store = t.store(new MemoryStore());
  const set = {
    indices: new Uint32Array(4),
    labels: new Int8Array(4),
    weights: new Float32Array(4),
  };
  for (const k of [0, 1]) {
    if (k > 0) {
      t.onPhase(k, "scoring 300 pairs");
      await b.score(new Uint32Array(3));
      await sleep(10); // selection work
    }
    t.onPhase(k, "training on 4 pairs");
    await b.trainEpoch(set, new Uint32Array(4), {} as never);
    await b.score(new Uint32Array(1)); // early stopping's validation pass
    await b.trainEpoch(set, new Uint32Array(4), {} as never);
    t.onPhase(k, "evaluating");
    await b.score(new Uint32Array(2));
    await b.getParams();
    await store.commit({ iteration: k } as never);
  }
  const [i0, i1] = t.finish();
  assert.deepEqual([i0.iteration, i0.scored, i0.epochs, i0.trained_examples], [0, 0, 2, 8]);
  assert.deepEqual([i1.iteration, i1.scored], [1, 300]);
  assert.equal(i0.score_s, 0);
  assert.ok(i1.score_s >= 0.019, `score ${i1.score_s}`);
  assert.ok(i1.select_s >= 0.009, `select ${i1.select_s}`);
  for (const it of [i0, i1]) {
    assert.ok(it.train_s >= 0.049 && it.train_s < it.wall_s - 0.039, `train ${it.train_s}`);
    assert.ok(it.evaluate_s >= 0.039, `evaluate ${it.evaluate_s}`);
    assert.ok(it.params_readback_s >= 0.014, `readback ${it.params_readback_s}`);
    assert.ok(it.pool_write_s >= 0, `write ${it.pool_write_s}`);
    const parts = it.score_s + it.select_s + it.train_s + it.evaluate_s + it.params_readback_s +
      it.pool_write_s;
    assert.ok(parts <= it.wall_s + 1e-3, `parts ${parts} exceed wall ${it.wall_s}`);
  }
});
