import assert from "node:assert/strict";
import { dirname } from "node:path";
import { Int8, Utf8, vectorFromArray } from "apache-arrow";
import {
  batchFromVectors,
  PAIR_SCHEMA,
  pairBatch,
  pairRows,
  type Split,
} from "../../src/data/schema.ts";
import { withPool } from "../../src/pool/with_pool.ts";
import { pairs, pairsBatch, withTempPool } from "./_helpers.ts";

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

Deno.test("insertPairs() writes several batches as one, the first row of a pair_id winning", async () => {
  await withPool(":memory:", async (pool) => {
    const rows = pairs(6, { seed: 1 });
    const again = { ...rows[1], prompt: "a later copy", split: "test" as const };
    const n = await pool.insertPairs([
      pairBatch(rows.slice(0, 3)),
      pairBatch([]),
      pairBatch([again, ...rows.slice(3)]),
    ]);
    assert.equal(n, 6);
    const r = await pool.query("SELECT pair_id, prompt, split FROM pairs ORDER BY pair_id");
    assert.equal(r.rows.length, 6);
    assert.deepEqual(r.rows[1], ["p0001", rows[1].prompt, "unlabelled"]);
    const unlabelled = rows.map((r) => ({ ...r, label: null })); // no labels were appended
    assert.deepEqual(pairRows(await pool.readPairs()), unlabelled);
  });
});

Deno.test("insertPairs() of several batches into a pool that has pairs takes their new splits", async () => {
  await withPool(":memory:", async (pool) => {
    const rows = pairs(4, { seed: 0 });
    await pool.insertPairs(pairBatch(rows.slice(0, 2)));
    const resplit = rows.map((r, i) => ({ ...r, split: (i === 0 ? "test" : r.split) as Split }));
    const n = await pool.insertPairs([pairBatch(resplit.slice(0, 2)), pairBatch(resplit.slice(2))]);
    assert.equal(n, 3, "one pair resplit, two inserted, one unchanged");
    const r = await pool.query("SELECT pair_id, split FROM pairs ORDER BY pair_id");
    assert.deepEqual(r.rows, [
      ["p0000", "test"],
      ["p0001", "unlabelled"],
      ["p0002", "unlabelled"],
      ["p0003", "unlabelled"],
    ]);
  });
});

Deno.test("insertPairs() reads sliced batches and text of any script byte for byte", async () => {
  await withPool(":memory:", async (pool) => {
    const rows = pairs(8, { seed: 0 }).map((r, i) => ({
      ...r,
      prompt: i % 2 ? "" : `日本語 ${i} «ü» 😀 'q' "qq" \\ \r\n,;`,
    }));
    const batch = pairBatch(rows);
    assert.equal(await pool.insertPairs([batch.slice(5, 8), batch.slice(1, 3)]), 5);
    assert.deepEqual(
      pairRows(await pool.readPairs()).sort((a, b) => a.pair_id.localeCompare(b.pair_id)),
      [...rows.slice(1, 3), ...rows.slice(5, 8)],
    );
  });
});

Deno.test("insertPairs() refuses a null text, naming it, and writes nothing of the call", async () => {
  await withTempPool(async (pool, path) => {
    const good = pairBatch(pairs(3));
    const bad = batchFromVectors(
      PAIR_SCHEMA.fields.map((f) => f.name),
      Object.fromEntries(PAIR_SCHEMA.fields.map((f) => [
        f.name,
        f.name === "response_b"
          ? vectorFromArray(["x", null], new Utf8())
          : good.getChild(f.name)!.slice(0, 2),
      ])),
    );
    await assert.rejects(() => pool.insertPairs([good.slice(2), bad]), {
      name: "RangeError",
      message: "Cannot insert pairs as 'response_b' is null in row 1: it is required",
    });
    assert.equal((await pool.query("SELECT count(*) FROM pairs")).rows[0][0], 0n);
    assert.equal(await pool.insertPairs(good), 3);
    const scratch = [...Deno.readDirSync(dirname(path))].filter((e) => e.name.includes("serflow"));
    assert.deepEqual(scratch, [], "no scratch file is left beside the pool");
  });
});
