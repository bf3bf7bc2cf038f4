/**
 * Schema migrations keyed by the version in the `meta` table: opening a pool brings it to
 * `SCHEMA_VERSION` in one transaction, and refuses files it cannot read.
 *
 * @module
 */
import type { DuckDBConnection } from "@duckdb/node-api";
import { TABLES_V1, TABLES_V2, VIEWS_V1 } from "./schema.ts";

/** The schema version this code writes and reads. */
export const SCHEMA_VERSION = 2;

/** One step of the schema: the statements that bring version `version - 1` to `version`. */
interface Migration {
  version: number;
  statements: readonly string[];
}

/** Every migration, in order (append new ones; never edit a released one). */
const MIGRATIONS: readonly Migration[] = [
  { version: 1, statements: [...TABLES_V1, ...VIEWS_V1] },
  { version: 2, statements: TABLES_V2 },
];

/**
 * Reads the schema version of an open database.
 *
 * @param conn A connection to the database.
 * @returns The version in `meta`, 0 for an empty database, or null for a database that has tables
 * but no `meta` (not a pool).
 * @example
 * ```ts
 * import { DuckDBInstance } from "@duckdb/node-api";
 * import { schemaVersion } from "./migrate.ts";
 * const db = await DuckDBInstance.create(":memory:");
 * const conn = await db.connect();
 * if (await schemaVersion(conn) !== 0) throw new Error("expected an empty database");
 * conn.closeSync();
 * db.closeSync();
 * ```
 */
export async function schemaVersion(conn: DuckDBConnection): Promise<number | null> {
  const tables = await conn.runAndReadAll(
    `SELECT table_name FROM duckdb_tables()
     WHERE database_name = current_database() AND schema_name = 'main' AND NOT temporary`,
  );
  const names = tables.getRows().map((r) => String(r[0]));
  if (names.length === 0) return 0;
  if (!names.includes("meta")) return null;
  const r = await conn.runAndReadAll(`SELECT value FROM meta WHERE key = 'schema_version'`);
  const rows = r.getRows();
  return rows.length ? Number(rows[0][0]) : null;
}

/**
 * Brings the database to `SCHEMA_VERSION`, running every pending migration in one transaction.
 *
 * @param conn A connection to a writable database.
 * @param where The pool's path, for messages.
 * @returns The version before migrating (0 for a new pool).
 * @throws {RangeError} When the file is not a pool or was written by a newer serflow.
 * @example
 * ```ts
 * import { DuckDBInstance } from "@duckdb/node-api";
 * import { migrate, SCHEMA_VERSION, schemaVersion } from "./migrate.ts";
 * const db = await DuckDBInstance.create(":memory:");
 * const conn = await db.connect();
 * await migrate(conn, ":memory:");
 * if (await schemaVersion(conn) !== SCHEMA_VERSION) throw new Error();
 * conn.closeSync();
 * db.closeSync();
 * ```
 */
export async function migrate(conn: DuckDBConnection, where: string): Promise<number> {
  const from = checkVersion(await schemaVersion(conn), where);
  if (from === SCHEMA_VERSION) return from;
  await conn.run("BEGIN TRANSACTION");
  try {
    for (const m of MIGRATIONS) {
      if (m.version <= from) continue;
      for (const sql of m.statements) await conn.run(sql);
    }
    await conn.run(
      `INSERT OR REPLACE INTO meta VALUES ('schema_version', $1), ('created_by', 'serflow')`,
      [String(SCHEMA_VERSION)],
    );
    await conn.run("COMMIT");
  } catch (e) {
    await conn.run("ROLLBACK");
    throw new Error(`Cannot migrate pool '${where}' from schema ${from} to ${SCHEMA_VERSION}`, {
      cause: e,
    });
  }
  return from;
}

/**
 * Checks that a pool's version can be used by this code.
 *
 * @param version What `schemaVersion` returned.
 * @param where The pool's path, for messages.
 * @param readOnly True when the pool cannot be migrated (opened read-only).
 * @returns The version.
 */
export function checkVersion(version: number | null, where: string, readOnly = false): number {
  if (version === null) {
    throw new RangeError(
      `Cannot open '${where}' as a pool as it is a DuckDB database without serflow's 'meta' ` +
        `table: choose a new file or the pool.duckdb of a run directory`,
    );
  }
  if (version > SCHEMA_VERSION) {
    throw new RangeError(
      `Cannot open pool '${where}' as its schema is version ${version} and this serflow reads ` +
        `up to ${SCHEMA_VERSION}: use a newer serflow`,
    );
  }
  if (readOnly && version < SCHEMA_VERSION) {
    throw new RangeError(
      `Cannot open pool '${where}' read-only as its schema is version ${version} and this ` +
        `serflow needs ${SCHEMA_VERSION}: open it once for writing to migrate it (e.g. ` +
        `deno task query ${where} --write "SELECT 1")`,
    );
  }
  return version;
}
