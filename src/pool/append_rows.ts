/**
 * The bulk write path: columns go into DuckDB through its appender, one data chunk (2,048 rows)
 * at a time, never as SQL text.
 *
 * @module
 */
import {
  type DuckDBConnection,
  DuckDBDataChunk,
  type DuckDBType,
  type DuckDBValue,
  DuckDBVector,
} from "@duckdb/node-api";

/** One column to append: its DuckDB type and the value of row `i` (null for SQL NULL). */
export interface AppendColumn {
  type: DuckDBType;
  value: (i: number) => DuckDBValue;
}

/**
 * Appends `n` rows to `table` (all of its columns, in order) through a DuckDB appender. Inside an
 * open transaction the rows belong to it (a rollback removes them).
 *
 * @param conn The connection (its transaction, if any, holds the rows).
 * @param table The table (a temporary table is found first).
 * @param columns One entry per column of the table, in the table's order.
 * @param n The number of rows.
 * @returns When the rows are flushed to the table.
 * @example
 * ```ts
 * import { DuckDBInstance, INTEGER, VARCHAR } from "@duckdb/node-api";
 * import { appendRows } from "./append_rows.ts";
 * const db = await DuckDBInstance.create(":memory:");
 * const conn = await db.connect();
 * await conn.run("CREATE TABLE t (i INTEGER, s VARCHAR)");
 * await appendRows(conn, "t", [
 *   { type: INTEGER, value: (i) => i },
 *   { type: VARCHAR, value: (i) => `row ${i}` },
 * ], 5000);
 * const r = await conn.runAndReadAll("SELECT count(*) FROM t");
 * if (r.getRows()[0][0] !== 5000n) throw new Error();
 * conn.closeSync();
 * db.closeSync();
 * ```
 */
export async function appendRows(
  conn: DuckDBConnection,
  table: string,
  columns: readonly AppendColumn[],
  n: number,
): Promise<void> {
  if (n === 0) return;
  const appender = await conn.createAppender(table);
  try {
    if (appender.columnCount !== columns.length) {
      throw new RangeError(
        `Cannot append to '${table}' as it has ${appender.columnCount} columns: got ${columns.length}`,
      );
    }
    const types = columns.map((c) => c.type);
    const size = DuckDBVector.standardSize();
    for (let start = 0; start < n; start += size) {
      const count = Math.min(size, n - start);
      const chunk = DuckDBDataChunk.create(types, count);
      for (let c = 0; c < columns.length; c++) {
        const vector = chunk.getColumnVector(c);
        const value = columns[c].value;
        for (let i = 0; i < count; i++) vector.setItem(i, value(start + i));
        vector.flush();
      }
      appender.appendDataChunk(chunk);
    }
    appender.closeSync(); // flushes
  } catch (e) {
    // Closing flushes again: after a failed append that would only repeat the first error.
    try {
      appender.closeSync();
    } catch {
      // the first error is the one to report
    }
    throw e;
  }
}
