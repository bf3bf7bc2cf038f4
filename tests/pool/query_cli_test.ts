import assert from "node:assert/strict";
import { dirname, join } from "node:path";
import { main as query } from "../../src/cli/query.ts";
import { withPool } from "../../src/pool/with_pool.ts";
import { captureIo, pairs, tempPoolPath } from "./_helpers.ts";
import { pairBatch } from "../../src/data/schema.ts";

/** A file pool with 3 pairs, 2 human labels and 1 self-label, closed. */
async function smallPool(): Promise<string> {
  const path = tempPoolPath();
  await withPool(path, async (pool) => {
    await pool.startRun({ runId: "r1", pipeline: "demo" });
    const rows = pairs(3, { seed: 2 });
    rows[2].prompt = "A long prompt ".repeat(20) + "|end";
    await pool.insertPairs(pairBatch(rows));
    await pool.appendLabels({
      pairId: ["p0000", "p0001"],
      label: [-1, 1],
      origin: "human",
      iteration: 0,
      rule: "seed",
    });
    await pool.transaction(async (tx) => {
      await tx.appendLabels({
        pairId: ["p0002"],
        label: [1],
        origin: "self",
        iteration: 1,
        rule: "status1",
        margin: [0.3],
        pA: [0.7],
        pB: [0.4],
      });
      await tx.recordIteration({
        iteration: 1,
        status: "status1",
        selected: 1,
        poolSize: 3,
        metrics: { acc: 0.625 },
      });
    });
  });
  return path;
}

async function run(args: string[], columns = 120) {
  const cap = captureIo(columns);
  const code = await query(args, cap.io);
  return { code, out: cap.out.join("\n"), err: cap.err.join("\n") };
}

Deno.test("query prints an aligned table with long text cut to the width", async () => {
  const path = await smallPool();
  const r = await run(
    [path, "SELECT pair_id, prompt, label, margin FROM pool ORDER BY pair_id"],
    60,
  );
  assert.equal(r.code, 0);
  const lines = r.out.split("\n");
  assert.equal(lines.length, 6);
  for (const l of lines.slice(0, 5)) assert.ok(l.length <= 60, `fits 60 columns: '${l}'`);
  assert.match(lines[0], /^pair_id │ prompt +│ label │ margin$/);
  assert.match(lines[1], /^─+┼─+┼─+┼─+$/);
  assert.match(lines[2], /^p0000 {3}│ Question 0: how do I do thing 0\? +│ {4}-1 │ {3}NULL$/);
  assert.match(lines[4], /^p0002 {3}│ A long prompt A long .*… │ {5}1 │ {4}0\.3$/);
  assert.equal(lines[5], "(3 rows)");
  // every row's separators line up with the header's
  const bars = (l: string) => [...l].flatMap((c, i) => (c === "│" || c === "┼" ? [i] : []));
  for (const l of lines.slice(1, 5)) assert.deepEqual(bars(l), bars(lines[0]));
});

Deno.test("query --format csv, json and markdown", async () => {
  const path = await smallPool();
  const sql = "SELECT pair_id, response_b, label, margin FROM pool ORDER BY pair_id";
  const csv = await run([path, sql, "--format", "csv"]);
  assert.equal(
    csv.out,
    'pair_id,response_b,label,margin\np0000,"Answer B to 0\nover two lines",-1,\n' +
      'p0001,"Answer B to 1\nover two lines",1,\np0002,"Answer B to 2\nover two lines",1,0.3',
  );
  const json = await run([
    path,
    "SELECT iteration, metrics, pool_size FROM iterations",
    "--format",
    "json",
  ]);
  assert.deepEqual(JSON.parse(json.out), [{ iteration: 1, metrics: { acc: 0.625 }, pool_size: 3 }]);
  const md = await run([
    path,
    "SELECT pair_id, label FROM pool ORDER BY pair_id LIMIT 2",
    "--format",
    "markdown",
  ]);
  assert.equal(md.out, "| pair_id | label |\n|---|---:|\n| p0000 | -1 |\n| p0001 | 1 |");
});

