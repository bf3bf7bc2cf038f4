import assert from "node:assert/strict";
import { dirname } from "node:path";
import { withPool } from "../../src/pool/with_pool.ts";
import type { Pool } from "../../src/pool/pool.ts";
import { pairsBatch, withTempPool } from "./_helpers.ts";

/** Seed labels at 0, two self-labels at 1, a relabel and a withdrawal at 2. */
async function threeIterations(pool: Pool): Promise<void> {
  await pool.startRun({ runId: "r1", pipeline: "t" });
  await pool.insertPairs(pairsBatch(6, { seed: 2 }));
  await pool.transaction(async (tx) => {
    await tx.appendLabels({
      pairId: ["p0000", "p0001"],
      label: [-1, 1],
      origin: "human",
      iteration: 0,
      rule: "seed",
    });
    await tx.recordIteration({ iteration: 0, status: "seed", selected: 0, poolSize: 2 });
  });
  await pool.transaction(async (tx) => {
    await tx.appendLabels({
      pairId: ["p0002", "p0003"],
      label: new Int8Array([1, -1]),
      origin: "self",
      iteration: 1,
      rule: ["status1", "status2"],
      pA: new Float32Array([0.75, 0.5]),
      pB: [0.25, null],
      margin: new Float32Array([0.5, NaN]),
      swapped: [false, true],
      modelId: "m1",
    });
    await tx.recordIteration({ iteration: 1, status: "status1", selected: 2, poolSize: 4 });
  });
  await pool.transaction(async (tx) => {
    await tx.appendLabels({
      pairId: ["p0002", "p0003", "p0004"],
      label: [-1, 0, 1],
      origin: "self",
      iteration: 2,
      rule: ["status2", "withdrawn", "top_k"],
    });
    await tx.recordIteration({ iteration: 2, status: "status2", selected: 2, poolSize: 4 });
  });
}

const labelsAt = async (pool: Pool, sql: string) =>
  (await pool.query(sql)).rows.map((r) => r.map((v) => (typeof v === "bigint" ? Number(v) : v)));

Deno.test("pool_at(it) gives each pair's latest label of an iteration <= it", async () => {
  await withPool(":memory:", async (pool) => {
    await threeIterations(pool);
    const at = (it: number) =>
      labelsAt(
        pool,
        `SELECT pair_id, label, origin, iteration, rule FROM pool_at(${it}) ORDER BY pair_id`,
      );
    assert.deepEqual(await at(0), [
      ["p0000", -1, "human", 0, "seed"],
      ["p0001", 1, "human", 0, "seed"],
      ["p0002", null, null, null, null],
      ["p0003", null, null, null, null],
      ["p0004", null, null, null, null],
      ["p0005", null, null, null, null],
    ]);
    assert.deepEqual((await at(1)).slice(2, 4), [
      ["p0002", 1, "self", 1, "status1"],
      ["p0003", -1, "self", 1, "status2"],
    ]);
    assert.deepEqual((await at(2)).slice(2, 5), [
      ["p0002", -1, "self", 2, "status2"],
      ["p0003", null, null, null, null], // withdrawn at 2
      ["p0004", 1, "self", 2, "top_k"],
    ]);
    assert.deepEqual(
      await at(2),
      await labelsAt(
        pool,
        `SELECT pair_id, label, origin, iteration, rule FROM pool ORDER BY pair_id`,
      ),
    );
  });
});

