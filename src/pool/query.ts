/**
 * Arbitrary SQL over a pool, read-only unless the caller allows writes: the engine of
 * `deno task query` and of `Pool.query`.
 *
 * @module
 */
import {
  type DuckDBConnection,
  type DuckDBResultReader,
  type DuckDBValue,
  StatementType,
} from "@duckdb/node-api";

/** Statement types that change the database or the session's catalog. */
const WRITES = new Set<number>([
  StatementType.INSERT,
  StatementType.UPDATE,
  StatementType.DELETE,
  StatementType.CREATE,
  StatementType.CREATE_FUNC,
  StatementType.DROP,
  StatementType.ALTER,
  StatementType.ATTACH,
  StatementType.DETACH,
  StatementType.COPY_DATABASE,
  StatementType.VACUUM,
  StatementType.ANALYZE,
  StatementType.LOAD,
  StatementType.EXTENSION,
  StatementType.UPDATE_EXTENSIONS,
  StatementType.MERGE_INTO,
]);

/** A statement was refused because writes were not allowed. */
export class ReadOnlyPoolError extends Error {
  /** The refused statement's type, e.g. `INSERT`. */
  readonly statement: string;

  /**
   * @param path The pool.
   * @param statement The statement type.
   */
  constructor(path: string, statement: string) {
    super(
      `Cannot run ${statement} on pool '${path}' as the query is read-only: pass ` +
        `{ write: true } to Pool.query() on a pool opened for writing (deno task query: --write)`,
    );
    this.name = "ReadOnlyPoolError";
    this.statement = statement;
  }
}

/** The result of the last statement of a query. */
export interface QueryResult {
  columns: string[];
  /** DuckDB type names, e.g. `VARCHAR`, `BIGINT`, `JSON`. */
  types: string[];
  rows: DuckDBValue[][];
  /** The statement's type name, e.g. `SELECT`. */
  statement: string;
  /** Rows changed by an INSERT / UPDATE / DELETE. */
  rowsChanged: number;
}

/** Options of `runQuery`. */
export interface RunQueryOptions {
  /** Allow statements that change the pool (default false). */
  write?: boolean;
  /** Parameters (`$1` or `$name`) of a single statement. */
  values?: DuckDBValue[] | Record<string, DuckDBValue>;
}

/**
 * Runs one or more SQL statements in order and returns the result of the last one. Without
 * `write`, each statement is checked before it runs and a statement that would change the pool
 * is refused (nothing after it runs).
 *
 * @param conn The connection.
 * @param path The pool's path, for messages.
 * @param sql The statements (`;`-separated).
 * @param opts `write`, `values`.
 * @returns The last statement's result.
 * @throws {ReadOnlyPoolError} When a statement would write and writes are not allowed.
 */
export async function runQuery(
  conn: DuckDBConnection,
  path: string,
  sql: string,
  opts: RunQueryOptions = {},
): Promise<QueryResult> {
  let statements;
  try {
    statements = await conn.extractStatements(sql);
  } catch (e) {
    // Show DuckDB's own message (e.g. "Parser Error: ..."), not the wrapper's prefix.
    const msg = e instanceof Error ? e.message.replace(/^Failed to extract statements: /, "") : e;
    throw new Error(String(msg), { cause: e });
  }
  if (statements.count === 0) {
    throw new RangeError(`Cannot query pool '${path}' as the SQL holds no statement`);
  }
  if (opts.values && statements.count > 1) {
    throw new RangeError(
      `Cannot bind parameters as the SQL holds ${statements.count} statements: pass one statement`,
    );
  }
  let reader: DuckDBResultReader | null = null;
  let type = 0;
  for (let i = 0; i < statements.count; i++) {
    let prepared;
    try {
      prepared = await statements.prepare(i);
    } catch (e) {
      throw _readOnly(path, e) ?? e;
    }
    try {
      type = prepared.statementType;
      if (!opts.write && WRITES.has(type)) throw new ReadOnlyPoolError(path, StatementType[type]);
      if (opts.values) prepared.bind(opts.values);
      reader = await prepared.runAndReadAll();
    } catch (e) {
      throw _readOnly(path, e) ?? e;
    } finally {
      prepared.destroySync();
    }
  }
  const r = reader!;
  return {
    columns: r.columnNames(),
    types: r.columnTypes().map((t, i) => r.columnLogicalType(i).alias ?? t.toString()),
    rows: r.getRows(),
    statement: StatementType[type] ?? String(type),
    rowsChanged: r.rowsChanged,
  };
}

/** Maps DuckDB's own read-only refusal (a read-only database) to `ReadOnlyPoolError`. */
function _readOnly(path: string, e: unknown): ReadOnlyPoolError | null {
  if (e instanceof ReadOnlyPoolError) return e;
  const m = /Cannot execute statement of type "(\w+)".*read-only mode/s.exec(
    e instanceof Error ? e.message : "",
  );
  return m ? new ReadOnlyPoolError(path, m[1]) : null;
}
