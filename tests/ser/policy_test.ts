import assert from "node:assert/strict";
import { applyPolicy } from "../../src/ser/policy.ts";

// Pairs 0-1 pass status 1 (and 2); pairs 2-4 pass status 2 only; pair 5 passes nothing.
const ra = new Float32Array([1, -1, 3, 2.5, 0.3, 0.1]);
const rb = new Float32Array([-1, 1, 0.5, 0.3, 3, 0]);

Deno.test("applyPolicy() auto stays in status 1 while it yields enough new pairs", () => {
  const out = applyPolicy("auto", 1, ra, rb, { minNewPairs: 2 });
  assert.equal(out.status, "status1");
  assert.equal(out.nextStatus, 1);
  assert.equal(out.exhausted, false);
  assert.deepEqual([...out.selection.positions], [0, 1]);
});

Deno.test("applyPolicy() auto moves to status 2 when status 1 yields too few", () => {
  const out = applyPolicy("auto", 1, ra, rb, { minNewPairs: 3 });
  assert.equal(out.status, "status2");
  assert.equal(out.nextStatus, 2);
  assert.equal(out.exhausted, false);
  assert.deepEqual([...out.selection.positions], [0, 1, 2, 3, 4]);
});

Deno.test("applyPolicy() auto never returns to status 1 once in status 2", () => {
  const out = applyPolicy("auto", 2, ra, rb, { minNewPairs: 1 });
  assert.equal(out.status, "status2");
  assert.equal(out.nextStatus, 2);
});

Deno.test("applyPolicy() auto is exhausted when status 2 yields too few as well", () => {
  const out = applyPolicy("auto", 1, ra, rb, { minNewPairs: 6 });
  assert.equal(out.status, "status2");
  assert.equal(out.exhausted, true);
});

Deno.test("applyPolicy() counts only new pairs towards min_new_pairs", () => {
  const seen = new Set([0, 1]);
  const countNew = (s: { positions: Uint32Array }) =>
    [...s.positions].filter((p) => !seen.has(p)).length;
  const out = applyPolicy("auto", 1, ra, rb, { minNewPairs: 1 }, countNew);
  assert.equal(out.status, "status2"); // status 1 only re-found pairs 0 and 1
  assert.equal(out.exhausted, false);
});

Deno.test("applyPolicy() fixed policies keep their status and report exhaustion", () => {
  const p = applyPolicy("pointwise", 1, ra, rb, { minNewPairs: 3 });
  assert.equal(p.status, "status1");
  assert.equal(p.exhausted, true);
  const q = applyPolicy("pairwise", 1, ra, rb, { minNewPairs: 3 });
  assert.equal(q.status, "status2");
  assert.equal(q.exhausted, false);
  const e = applyPolicy("either", 1, ra, rb, { minNewPairs: 1 });
  assert.equal(e.status, "either");
  assert.equal(e.selection.positions.length, 5);
  const k = applyPolicy("top_k", 1, ra, rb, { minNewPairs: 1, k: 1 });
  assert.equal(k.status, "top_k");
  assert.deepEqual([...k.selection.positions], [4]);
});

Deno.test("applyPolicy() calibrated is the either rule on temperature-scaled rewards", () => {
  const hot = applyPolicy("calibrated", 1, ra, rb, { minNewPairs: 1, temperature: 20 });
  assert.equal(hot.status, "either");
  assert.equal(hot.selection.positions.length, 0);
  assert.equal(hot.exhausted, true);
  const plain = applyPolicy("calibrated", 1, ra, rb, { minNewPairs: 1, temperature: 1 });
  assert.equal(plain.selection.positions.length, 5);
});

Deno.test("applyPolicy() rejects a min_new_pairs below 1", () => {
  assert.throws(
    () => applyPolicy("auto", 1, ra, rb, { minNewPairs: 0 }),
    new RangeError(
      "Cannot apply selection policy 'auto' as 'min_new_pairs' must be an integer >= 1: current value is 0",
    ),
  );
});
