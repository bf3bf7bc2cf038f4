import { openPlanner, type TimedSegment } from "../../src/gpu/plan_ahead.ts";
import { renderTimeline } from "../../src/gpu/timeline.ts";
import { DEFAULT_MODEL } from "../../src/model/types.ts";
import { rngFor } from "./_harness.ts";
import { randomPairs, randomSet, withHotToken } from "./_pairs.ts";
import assert from "node:assert/strict";

const CFG = { ...DEFAULT_MODEL, buckets: 500, dim: 4, hidden: 8 };

async function all(it: AsyncGenerator<TimedSegment>): Promise<TimedSegment[]> {
  const out = [];
  for await (const s of it) out.push(s);
  return out;
}

Deno.test("three planning workers yield the same segments as planning inline, ramping up to 3 steps", async () => {
  const rng = rngFor("ahead"), f = withHotToken(randomPairs(rng, 130, CFG.buckets, 8), 7, 2);
  const set = randomSet(rng, f.n), order = rng.shuffle(set.indices.slice());
  const shape = { cfg: CFG, rowsPerChunk: 200, maxEntries: 1 << 20, stepsPerSegment: 3 };
  const worker = openPlanner(f, shape, 3), inline = openPlanner(f, shape, 0);
  try {
    assert.equal(worker.offThread, true);
    assert.equal(inline.offThread, false);
    for (const first of [0, 40]) {
      const [a, b] = [
        await all(worker.segments(set, order, 11, first)),
        await all(inline.segments(set, order, 11, first)),
      ];
      // 130 pairs in steps of 11: 12 steps, in segments of 1, 2, then 3.
      assert.deepEqual(a.map((s) => s.seg.steps.length), [1, 2, 3, 3, 3]);
      assert.deepEqual(a.map((s) => s.seg), b.map((s) => s.seg));
      assert.equal(a[0].seg.steps[0].t, first + 1);
      for (const s of a) assert.ok(s.planEnd >= s.planStart);
    }
  } finally {
    worker.destroy();
    inline.destroy();
  }
});

Deno.test("an epoch left early is cancelled, and the next one plans from its own start", async () => {
  const rng = rngFor("cancel"), f = randomPairs(rng, 200, CFG.buckets, 8);
  const set = randomSet(rng, f.n);
  const p = openPlanner(f, {
    cfg: CFG,
    rowsPerChunk: 500,
    maxEntries: 1 << 20,
    stepsPerSegment: 1,
  }, 2);
  try {
    for await (const s of p.segments(set, set.indices, 10, 0)) {
      assert.equal(s.seg.steps[0].t, 1);
      break; // the worker is still planning the next ones (up to MAX_AHEAD)
    }
    const next = await all(p.segments(set, set.indices, 50, 100));
    assert.deepEqual(next.map((s) => s.seg.steps[0].t), [101, 102, 103, 104]);
  } finally {
    p.destroy();
  }
});

Deno.test("a plan the bindings cannot hold fails the same way in the worker and inline", async () => {
  const rng = rngFor("too big"), f = randomPairs(rng, 40, CFG.buckets, 8);
  const set = randomSet(rng, f.n);
  for (const workers of [2, 0]) {
    const p = openPlanner(f, { cfg: CFG, rowsPerChunk: 500, maxEntries: 30 }, workers);
    try {
      await assert.rejects(all(p.segments(set, set.indices, 10, 0)), {
        name: "RangeError",
        message:
          /Cannot train a mini-batch of 10 pairs with \d+ tokens as its lists exceed the GPU's storage binding of 120 bytes: lower train.batch/,
      });
    } finally {
      p.destroy();
    }
  }
});

Deno.test("renderTimeline() puts planning, host work and device work on one axis", () => {
  const t = [
    { planStart: 0, planEnd: 10, waitStart: 0, waitEnd: 10, deviceStart: 13, deviceDone: 60 },
    { planStart: 10, planEnd: 20, waitStart: 12, waitEnd: 12, deviceStart: 60, deviceDone: 100 },
  ].map((s) => ({
    ...s,
    steps: 2,
    pairs: 8,
    uploadEnd: s.waitEnd + 1,
    recordEnd: s.waitEnd + 2,
    submitEnd: s.waitEnd + 2,
    uploadBytes: 64,
  }));
  const lines = renderTimeline(t, 50).split("\n");
  assert.match(lines[0], /^timeline over 100\.0 ms \(2\.00 ms per column\)/);
  assert.equal(lines[1], `seg   0 plan |${"p".repeat(6)}${" ".repeat(44)}|`);
  // The host waits for segment 0's plan (columns 0-5), then uploads and records it.
  assert.match(lines[2], /^ {8}host \|w{5}[ur]+ +\|$/);
  // Segment 1's device span starts when segment 0's ends (column 30).
  assert.equal(lines[6].indexOf("="), "      device |".length + 30);
});

Deno.test("workers that cannot start fall back to planning in this thread, with the same segments", async () => {
  const rng = rngFor("fallback"), f = randomPairs(rng, 90, CFG.buckets, 8);
  const set = randomSet(rng, f.n);
  const shape = { cfg: CFG, rowsPerChunk: 500, maxEntries: 1 << 20, stepsPerSegment: 2 };
  const broken = openPlanner(f, {
    ...shape,
    workerModule: new URL("../testdata/failing_worker.ts", import.meta.url),
  }, 2);
  const inline = openPlanner(f, shape, 0);
  try {
    const a = await all(broken.segments(set, set.indices, 10, 3));
    assert.equal(broken.offThread, false);
    const b = await all(inline.segments(set, set.indices, 10, 3));
    assert.deepEqual(a.map((s) => s.seg), b.map((s) => s.seg));
    // Later epochs plan inline straight away.
    assert.equal((await all(broken.segments(set, set.indices, 30, 0))).length, 2);
  } finally {
    broken.destroy();
    inline.destroy();
  }
});