Deno.test("query is read-only by default and refuses a write naming --write", async () => {
  const path = await smallPool();
  const r = await run([path, "DELETE FROM labels"]);
  assert.equal(r.code, 1);
  assert.equal(
    r.err,
    `error: Cannot run DELETE on pool '${path}' as 'deno task query' is read-only by default: ` +
      `pass --write to allow statements that change the pool`,
  );
  const create = await run([path, "SELECT 1; CREATE TABLE t (x INTEGER)"]);
  assert.equal(create.code, 1);
  assert.match(create.err, /^error: Cannot run CREATE on pool .* pass --write/);
  const count = await run([path, "SELECT count(*) FROM labels", "--format", "csv"]);
  assert.equal(count.out, "count_star()\n3");
});

Deno.test("query --write runs statements that change the pool", async () => {
  const path = await smallPool();
  const r = await run([path, "DELETE FROM labels WHERE origin = 'self'", "--write"]);
  assert.deepEqual([r.code, r.err], [0, "DELETE: 1 row changed"]);
  const after = await run([path, "SELECT count(*) AS n FROM labels", "--format", "csv"]);
  assert.equal(after.out, "n\n2");
});

Deno.test("query shows SQL errors as DuckDB reports them, exit 1", async () => {
  const path = await smallPool();
  const r = await run([path, "SELECT nope FROM pairs"]);
  assert.equal(r.code, 1);
  assert.match(r.err, /^error: Binder Error: Referenced column "nope" not found/);
});

Deno.test("query on a missing pool fails clearly and creates no file", async () => {
  const dir = await Deno.makeTempDir();
  const path = join(dir, "missing.duckdb");
  const r = await run([path, "SELECT 1", "--write"]);
  assert.equal(r.code, 1);
  assert.equal(
    r.err,
    `error: Cannot open pool '${path}' as it does not exist: pass the pool.duckdb of a run (e.g. ` +
      `runs/<pipeline>/pool.duckdb) or its run directory`,
  );
  assert.deepEqual([...Deno.readDirSync(dir)], []);
});

Deno.test("query accepts a run directory and writes --out files through COPY", async () => {
  const path = await smallPool();
  const out = join(dirname(path), "labels.parquet");
  const r = await run([
    dirname(path),
    "SELECT pair_id, label FROM pool WHERE label IS NOT NULL;",
    "--out",
    out,
  ]);
  assert.deepEqual([r.code, r.err], [0, `wrote 3 rows to ${out}`]);
  const back = await run([path, `SELECT * FROM '${out}' ORDER BY pair_id`, "--format", "csv"]);
  assert.equal(back.out, "pair_id,label\np0000,-1\np0001,1\np0002,1");
});

Deno.test("query refuses bad options with usage, exit 2", async () => {
  const path = await smallPool();
  for (
    const [args, msg] of [
      [
        [path, "SELECT 1", "--format", "xml"],
        "--format must be one of table, csv, json, markdown: got 'xml'",
      ],
      [[path], "expected POOL and SQL, got 1 argument(s)"],
      [
        [path, "SELECT 1", "--out", "x.txt"],
        "--out must end in .parquet, .csv, .json, .jsonl, .ndjson: got 'x.txt'",
      ],
    ] as const
  ) {
    const r = await run([...args]);
    assert.equal(r.code, 2);
    assert.ok(r.err.startsWith(`error: ${msg}\n\nusage: deno task query`), r.err);
  }
});

Deno.test("query --max-rows limits a table and says how many rows there are", async () => {
  const path = await smallPool();
  const r = await run([path, "SELECT pair_id FROM pairs ORDER BY 1", "--max-rows", "2"]);
  assert.equal(r.out.split("\n").at(-1), "(3 rows, first 2 shown: pass --max-rows 0 for all)");
  assert.equal(r.out.split("\n").length, 5);
});
