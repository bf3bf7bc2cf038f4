import assert from "node:assert/strict";
import { buildTrainSet, type SelfLabel, selfLabelWeight } from "../../src/ser/train_set.ts";
import { collectPairs } from "../../src/ser/dataset.ts";
import { pairBatch, type PairRow } from "../../src/data/schema.ts";

const row = (id: string, split: PairRow["split"], label: 1 | -1 | null, gold: 1 | -1 | null) => ({
  pair_id: id,
  group_id: id,
  prompt: "p",
  response_a: "a",
  response_b: "b",
  label,
  split,
  gold,
  source: "t",
});
const data = collectPairs([pairBatch([
  row("s1", "seed", 1, null),
  row("u1", "unlabelled", null, 1),
  row("s2", "seed", -1, null),
  row("u2", "unlabelled", null, -1),
  row("v1", "validation", 1, null),
  row("t1", "test", -1, null),
])]);
const self = (label: 1 | -1, margin: number): SelfLabel => ({
  label,
  margin,
  iteration: 1,
  pA: 0.5,
  pB: 0.5,
  reason: "status2",
  swapped: label === -1,
});

Deno.test("collectPairs() indexes each split and keeps gold apart from label", () => {
  assert.deepEqual([...data.seed], [0, 2]);
  assert.deepEqual([...data.unlabelled], [1, 3]);
  assert.deepEqual([...data.validation], [4]);
  assert.deepEqual([...data.test], [5]);
  assert.equal(data.label[1], 0);
  assert.equal(data.gold[3], -1);
});

Deno.test("buildTrainSet() in ser mode trains on seed labels and self-labels, never gold", () => {
  // The self-label of u2 contradicts its gold label: training must follow the self-label.
  const labels = new Map([[3, self(1, 2)]]);
  const set = buildTrainSet(data, labels, "ser", { selfWeight: 0.5, weighting: "constant" });
  assert.deepEqual([...set.indices], [0, 2, 3]);
  assert.deepEqual([...set.labels], [1, -1, 1]);
  assert.deepEqual([...set.weights], [1, 1, 0.5]);
});

Deno.test("buildTrainSet() seed-only ignores self-labels; all-labels adds the gold labels", () => {
  const labels = new Map([[3, self(1, 2)]]);
  const opts = { selfWeight: 1, weighting: "constant" as const };
  assert.deepEqual([...buildTrainSet(data, labels, "seed-only", opts).indices], [0, 2]);
  const all = buildTrainSet(data, labels, "all-labels", opts);
  assert.deepEqual([...all.indices], [0, 2, 1, 3]);
  assert.deepEqual([...all.labels], [1, -1, 1, -1]);
});

Deno.test("selfLabelWeight() with confidence weighting is selfWeight * tanh(margin / 2)", () => {
  const w = selfLabelWeight(self(1, 2), { selfWeight: 2, weighting: "confidence" });
  assert.equal(w, Math.fround(2 * Math.tanh(1)));
  // |2 sigmoid(m) - 1| = tanh(m / 2)
  assert.ok(Math.abs(Math.tanh(1) - (2 / (1 + Math.exp(-2)) - 1)) < 1e-12);
});

Deno.test("buildTrainSet() with soft targets trains a self-label as q on its side and 1 - q on the other", () => {
  const labels = new Map([[3, self(-1, 2)]]);
  const set = buildTrainSet(data, labels, "ser", {
    selfWeight: 1,
    weighting: "constant",
    targets: "soft",
    labelTemperature: (k) => (k === 1 ? 4 : NaN),
  });
  const q = 1 / (1 + Math.exp(-2 / 4));
  assert.deepEqual([...set.indices], [0, 2, 3, 3]);
  assert.deepEqual([...set.labels], [1, -1, -1, 1]);
  assert.deepEqual([...set.weights], [1, 1, Math.fround(q), Math.fround(1 - q)]);
});
