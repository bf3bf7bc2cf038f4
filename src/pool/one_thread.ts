/**
 * Bulk `INSERT ... SELECT`s on one DuckDB thread. Measured on a two-core machine, DuckDB's
 * parallel insert into the pool's tables spent three times the CPU of a single-threaded one, and
 * took longer: the rows come from one staging table that one thread reads as fast as the insert
 * can write, so a second thread only adds coordination.
 *
 * @module
 */
import type { DuckDBConnection } from "@duckdb/node-api";

/**
 * Runs `fn` with the instance's `threads` setting at 1, then puts the setting back (also on a
 * throw). The setting is the instance's: other connections of the instance run on one thread
 * meanwhile too.
 *
 * @param conn A connection.
 * @param fn The work (statements on `conn`).
 * @returns What `fn` returns.
 * @example
 * ```ts
 * import { DuckDBInstance } from "@duckdb/node-api";
 * import { oneThread } from "./one_thread.ts";
 * const db = await DuckDBInstance.create(":memory:", { threads: "2" });
 * const conn = await db.connect();
 * const inside = await oneThread(conn, async () =>
 *   (await conn.runAndReadAll("SELECT current_setting('threads')")).getRows()[0][0]);
 * const after = (await conn.runAndReadAll("SELECT current_setting('threads')")).getRows()[0][0];
 * if (Number(inside) !== 1 || Number(after) !== 2) throw new Error();
 * conn.closeSync();
 * db.closeSync();
 * ```
 */
export async function oneThread<T>(conn: DuckDBConnection, fn: () => Promise<T>): Promise<T> {
  const r = await conn.runAndReadAll("SELECT current_setting('threads')::BIGINT");
  const threads = r.getRows()[0][0] as bigint;
  if (threads === 1n) return await fn();
  await conn.run("SET threads = 1");
  try {
    return await fn();
  } finally {
    await conn.run(`SET threads = ${threads}`);
  }
}
