import assert from "node:assert/strict";
import { growthExponent, median, pairedRatio, range } from "../../bench/lib/stats.ts";

Deno.test("median() ignores non-finite values and averages the middle pair", () => {
  assert.equal(median([5, NaN, 1, 3]), 3);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  assert.ok(Number.isNaN(median([])));
});

Deno.test("pairedRatio() takes the median of round-by-round ratios", () => {
  // A drifting load doubles both in round 2; the paired ratio stays 3.
  const r = pairedRatio([3, 6, 3.3], [1, 2, 1]);
  assert.equal(r.median, 3);
  assert.deepEqual([r.min, r.max, r.rounds], [3, 3.3, 3]);
  assert.throws(() => pairedRatio([1], [1, 2]), /A has 1 rounds and B has 2/);
});

Deno.test("growthExponent() recovers the power of a power law", () => {
  const xs = [1e3, 1e4, 1e5, 1e6];
  assert.ok(Math.abs(growthExponent(xs, xs.map((x) => 2e-6 * x)) - 1) < 1e-12);
  assert.ok(Math.abs(growthExponent(xs, xs.map((x) => 3 * x ** 1.5)) - 1.5) < 1e-12);
  assert.ok(Number.isNaN(growthExponent([1], [1])));
});

Deno.test("range() gives min and max", () => {
  assert.deepEqual(range([2, -1, 7]), [-1, 7]);
});
