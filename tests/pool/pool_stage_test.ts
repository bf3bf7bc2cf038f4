import assert from "node:assert/strict";
import { join } from "node:path";
import { from, lastValueFrom, toArray } from "rxjs";
import * as poolStage from "../../src/stages/pool.ts";
import { BUILTIN_STAGES } from "../../src/stages/registry.ts";
import { checkFields } from "../../src/pipeline/fields.ts";
import { loadPipeline } from "../../src/stages/pipelines.ts";
import { runPipeline } from "../../src/pipeline/run.ts";
import { withPool } from "../../src/pool/with_pool.ts";
import { pairBatch } from "../../src/data/schema.ts";
import { pairs, poolContext } from "./_helpers.ts";

// deno-lint-ignore no-explicit-any
function config(withBlock: Record<string, unknown> = {}): any {
  const problems: string[] = [];
  const cfg = checkFields(withBlock, poolStage.spec.fields, [], (m) => problems.push(m));
  assert.deepEqual(problems, []);
  return cfg;
}

Deno.test("the pool stage is registered as 'pool'", () => {
  assert.equal(BUILTIN_STAGES.pool, poolStage);
});

Deno.test("the pool stage writes pairs and seed labels, passing batches through unchanged", async () => {
  const runDir = await Deno.makeTempDir();
  const ctx = poolContext(runDir, "run-a");
  const rows = pairs(10, { seed: 3, test: 2 });
  const batches = [pairBatch(rows.slice(0, 6)), pairBatch(rows.slice(6))];
  const out = await lastValueFrom(poolStage.operator(config(), ctx)(from(batches)).pipe(toArray()));
  assert.deepEqual(out, batches);
  await ctx.closeAll();
  await withPool(join(runDir, "pool.duckdb"), async (pool) => {
    const q = async (sql: string) => (await pool.query(sql)).rows;
    assert.deepEqual(await q("SELECT count(*), count(gold) FROM pairs"), [[10n, 7n]]);
    assert.deepEqual(
      await q(
        "SELECT pair_id, label, origin, rule, iteration, run_id FROM labels ORDER BY label_id",
      ),
      [
        ["p0000", -1, "human", "seed", 0, "run-a"],
        ["p0001", 1, "human", "seed", 0, "run-a"],
        ["p0002", 1, "human", "seed", 0, "run-a"],
      ],
    );
    assert.deepEqual(await q("SELECT status FROM runs"), [["completed"]]);
  }, { readOnly: true });
});

Deno.test("the pool stage on a resumed run adds no duplicate labels", async () => {
  const runDir = await Deno.makeTempDir();
  const batch = pairBatch(pairs(5, { seed: 2 }));
  for (let i = 0; i < 2; i++) {
    const ctx = poolContext(runDir, "same-run");
    await lastValueFrom(poolStage.operator(config(), ctx)(from([batch])).pipe(toArray()));
    await ctx.closeAll();
  }
  await withPool(join(runDir, "pool.duckdb"), async (pool) => {
    assert.deepEqual((await pool.query("SELECT count(*) FROM labels")).rows, [[2n]]);
  }, { readOnly: true });
});

Deno.test("the pool stage honours labels: false, label_splits and dataset", async () => {
  const runDir = await Deno.makeTempDir();
  const rows = pairs(4, { seed: 1 });
  rows[3] = { ...rows[3], split: "validation", label: 1, gold: null };
  const ctx = poolContext(runDir);
  await lastValueFrom(
    poolStage.operator(config({ label_splits: ["validation"], dataset: "hh" }), ctx)(
      from([pairBatch(rows)]),
    ),
  );
  const ctx2 = poolContext(await Deno.makeTempDir());
  await lastValueFrom(poolStage.operator(config({ labels: false }), ctx2)(from([pairBatch(rows)])));
  await ctx.closeAll();
  await ctx2.closeAll();
  await withPool(join(runDir, "pool.duckdb"), async (pool) => {
    assert.deepEqual((await pool.query("SELECT pair_id FROM labels")).rows, [["p0003"]]);
    assert.deepEqual((await pool.query("SELECT DISTINCT dataset FROM pairs")).rows, [["hh"]]);
  }, { readOnly: true });
  await withPool(join(ctx2.runDir, "pool.duckdb"), async (pool) => {
    assert.deepEqual((await pool.query("SELECT count(*) FROM labels")).rows, [[0n]]);
  }, { readOnly: true });
});

Deno.test("a pipeline synthetic -> split -> pool fills the run's pool", async () => {
  const dir = await Deno.makeTempDir();
  const file = join(dir, "p.yaml");
  await Deno.writeTextFile(
    file,
    `name: pooltest
seed: 3
stages:
  - id: data
    use: synthetic
    with: { pairs: 300 }
  - id: split
    use: split
    with: { seed_fraction: 0.1, validation_fraction: 0.1, test_fraction: 0.2 }
  - id: store
    use: pool
`,
  );
  const runDir = join(dir, "run");
  const r = await runPipeline(await loadPipeline(file), { runDir, quiet: true });
  assert.ok(r);
  await withPool(join(runDir, "pool.duckdb"), async (pool) => {
    const q = async (sql: string) => (await pool.query(sql)).rows.map((row) => row.map(Number));
    const [[total, seeds, labels, seedLabels]] = await q(
      `SELECT (SELECT count(*) FROM pairs), (SELECT count(*) FROM pairs WHERE split = 'seed'),
              (SELECT count(*) FROM labels),
              (SELECT count(*) FROM human_labels WHERE split = 'seed')`,
    );
    assert.ok(total > 250, `most of 300 synthetic pairs are stored: ${total}`);
    assert.ok(seeds > 0);
    assert.equal(labels, seeds, "one human label per seed pair, none for other splits");
    assert.equal(seedLabels, seeds);
    assert.deepEqual(
      await q("SELECT count(*) FROM pairs WHERE split = 'unlabelled' AND gold IS NULL"),
      [[0]],
    );
    const run = (await pool.query("SELECT pipeline, status FROM runs")).rows;
    assert.deepEqual(run, [["pooltest", "completed"]]);
  }, { readOnly: true });
});