Deno.test("views human_labels and self_labels split the current pool by origin", async () => {
  await withPool(":memory:", async (pool) => {
    await threeIterations(pool);
    assert.deepEqual(await labelsAt(pool, "SELECT pair_id FROM human_labels ORDER BY 1"), [[
      "p0000",
    ], ["p0001"]]);
    assert.deepEqual(
      await labelsAt(pool, "SELECT pair_id, p_a, p_b, margin, swapped FROM self_labels ORDER BY 1"),
      [
        ["p0002", null, null, null, false],
        ["p0004", null, null, null, false],
      ],
    );
    assert.deepEqual(
      await labelsAt(
        pool,
        "SELECT pair_id, p_a, p_b, margin, swapped, model_id FROM pool_at(1) WHERE origin = 'self' ORDER BY 1",
      ),
      [["p0002", 0.75, 0.25, 0.5, false, "m1"], ["p0003", 0.5, null, null, true, "m1"]],
    );
    assert.deepEqual(
      await labelsAt(pool, "SELECT count(*) FROM labels"),
      [[7]],
      "labels is append-only",
    );
  });
});

Deno.test("labelsAsOf() returns the labels in force at each iteration as typed columns", async () => {
  await withPool(":memory:", async (pool) => {
    await threeIterations(pool);
    const one = await pool.labelsAsOf(1);
    assert.equal(one.length, 4);
    assert.deepEqual(one.pairId, ["p0000", "p0001", "p0002", "p0003"]);
    assert.deepEqual([...one.label], [-1, 1, 1, -1]);
    assert.deepEqual(one.origin, ["human", "human", "self", "self"]);
    assert.deepEqual([...one.iteration], [0, 0, 1, 1]);
    assert.deepEqual(one.rule, ["seed", "seed", "status1", "status2"]);
    assert.deepEqual([...one.pA], [NaN, NaN, 0.75, 0.5]);
    assert.deepEqual([...one.pB], [NaN, NaN, 0.25, NaN]);
    assert.deepEqual([...one.margin], [NaN, NaN, 0.5, NaN]);
    assert.deepEqual([...one.swapped], [0, 0, 0, 1]);
    assert.deepEqual(one.split, ["seed", "seed", "unlabelled", "unlabelled"]);
    const now = await pool.currentLabels();
    assert.deepEqual(now.pairId, ["p0000", "p0001", "p0002", "p0004"]);
    assert.deepEqual([...now.label], [-1, 1, -1, 1]);
    assert.equal(await pool.lastCommittedIteration(), 2);
  });
});

Deno.test("the pool view follows the run that wrote the latest label", async () => {
  await withPool(":memory:", async (pool) => {
    await threeIterations(pool);
    await pool.startRun({ runId: "r2", pipeline: "t" });
    await pool.appendLabels({
      pairId: ["p0005"],
      label: [1],
      origin: "human",
      iteration: 0,
      rule: "seed",
    });
    assert.deepEqual(await labelsAt(pool, "SELECT * FROM current_run"), [["r2"]]);
    assert.deepEqual(
      await labelsAt(pool, "SELECT pair_id, run_id FROM pool WHERE label IS NOT NULL"),
      [["p0005", "r2"]],
    );
    assert.deepEqual(
      await labelsAt(pool, "SELECT count(*) FROM pool_at(2, run := 'r1') WHERE label IS NOT NULL"),
      [[4]],
    );
    assert.equal((await pool.labelsAsOf(1, { runId: "r1" })).length, 4);
  });
});

Deno.test("appendLabels() with skipDuplicates does not repeat labels already stored", async () => {
  await withPool(":memory:", async (pool) => {
    await pool.startRun({ runId: "r", pipeline: "t" });
    const rows = {
      pairId: ["a", "b"],
      label: [1, -1],
      origin: "human" as const,
      iteration: 0,
      rule: "seed",
    };
    assert.equal(await pool.appendLabels(rows, { skipDuplicates: true }), 2);
    assert.equal(await pool.appendLabels(rows, { skipDuplicates: true }), 0);
    assert.equal(await pool.appendLabels({ ...rows, label: [1, 1] }, { skipDuplicates: true }), 1);
    assert.equal(await pool.appendLabels(rows), 2);
    assert.deepEqual(
      await labelsAt(pool, "SELECT label_id, pair_id, label FROM labels ORDER BY label_id"),
      [
        [1, "a", 1],
        [2, "b", -1],
        [6, "b", 1], // ids 3-6 were reserved by the two calls that skipped rows
        [7, "a", 1],
        [8, "b", -1],
      ],
    );
  });
});

