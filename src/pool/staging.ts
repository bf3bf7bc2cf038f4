/**
 * Per-connection temporary tables that bulk writes append to before one `INSERT ... SELECT`
 * moves the rows into the pool with their constant columns, dedupe and conflict rules (pairs and
 * labels, the large writes, take a scratch Parquet file instead: see `write_pairs.ts`).
 * Staged columns hold no NULLs (0, NaN or "" stand for them) because the appender's NULL path
 * costs a BigInt operation per value; the `INSERT ... SELECT` turns them back into NULLs.
 *
 * @module
 */
import type { DuckDBConnection } from "@duckdb/node-api";

const STAGING: readonly string[] = [
  `CREATE TEMP TABLE IF NOT EXISTS _stage_rejects (
    file VARCHAR, line BIGINT, reason VARCHAR, raw VARCHAR)`,
];

/**
 * Creates the staging tables on `conn` (idempotent; they live as long as the connection).
 *
 * @param conn A connection to a writable pool.
 * @returns When the tables exist.
 */
export async function createStaging(conn: DuckDBConnection): Promise<void> {
  for (const sql of STAGING) await conn.run(sql);
}
