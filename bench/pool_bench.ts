/**
 * Labelled-pool benchmark: bulk write throughput (pairs and label rows per second, through the
 * appender path of `src/pool`) against row-by-row prepared INSERTs, and the time of typical
 * queries on a pool holding `--labels` label rows (default 1M) over `--pairs` pairs.
 *
 * Run: `deno run -A bench/pool_bench.ts [--pairs 200000] [--labels 1000000] [--json]`
 *
 * @module
 */
import { parseArgs } from "node:util";
import process from "node:process";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { pairBatch, type PairRow } from "../src/data/schema.ts";
import type { Batch } from "../src/contracts/types.ts";
import { Pool } from "../src/pool/pool.ts";
import { exportPool } from "../src/pool/export.ts";
import { Rng } from "../src/contracts/rng.ts";

const { values: args } = parseArgs({
  args: Deno.args,
  options: {
    pairs: { type: "string", default: "200000" },
    labels: { type: "string", default: "1000000" },
    iterations: { type: "string", default: "10" },
    json: { type: "boolean", default: false },
  },
});
const P = Number(args.pairs), L = Number(args.labels), ITS = Number(args.iterations);
const rng = new Rng(11);
const results: Record<string, number> = {};
const say = (name: string, value: number, unit: string) => {
  results[name] = value;
  if (!args.json) {
    console.log(
      `${name.padEnd(34)} ${value.toLocaleString("en-US", { maximumFractionDigits: 1 })} ${unit}`,
    );
  }
};
let cpuSec = 0; // CPU seconds (all threads) of the last `time` call
const time = async <T>(fn: () => Promise<T>): Promise<[T, number]> => {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const v = await fn();
  const c = process.cpuUsage(c0);
  cpuSec = (c.user + c.system) / 1e6;
  return [v, (performance.now() - t0) / 1000];
};

function pairRowsOf(n: number): PairRow[] {
  const words = Array.from({ length: 500 }, (_, i) => `w${i}`);
  const text = (k: number) =>
    Array.from({ length: k }, () => words[rng.int(words.length)]).join(" ");
  return Array.from({ length: n }, (_, i) => ({
    pair_id: `pair-${i.toString(16).padStart(8, "0")}`,
    group_id: `g${i >> 3}`,
    prompt: text(20),
    response_a: text(40),
    response_b: text(40),
    label: i % 10 === 0 ? 1 : null,
    split: i % 10 === 0 ? "seed" : i % 10 === 9 ? "test" : "unlabelled",
    gold: i % 10 === 0 ? null : (i % 3 ? 1 : -1),
    source: `bench.jsonl:${i + 1}`,
  }));
}

const dir = await Deno.makeTempDir({ prefix: "serflow-pool-bench-" });
try {
  const pool = await Pool.open(join(dir, "pool.duckdb"));
  await pool.startRun({ runId: "bench", pipeline: "bench" });
  const rows = pairRowsOf(P);
  const ids = rows.map((r) => r.pair_id);
  const batches: Batch[] = [];
  for (let s = 0; s < P; s += 8192) batches.push(pairBatch(rows.slice(s, s + 8192)));
  const [, pairSec] = await time(() =>
    pool.transaction(async (tx) => {
      for (const b of batches) await tx.insertPairs(b);
    })
  );
  say("pairs written", P / pairSec, "pairs/s");
  say("pairs written per CPU-second", P / cpuSec, "pairs/s");

  // SER-like iterations: each labels a random subset with the full set of self-label columns.
  const per = Math.ceil(L / ITS);
  let written = 0, labelSec = 0, labelCpu = 0;
  for (let it = 1; it <= ITS && written < L; it++) {
    const n = Math.min(per, L - written);
    const pairId = Array.from({ length: n }, () => ids[rng.int(P)]);
    const pA = Float32Array.from({ length: n }, () => rng.next());
    const pB = Float32Array.from({ length: n }, () => rng.next());
    const label = Int8Array.from(pA, (a, i) => (a >= pB[i] ? 1 : -1));
    const margin = Float32Array.from(pA, (a, i) => Math.abs(a - pB[i]));
    const rule = Array.from(margin, (m) => (m > 0.3 ? "status2" : "status1"));
    const [, s] = await time(() =>
      pool.transaction(async (tx) => {
        await tx.appendLabels({
          pairId,
          label,
          origin: "self",
          iteration: it,
          rule,
          pA,
          pB,
          margin,
          swapped: Uint8Array.from(label, (l) => (l < 0 ? 1 : 0)),
          modelId: `m${it}`,
        });
        await tx.recordIteration({ iteration: it, status: "status1", selected: n, poolSize: n });
      })
    );
    written += n;
    labelSec += s;
    labelCpu += cpuSec;
  }
  const [, closeSec] = await time(() => pool.query("CHECKPOINT", { write: true }));
  say("label rows written (bulk)", written / labelSec, "rows/s");
  say("  with the final checkpoint", written / (labelSec + closeSec), "rows/s");
  say("  per CPU-second (all threads)", written / (labelCpu + cpuSec), "rows/s");

  const queries: [string, string][] = [
    [
      "counts by origin/iteration",
      "SELECT origin, iteration, count(*) FROM labels GROUP BY ALL ORDER BY ALL",
    ],
    [
      "pool view by origin/label",
      "SELECT origin, label, count(*) FROM pool GROUP BY ALL ORDER BY ALL",
    ],
    ["pool_at(5) labelled count", "SELECT count(*) FROM pool_at(5) WHERE label IS NOT NULL"],
    [
      "self-label precision by iter",
      "SELECT iteration, avg((label = gold)::INT) FROM pool WHERE origin = 'self' GROUP BY 1 ORDER BY 1",
    ],
  ];
  for (const [name, sql] of queries) {
    await pool.query(sql); // warm
    const [, s] = await time(() => pool.query(sql));
    say(`query: ${name}`, s * 1000, "ms");
  }
  const [cur, curSec] = await time(() => pool.currentLabels());
  say("currentLabels() to typed arrays", curSec * 1000, "ms");
  say("  labelled pairs", cur.length, "pairs");
  const [ex, exSec] = await time(() =>
    exportPool(pool, {
      format: "trl-jsonl",
      out: join(dir, "train.jsonl"),
      splits: ["seed", "unlabelled"],
    })
  );
  say("export trl-jsonl", exSec * 1000, "ms");
  say("  exported rows", ex.rows, "rows");
  await pool.close();
  say("pool file", (await Deno.stat(join(dir, "pool.duckdb"))).size / 2 ** 20, "MiB");

  // The path not taken: one prepared INSERT per row (a small sample; it is slow).
  const db = await DuckDBInstance.create(":memory:");
  const conn = await db.connect();
  await conn.run(
    "CREATE TABLE l (pair_id VARCHAR, label TINYINT, p_a FLOAT, p_b FLOAT, margin FLOAT)",
  );
  const stmt = await conn.prepare("INSERT INTO l VALUES ($1, $2, $3, $4, $5)");
  const sample = 5000;
  const [, rowSec] = await time(async () => {
    await conn.run("BEGIN");
    for (let i = 0; i < sample; i++) {
      stmt.bind([ids[i], 1, 0.5, 0.25, 0.25]);
      await stmt.run();
    }
    await conn.run("COMMIT");
  });
  say("label rows, row-by-row INSERT", sample / rowSec, "rows/s");
  conn.closeSync();
  db.closeSync();
  if (args.json) console.log(JSON.stringify({ pairs: P, labels: L, ...results }, null, 2));
} finally {
  await Deno.remove(dir, { recursive: true });
}
