import assert from "node:assert/strict";
import { bestIteration, stopAfter } from "../../src/ser/stop.ts";

const hist = (accs: (number | null)[]) =>
  accs.map((v, i) => ({ iteration: i, validationAccuracy: v }));
const opts = { maxIterations: 5, minNewPairs: 10, patience: 2 };

Deno.test("stopAfter() continues while validation accuracy improves within max_iterations", () => {
  assert.equal(stopAfter(hist([0.6, 0.62, 0.64]), opts), null);
});

Deno.test("stopAfter() stops on max_iterations", () => {
  assert.equal(stopAfter(hist([0.6, 0.61, 0.62, 0.63, 0.64, 0.65]), opts), "max-iterations");
});

Deno.test("stopAfter() stops when validation has not improved for `patience` iterations", () => {
  assert.equal(stopAfter(hist([0.6, 0.65, 0.64]), opts), null);
  assert.equal(stopAfter(hist([0.6, 0.65, 0.64, 0.65]), opts), "patience"); // a tie is no gain
  assert.equal(stopAfter(hist([0.6, 0.6, 0.6]), { ...opts, patience: 3 }), null);
});

Deno.test("stopAfter() ignores patience when no iteration has a validation accuracy", () => {
  assert.equal(stopAfter(hist([null, null, null]), opts), null);
});

Deno.test("bestIteration() picks the earliest maximum and skips missing values", () => {
  assert.equal(bestIteration(hist([0.5, 0.7, 0.7])), 1);
  assert.equal(bestIteration(hist([null, 0.5, null])), 1);
  assert.equal(bestIteration(hist([null, null])), 1);
  assert.throws(() => bestIteration([]), /no iteration has run yet/);
});
