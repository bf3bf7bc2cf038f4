/**
 * Hands skipped input records to the run's labelled pool (`rejects` table).
 *
 * @module
 */
import type { StageContext } from "../contracts/types.ts";
import { runPool } from "../pool/run_pool.ts";
import type { RejectRow } from "../data/read_pairs.ts";

/**
 * Records skipped records in the pool's `rejects` table (one transaction per call), and logs each
 * one at debug level.
 *
 * @param ctx The reading stage's context (the pool is the run's shared `pool` resource).
 * @param rows The skipped records.
 * @returns When the pool has stored them.
 * @example
 * ```ts ignore
 * await recordRejects(ctx, [{ file: "a.jsonl", line: 3, reason: "invalid JSON", raw: "{" }]);
 * ```
 */
export async function recordRejects(ctx: StageContext, rows: RejectRow[]): Promise<void> {
  for (const r of rows) ctx.log.debug(`skipped ${r.file}:${r.line}: ${r.reason}`);
  const pool = await runPool(ctx);
  await pool.recordRejects(rows);
}
