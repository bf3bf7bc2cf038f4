import { checkTrainSet } from "../../src/model/check_train_set.ts";
import { ROW_WORDS } from "../../src/gpu/step_rows.ts";
import { GRAD_BLOCK, type SegmentPlan, TrainPlanner } from "../../src/gpu/train_plan.ts";
import { planTable } from "../../src/gpu/table.ts";
import { DEFAULT_MODEL } from "../../src/model/types.ts";
import { rngFor } from "./_harness.ts";
import { randomPairs, randomSet, withHotToken } from "./_pairs.ts";
import assert from "node:assert/strict";

const CFG = { ...DEFAULT_MODEL, buckets: 500, dim: 4, hidden: 8 };

/** The contributions of the touched row at word `e`, following its blocks if it has any. */
function rowContribs(seg: SegmentPlan, e: number): number[] {
  const [first, end, blocked] = [seg.rows[e + 1], seg.rows[e + 2], seg.rows[e + 3]];
  if (!blocked) return [...seg.contribs.subarray(first, end)];
  const out: number[] = [];
  for (let b = first; b < end; b++) {
    const [s, t] = [seg.blocks[2 * b], seg.blocks[2 * b + 1]];
    assert.ok(t - s >= 1 && t - s <= GRAD_BLOCK, `block ${b} holds ${t - s} contributions`);
    out.push(...seg.contribs.subarray(s, t));
  }
  return out;
}

Deno.test("the epoch plan lists each step's touched rows once, sorted, with every occurrence's slot in order", () => {
  const rng = rngFor("plan"), f = withHotToken(randomPairs(rng, 120, CFG.buckets, 8), 42, 2);
  const set = randomSet(rng, f.n);
  const order = rng.shuffle(set.indices.slice()), batch = 17;
  const planner = new TrainPlanner(f, CFG, 200, 1 << 20);
  const segs = [...planner.segments(set, order, batch, 4)];
  assert.equal(segs.length, 1);
  const seg = segs[0];
  assert.deepEqual(seg.steps.map((s) => s.t), [5, 6, 7, 8, 9, 10, 11, 12]);
  assert.deepEqual(seg.steps.map((s) => s.n), [17, 17, 17, 17, 17, 17, 17, 1]);
  for (const st of seg.steps) {
    // What the step should touch, computed naively: (row -> slots in order).
    const want = new Map<number, number[]>();
    for (let i = 0; i < st.n; i++) {
      const pos = st.pos + i, pair = seg.pairs[pos];
      assert.equal(pair, set.indices[order[pos]]);
      assert.equal(seg.targets[2 * pos], set.labels[order[pos]]);
      assert.equal(seg.targets[2 * pos + 1], set.weights[order[pos]]);
      const bags = [[f.promptOffsets, f.promptIds], [f.aOffsets, f.aIds], [
        f.bOffsets,
        f.bIds,
      ]] as const;
      bags.forEach(([o, ids], k) => {
        for (let t = o[pair]; t < o[pair + 1]; t++) {
          if (!want.has(ids[t])) want.set(ids[t], []);
          want.get(ids[t])!.push(3 * i + k);
        }
      });
    }
    const rows = [...want.keys()].sort((a, b) => a - b);
    const base = st.chunks[0]?.rowBase ?? 0;
    assert.equal(st.touched, rows.length);
    rows.forEach((row, j) => {
      const e = ROW_WORDS * (base + j);
      assert.equal(seg.rows[e], row);
      assert.equal(seg.rows[e + 3], want.get(row)!.length > GRAD_BLOCK ? 1 : 0);
      assert.deepEqual(rowContribs(seg, e), want.get(row));
    });
    // Row 42 is in every bag twice: blocked in the full steps (>= 102 occurrences), not in the last.
    const hot = [...want.values()].filter((c) => c.length > GRAD_BLOCK);
    assert.equal(hot.length, st.n === 17 ? 1 : 0);
    assert.equal(st.blocks.count, hot.reduce((s, c) => s + Math.ceil(c.length / GRAD_BLOCK), 0));
    assert.equal(st.blockedContributions, hot.reduce((s, c) => s + c.length, 0));
    // Chunk ranges: rows below 200, 200..399, 400..499, in order and covering the step.
    assert.equal(st.chunks.reduce((s, c) => s + c.count, 0), rows.length);
    for (const c of st.chunks) {
      for (let j = 0; j < c.count; j++) {
        assert.equal(Math.floor(seg.rows[ROW_WORDS * (c.rowBase + j)] / 200), c.chunk);
      }
    }
  }
});

Deno.test("the epoch plan cuts segments at whole steps so every list fits one binding", () => {
  const rng = rngFor("segments"),
    f = randomPairs(rng, 100, CFG.buckets, 8),
    set = randomSet(rng, f.n);
  const maxEntries = 600;
  const segs = [...new TrainPlanner(f, CFG, 500, maxEntries).segments(set, set.indices, 10, 0)];
  assert.ok(segs.length > 1);
  assert.deepEqual(segs.flatMap((s) => s.steps.map((st) => st.t)), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  for (const s of segs) {
    assert.ok(
      s.contribs.length <= maxEntries && s.rows.length <= maxEntries &&
        s.targets.length <= maxEntries,
    );
  }
  assert.deepEqual(segs.flatMap((s) => [...s.pairs]), [...set.indices]);
  assert.throws(
    () => [...new TrainPlanner(f, CFG, 500, 30).segments(set, set.indices, 10, 0)],
    /Cannot train a mini-batch of 10 pairs with \d+ tokens as its lists exceed the GPU's storage binding of 120 bytes: lower train.batch/,
  );
});

Deno.test("checkTrainSet() names the bad order position, pair or label", () => {
  const set = randomSet(rngFor("check"), 5);
  assert.throws(() => checkTrainSet(set, new Uint32Array([0, 5]), 5, 2), {
    message: "Cannot train as order[1] = 5 is not a position in the 5-example set",
  });
  assert.throws(() => checkTrainSet(set, set.indices, 4, 2), {
    message: "Cannot train on pair 4 as only 4 pairs are loaded",
  });
  assert.throws(() => checkTrainSet(set, set.indices, 5, 0), /'batchSize' must be an integer >= 1/);
  assert.throws(
    () => checkTrainSet({ ...set, weights: new Float32Array(2) }, set.indices, 5, 2),
    /different lengths \(5, 5, 2\)/,
  );
});

Deno.test("planTable() splits a table into the fewest chunks a binding allows", () => {
  assert.deepEqual(planTable("t", 262144, 64, 128 << 20, 4), {
    rows: 262144,
    dim: 64,
    rowsPerChunk: 262144,
    chunks: 1,
  });
  assert.deepEqual(planTable("t", 4096, 16, 64 << 10, 4), {
    rows: 4096,
    dim: 16,
    rowsPerChunk: 1024,
    chunks: 4,
  });
  assert.deepEqual(planTable("t", 1000, 5, 8000, 4), {
    rows: 1000,
    dim: 5,
    rowsPerChunk: 400,
    chunks: 3,
  });
  assert.deepEqual(planTable("t", 0, 8, 1024, 4), { rows: 0, dim: 8, rowsPerChunk: 1, chunks: 1 });
  assert.throws(
    () => planTable("embedding", 4096, 16, 32 << 10, 4),
    /needs 8 bindings of at most 32768 bytes/,
  );
});
