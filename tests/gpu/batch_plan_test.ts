import { BatchPlanner, GPU_LIST_STEPS } from "../../src/gpu/batch_plan.ts";
import assert from "node:assert/strict";

/** `n` pairs of one prompt id each, trained in order in batches of 1. */
function cut(n: number, maxSteps: number): number[] {
  const o = Uint32Array.from({ length: n + 1 }, (_, i) => i), e = new Uint32Array(n + 1);
  const f = {
    n,
    promptOffsets: o,
    promptIds: new Uint32Array(n),
    aOffsets: e,
    aIds: new Uint32Array(0),
    bOffsets: e,
    bIds: new Uint32Array(0),
  };
  const set = {
    indices: Uint32Array.from({ length: n }, (_, i) => i),
    labels: new Int8Array(n).fill(1),
    weights: new Float32Array(n).fill(1),
  };
  const segs = [
    ...new BatchPlanner(f, true, 1 << 20, 4).segments(set, set.indices, 1, 0, maxSteps),
  ];
  // Every step once, in order, with its global step count.
  assert.deepEqual(
    segs.flatMap((s) => s.steps.map((st) => st.t)),
    Array.from({ length: n }, (_, i) => i + 1),
  );
  return segs.map((s) => s.steps.length);
}

Deno.test("BatchPlanner ramps segments up to maxSteps and folds a short tail into the last", () => {
  assert.deepEqual(cut(5, 2), [1, 2, 2]);
  assert.deepEqual(cut(8, GPU_LIST_STEPS), [1, 2, 5]);
  assert.deepEqual(cut(7, GPU_LIST_STEPS), [1, 2, 4]);
  // The tail stays apart when joining would exceed maxSteps.
  assert.deepEqual(cut(64, 32), [1, 2, 4, 8, 16, 32, 1]);
  assert.deepEqual(cut(20, 4), [1, 2, 4, 4, 4, 4, 1]);
});
