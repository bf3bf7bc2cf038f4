/**
 * Pool cost against pool size: into a fresh DuckDB pool file, insert `n` pairs and one human
 * label each in one transaction (write), then read the current label of every pair (the `pool`
 * view through `currentLabels`) and run an aggregate SQL query (query). Imported by URL from the
 * CPU benchmark only, so DuckDB stays out of the GPU benchmark's import graph.
 *
 * @module
 */
import { pairBatch, type PairRow } from "../../src/data/schema.ts";
import { Pool } from "../../src/pool/pool.ts";

import type { PoolPoint } from "./growth.ts";

/**
 * Measures one pool size.
 *
 * @param rows At least `n` pairs (reused cyclically with fresh ids if fewer).
 * @param n Pool size.
 * @returns The timings.
 * @example
 * ```ts ignore
 * const p = await poolPoint(syntheticRows(1000, 7), 1000);
 * ```
 */
export async function poolPoint(rows: readonly PairRow[], n: number): Promise<PoolPoint> {
  const dir = await Deno.makeTempDir({ prefix: "serflow-bench-pool-" });
  const path = `${dir}/pool.duckdb`;
  try {
    const pool = await Pool.open(path);
    try {
      await pool.startRun({ runId: "bench", pipeline: "bench" });
      const ids: string[] = [];
      const batches: ReturnType<typeof pairBatch>[] = [];
      for (let s = 0; s < n; s += 8192) {
        const chunk: PairRow[] = [];
        for (let i = s; i < Math.min(n, s + 8192); i++) {
          const r = rows[i % rows.length];
          const id = i < rows.length ? r.pair_id : `${r.pair_id}-${Math.floor(i / rows.length)}`;
          ids.push(id);
          chunk.push({ ...r, pair_id: id, split: "seed" });
        }
        batches.push(pairBatch(chunk));
      }
      let t0 = performance.now();
      await pool.transaction(async (tx) => {
        for (const b of batches) await tx.insertPairs(b);
        await tx.appendLabels({
          pairId: ids,
          label: ids.map((_, i) => (rows[i % rows.length].label ?? 1)),
          origin: "human",
          iteration: 0,
          rule: "seed",
        });
      });
      const write = (performance.now() - t0) / 1e3;
      t0 = performance.now();
      const cur = await pool.currentLabels({ runId: "bench" });
      const currentLabels = (performance.now() - t0) / 1e3;
      if (cur.length !== n) {
        throw new Error(`Pool benchmark read ${cur.length} current labels: expected ${n}`);
      }
      t0 = performance.now();
      await pool.query("SELECT origin, label, count(*) FROM pool GROUP BY ALL ORDER BY ALL");
      const sql = (performance.now() - t0) / 1e3;
      await pool.close();
      const size = (await Deno.stat(path)).size;
      return {
        n,
        write_s: write,
        current_labels_s: currentLabels,
        sql_s: sql,
        file_mib: size / 2 ** 20,
      };
    } catch (e) {
      await pool.close().catch(() => {});
      throw e;
    }
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}
