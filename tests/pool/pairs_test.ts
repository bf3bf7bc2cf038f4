import assert from "node:assert/strict";
import { Int8, Utf8 } from "apache-arrow";
import { pairBatch, pairRows } from "../../src/data/schema.ts";
import { withPool } from "../../src/pool/with_pool.ts";
import { pairs, pairsBatch } from "./_helpers.ts";

Deno.test("insertPairs() and readPairs() round-trip a pair batch with its Arrow types", async () => {
  await withPool(":memory:", async (pool) => {
    await pool.startRun({ runId: "r", pipeline: "t" });
    const rows = pairs(6, { seed: 2, test: 1 });
    await pool.insertPairs(pairBatch(rows));
    await pool.appendLabels({
      pairId: ["p0000", "p0001"],
      label: [rows[0].label, rows[1].label],
      origin: "human",
      iteration: 0,
      rule: "seed",
    });
    const back = await pool.readPairs();
    assert.deepEqual(pairRows(back), rows);
    for (
      const name of ["pair_id", "group_id", "prompt", "response_a", "response_b", "split", "source"]
    ) {
      assert.ok(back.getChild(name)!.type instanceof Utf8, `${name} is utf8`);
    }
    assert.ok(back.getChild("label")!.type instanceof Int8);
    assert.ok(back.getChild("gold")!.type instanceof Int8);
  });
});

Deno.test("readPairs() filters by split and gives labels as of an iteration", async () => {
  await withPool(":memory:", async (pool) => {
    await pool.startRun({ runId: "r", pipeline: "t" });
    await pool.insertPairs(pairsBatch(5, { seed: 1, test: 1 }));
    await pool.appendLabels({
      pairId: ["p0002"],
      label: [-1],
      origin: "self",
      iteration: 3,
      rule: "status1",
    });
    const at2 = pairRows(await pool.readPairs({ splits: ["unlabelled"], iteration: 2 }));
    assert.deepEqual(at2.map((r) => [r.pair_id, r.label]), [["p0001", null], ["p0002", null], [
      "p0003",
      null,
    ]]);
    const now = pairRows(await pool.readPairs({ splits: ["unlabelled"] }));
    assert.deepEqual(now.map((r) => r.label), [null, -1, null]);
  });
});

Deno.test("insertPairs() keeps a stored pair's text but takes a new split and gold", async () => {
  await withPool(":memory:", async (pool) => {
    const first = pairs(3, { seed: 0 });
    assert.equal(await pool.insertPairs(pairBatch(first)), 3);
    assert.equal(await pool.insertPairs(pairBatch(first)), 0, "unchanged pairs count 0");
    const changed = first.map((r, i) => ({
      ...r,
      prompt: "a different text",
      split: (i === 0 ? "test" : i === 1 ? "" : r.split) as typeof r.split,
    }));
    assert.equal(await pool.insertPairs(pairBatch(changed)), 1);
    const r = await pool.query("SELECT pair_id, prompt, split FROM pairs ORDER BY pair_id");
    assert.deepEqual(r.rows, [
      ["p0000", first[0].prompt, "test"],
      ["p0001", first[1].prompt, "unlabelled"], // an unsplit row never clears a split
      ["p0002", first[2].prompt, "unlabelled"],
    ]);
  });
});

Deno.test("insertPairs() keeps the first row of a pair_id repeated in one batch", async () => {
  await withPool(":memory:", async (pool) => {
    const [a] = pairs(1);
    await pool.insertPairs(pairBatch([a, { ...a, prompt: "second" }]));
    const r = await pool.query("SELECT prompt, dataset FROM pairs");
    assert.deepEqual(r.rows, [[a.prompt, "data/pairs.jsonl"]]);
  });
});

Deno.test("insertPairs() of several batches writes them all, first row of a pair_id kept", async () => {
  await withPool(":memory:", async (pool) => {
    const rows = pairs(5, { seed: 1 });
    const again = { ...rows[1], prompt: "second" };
    const n = await pool.insertPairs([
      pairBatch(rows.slice(0, 2)),
      pairBatch([again, ...rows.slice(2)]),
    ]);
    assert.equal(n, 5);
    // Labels live in the labels table: none were written.
    assert.deepEqual(pairRows(await pool.readPairs()), rows.map((r) => ({ ...r, label: null })));
    assert.equal(await pool.insertPairs([]), 0);
    // The one-statement path and the per-batch path leave the same pool.
    const r = await pool.query("SELECT count(*) FROM pairs");
    assert.equal(Number(r.rows[0][0]), 5);
  });
});

Deno.test("insertPairs() refuses a batch without the pair columns, naming them", async () => {
  await withPool(":memory:", async (pool) => {
    const b = pairsBatch(2);
    const { batchFromVectors } = await import("../../src/data/schema.ts");
    const partial = batchFromVectors(["pair_id", "prompt"], {
      pair_id: b.getChild("pair_id"),
      prompt: b.getChild("prompt"),
    });
    await assert.rejects(() => pool.insertPairs(partial), {
      name: "RangeError",
      message: "Cannot insert pairs as the batch has no column 'group_id', 'response_a', " +
        "'response_b', 'split', 'source': it needs the pair batch columns of src/data/schema.ts",
    });
  });
});
