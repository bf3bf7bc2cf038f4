import assert from "node:assert/strict";
import { evaluatePairs } from "../../src/model/metrics.ts";

const sig = (x: number) => 1 / (1 + Math.exp(-x));
const close = (a: number, b: number, what: string) =>
  assert.ok(Math.abs(a - b) < 1e-12, `${what}: ${a} vs ${b}`);

Deno.test("evaluatePairs() on a hand-computed case: right, wrong, tie, confidently wrong", () => {
  // d = y (rA - rB) = 2, -1, 0, -4
  const m = evaluatePairs([2, 0, 1, 3], [0, 1, 1, -1], [1, 1, -1, -1]);
  assert.equal(m.n, 4);
  close(m.accuracy, (1 + 0 + 0.5 + 0) / 4, "accuracy");
  const sp = (x: number) => Math.log(1 + Math.exp(x));
  close(m.loss, (sp(-2) + sp(1) + sp(0) + sp(4)) / 4, "loss");
  close(m.marginMean, -0.75, "margin mean");
  close(m.marginStd, Math.sqrt((4 + 1 + 0 + 16) / 4 - 0.75 ** 2), "margin std");
  const ece =
    (Math.abs(1 - sig(2)) + Math.abs(0 - sig(1)) + Math.abs(0.5 - 0.5) + Math.abs(0 - sig(4))) / 4;
  close(m.ece, ece, "ece");
  assert.deepEqual(m.bins.map((b) => b.count), [0, 0, 0, 0, 0, 1, 0, 1, 1, 1]);
  assert.equal(m.bins[5].accuracy, 0.5);
  assert.equal(m.bins[5].confidence, 0.5);
  close(m.bins[8].confidence!, sig(2), "bin 8 confidence");
  assert.equal(m.bins[8].accuracy, 1);
  assert.equal(m.bins[0].confidence, null);
  assert.equal(m.bins[9].hi, 1);
});

Deno.test("evaluatePairs() averages confidence and accuracy within a bin for the ECE", () => {
  const m = evaluatePairs([1, 1, 0.5], [0, 0, 0], [1, -1, 1]);
  // Pairs 0 and 1 share bin 7 (confidence sigmoid(1)); pair 2 is in bin 6 (sigmoid(0.5) = 0.62).
  assert.equal(m.bins[7].count, 2);
  assert.equal(m.bins[7].accuracy, 0.5);
  close(m.bins[7].confidence!, sig(1), "bin 7 confidence");
  close(m.ece, (2 / 3) * Math.abs(0.5 - sig(1)) + (1 / 3) * Math.abs(1 - sig(0.5)), "ece");
});

Deno.test("evaluatePairs() of a perfectly calibrated, confident model has ECE near 0 and accuracy 1", () => {
  const m = evaluatePairs([40, 40], [0, 0], [1, 1]);
  assert.equal(m.accuracy, 1);
  assert.ok(m.ece < 1e-12);
});

Deno.test("evaluatePairs() of no pairs gives NaN metrics and empty bins", () => {
  const m = evaluatePairs([], [], []);
  assert.equal(m.n, 0);
  assert.ok(Number.isNaN(m.accuracy) && Number.isNaN(m.ece) && Number.isNaN(m.loss));
  assert.ok(m.bins.every((b) => b.count === 0));
});

Deno.test("evaluatePairs() refuses mismatched lengths and labels other than 1 or -1", () => {
  assert.throws(
    () => evaluatePairs([1], [1, 2], [1]),
    /rewardA, rewardB and labels have different lengths \(1, 2, 1\)/,
  );
  assert.throws(
    () => evaluatePairs([1], [2], [0]),
    /Cannot evaluate pair 0 as its label must be 1 or -1: current value is 0/,
  );
});