Deno.test("appendLabels() refuses bad rows with what, where and how to fix", async () => {
  await withPool(":memory:", async (pool) => {
    const base = {
      pairId: ["a", "b"],
      label: [1, -1],
      origin: "self" as const,
      iteration: 1,
      rule: "x",
      runId: "r",
    };
    await assert.rejects(() => pool.appendLabels({ ...base, label: [1, 2] }), {
      name: "RangeError",
      message:
        "Cannot append labels as 'label' must be 1, -1, or 0 / null (withdrawn): row 1 has 2",
    });
    await assert.rejects(() => pool.appendLabels({ ...base, pA: [0.5] }), {
      message: "Cannot append labels as 'pA' has 1 rows: expected 2 (the length of 'pairId')",
    });
    await assert.rejects(
      () => pool.appendLabels({ ...base, origin: ["self", "robot" as "self"] }),
      {
        message: "Cannot append labels as 'origin' must be 'human' or 'self': got 'robot'",
      },
    );
    await assert.rejects(() => pool.appendLabels({ ...base, iteration: -1 }), {
      message: "Cannot append labels as 'iteration' must be an integer >= 0: current value is -1",
    });
    await assert.rejects(() => pool.appendLabels({ ...base, runId: undefined }), {
      message:
        "Cannot append labels as no run is given: set 'runId' or call startRun on the pool first",
    });
    assert.deepEqual(await labelsAt(pool, "SELECT count(*) FROM labels"), [[0]]);
  });
});

Deno.test("label ids continue after the last commit, and after labels written without the counter", async () => {
  await withPool(":memory:", async (pool) => {
    await pool.startRun({ runId: "r", pipeline: "t" });
    const one = { pairId: ["a"], label: [1], origin: "self" as const, iteration: 1, rule: "x" };
    await pool.appendLabels(one);
    await assert.rejects(() =>
      pool.transaction(async (tx) => {
        await tx.appendLabels(one);
        throw new Error("abort");
      })
    );
    await pool.appendLabels(one);
    await pool.query("DELETE FROM meta WHERE key = 'last_label_id'", { write: true });
    await pool.appendLabels(one);
    assert.deepEqual(await labelsAt(pool, "SELECT label_id FROM labels ORDER BY 1"), [[1], [2], [
      3,
    ]]);
  });
});

Deno.test("appendLabels() keeps any pair id byte for byte and leaves no scratch file", async () => {
  await withTempPool(async (pool, path) => {
    await pool.startRun({ runId: "r", pipeline: "t" });
    const pairId = ["ascii-1", "pär-2", "日本-3", "😀"];
    assert.equal(
      await pool.appendLabels({
        pairId,
        label: [1, -1, null, 1],
        origin: "self",
        iteration: 1,
        rule: ["status1", "status2", "withdrawn", "status1"],
        pA: [0.9, 0.2, null, 0.75],
        margin: [0.5, NaN, null, 0.25],
        swapped: [false, true, false, true],
      }),
      4,
    );
    const r = await pool.query(
      "SELECT pair_id, label, rule, p_a, p_b, margin, swapped FROM labels ORDER BY label_id",
    );
    assert.deepEqual(r.rows, [
      ["ascii-1", 1, "status1", 0.8999999761581421, null, 0.5, false],
      ["pär-2", -1, "status2", 0.20000000298023224, null, null, true],
      ["日本-3", null, "withdrawn", null, null, null, false],
      ["😀", 1, "status1", 0.75, null, 0.25, true],
    ]);
    const scratch = [...Deno.readDirSync(dirname(path))].filter((e) => e.name.endsWith(".parquet"));
    assert.deepEqual(scratch, []);
  });
});
