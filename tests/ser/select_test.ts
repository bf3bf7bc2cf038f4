import assert from "node:assert/strict";
import { selectPairs, sigmoid } from "../../src/ser/select.ts";

// Rewards chosen so that each pair sits clearly inside or outside each rule's region.
// p = sigmoid(r): sigmoid(1) = 0.731, sigmoid(-1) = 0.269, sigmoid(0.3) = 0.574, sigmoid(3) = 0.953.
const ra = new Float32Array([1, -1, 3, 0.1, 0.3, 0]);
const rb = new Float32Array([-1, 1, 0.5, 0, 3, 0]);
// pair 0: a good, b bad (status 1 and 2), label 1
// pair 1: b good, a bad (status 1 and 2), label -1 (swapped)
// pair 2: both p > 0.45 but 0.953 - 0.622 = 0.33 > delta: status 2 only, label 1
// pair 3: 0.525 vs 0.5: neither
// pair 4: 0.574 vs 0.953: status 2 only, label -1 (swapped)
// pair 5: a tie: never selected

Deno.test("selectPairs() pointwise keeps pairs with p_high > tau_high and p_low < tau_low", () => {
  const s = selectPairs("pointwise", ra, rb);
  assert.deepEqual([...s.positions], [0, 1]);
  assert.deepEqual([...s.labels], [1, -1]);
  assert.deepEqual([...s.swapped], [0, 1]);
  assert.deepEqual(s.reasons, ["status1", "status1"]);
});

Deno.test("selectPairs() pairwise keeps pairs with |p_a - p_b| > delta and swaps when b wins", () => {
  const s = selectPairs("pairwise", ra, rb);
  assert.deepEqual([...s.positions], [0, 1, 2, 4]);
  assert.deepEqual([...s.labels], [1, -1, 1, -1]);
  assert.deepEqual([...s.swapped], [0, 1, 0, 1]);
  assert.deepEqual(s.reasons, ["status2", "status2", "status2", "status2"]);
});

Deno.test("selectPairs() either keeps the union and names the status-1 reason first", () => {
  const s = selectPairs("either", ra, rb);
  assert.deepEqual([...s.positions], [0, 1, 2, 4]);
  assert.deepEqual(s.reasons, ["status1", "status1", "status2", "status2"]);
});

Deno.test("selectPairs() records margins and probabilities of the kept pairs", () => {
  const s = selectPairs("pairwise", ra, rb);
  assert.deepEqual([...s.margins], [2, 2, 2.5, 2.7].map(Math.fround));
  assert.equal(s.pA[3], Math.fround(sigmoid(ra[4])));
  assert.equal(s.pB[3], Math.fround(sigmoid(rb[4])));
});

Deno.test("selectPairs() top_k keeps the k largest |r_a - r_b| in position order, never ties", () => {
  const s = selectPairs("top_k", ra, rb, { k: 2 });
  assert.deepEqual([...s.positions], [2, 4]); // margins 2.5 and 2.7
  assert.deepEqual([...s.labels], [1, -1]);
  const all = selectPairs("top_k", ra, rb, { k: 100 });
  assert.deepEqual([...all.positions], [0, 1, 2, 3, 4]); // the tie (pair 5) is left out
});

Deno.test("selectPairs() thresholds sigmoid(r / T) when a temperature is given", () => {
  // With T = 10 every p is within 0.1 of 0.5: nothing is confident any more.
  assert.equal(selectPairs("either", ra, rb, { temperature: 10 }).positions.length, 0);
  // With T = 0.1, pair 3 (0.1 vs 0) becomes 0.731 vs 0.5 (gap 0.23 < delta); T = 0.05: 0.881 vs 0.5.
  const s = selectPairs("pairwise", ra, rb, { temperature: 0.1 });
  assert.ok(!s.positions.includes(3));
  assert.ok(selectPairs("pairwise", ra, rb, { temperature: 0.05 }).positions.includes(3));
});

Deno.test("selectPairs() skips NaN rewards", () => {
  const s = selectPairs("either", new Float32Array([NaN, 2]), new Float32Array([-2, -2]));
  assert.deepEqual([...s.positions], [1]);
  assert.equal(selectPairs("top_k", [NaN], [1]).positions.length, 0);
});

Deno.test("selectPairs() rejects bad options with a message naming the option", () => {
  assert.throws(
    () => selectPairs("pointwise", ra, rb, { tauHigh: 1.5 }),
    new RangeError(
      "Cannot select pairs with rule 'pointwise' as 'tauHigh' must be in [0, 1]: current value is 1.5",
    ),
  );
  assert.throws(() => selectPairs("either", [1], [1, 2]), /differ in length/);
  assert.throws(() => selectPairs("either", ra, rb, { temperature: 0 }), /'temperature'/);
  assert.throws(() => selectPairs("top_k", ra, rb, { k: -1 }), /'k'/);
});

Deno.test("selectPairs() measures rewards from the offset before the sigmoid", () => {
  // Both rewards high: no status-1 pair on raw rewards, but relative to an offset of 2 one
  // response is above and the other below the reference level.
  const a = new Float32Array([3]), b = new Float32Array([1]);
  assert.equal(selectPairs("pointwise", a, b).positions.length, 0);
  const s = selectPairs("pointwise", a, b, { offset: 2 });
  assert.deepEqual([...s.positions], [0]);
  assert.equal(s.pA[0], Math.fround(sigmoid(1)));
  assert.equal(s.pB[0], Math.fround(sigmoid(-1)));
  assert.throws(() => selectPairs("pointwise", a, b, { offset: NaN }), /'offset'/);
});
