/**
 * Creates a pool file atomically: the schema is built in a temporary file beside it, which is
 * then linked into place (failing, harmlessly, when another opener got there first). So a process
 * killed while creating its pool leaves either no pool or a complete one, never an empty file that
 * a read-only `query` would refuse as "schema version 0".
 *
 * @module
 */
import { basename, dirname, join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { migrate } from "./migrate.ts";

/**
 * Makes sure a pool file exists at `path`, creating it with the current schema if it does not.
 *
 * @param path The pool file (not `:memory:`).
 * @returns True when this call created it.
 * @example
 * ```ts
 * import { ensurePoolFile } from "./create_file.ts";
 * const path = (await Deno.makeTempDir()) + "/pool.duckdb";
 * if (!(await ensurePoolFile(path)) || (await ensurePoolFile(path))) throw new Error();
 * ```
 */
export async function ensurePoolFile(path: string): Promise<boolean> {
  if (_exists(path)) return false;
  const tmp = join(
    dirname(path),
    `.${basename(path)}.${Deno.pid}.${crypto.randomUUID().slice(0, 8)}.creating`,
  );
  try {
    const db = await DuckDBInstance.create(tmp);
    try {
      const conn = await db.connect();
      try {
        await migrate(conn, path);
        await conn.run("CHECKPOINT");
      } finally {
        conn.closeSync();
      }
    } finally {
      db.closeSync();
    }
    try {
      await Deno.link(tmp, path);
      return true;
    } catch (e) {
      if (e instanceof Deno.errors.AlreadyExists) return false;
      throw e;
    }
  } finally {
    await Deno.remove(tmp).catch(() => {});
    await Deno.remove(`${tmp}.wal`).catch(() => {});
  }
}

function _exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return false;
    throw e;
  }
}
