/**
 * One SELECT over a pool, streamed: its rows reach the caller a DuckDB chunk (about 2,048 rows)
 * at a time, so a large result never sits in memory whole. The engine of `Pool.forEachChunk`.
 *
 * @module
 */
import { type DuckDBConnection, type DuckDBValue, StatementType } from "@duckdb/node-api";

/** Receives one chunk of rows; may be async (the next chunk waits for it). */
export type ChunkHandler = (rows: DuckDBValue[][], columns: string[]) => void | Promise<void>;

/**
 * Streams the rows of one SELECT statement to `fn`.
 *
 * @param conn The connection.
 * @param path The pool's path, for messages.
 * @param sql One SELECT statement.
 * @param fn Called with each non-empty chunk, in order.
 * @returns The number of rows.
 * @throws {RangeError} When the SQL is not exactly one SELECT.
 */
export async function queryChunks(
  conn: DuckDBConnection,
  path: string,
  sql: string,
  fn: ChunkHandler,
): Promise<number> {
  const statements = await conn.extractStatements(sql);
  if (statements.count !== 1) {
    throw new RangeError(
      `Cannot stream from pool '${path}' as the SQL holds ${statements.count} statements: pass one SELECT`,
    );
  }
  const prepared = await statements.prepare(0);
  try {
    if (prepared.statementType !== StatementType.SELECT) {
      throw new RangeError(
        `Cannot stream from pool '${path}' as the statement is a ` +
          `${StatementType[prepared.statementType]}: pass one SELECT`,
      );
    }
    const result = await prepared.stream();
    const columns = result.columnNames();
    let n = 0;
    for (;;) {
      const chunk = await result.fetchChunk();
      if (!chunk || chunk.rowCount === 0) break;
      n += chunk.rowCount;
      await fn(chunk.getRows(), columns);
    }
    return n;
  } finally {
    prepared.destroySync();
  }
}
