/**
 * `withPool`: open a pool, use it, and close it whatever happens.
 *
 * @module
 */
import { Pool, type PoolOpenOptions } from "./pool.ts";

/**
 * Opens the pool at `path`, passes it to `fn`, and closes it when `fn` settles.
 *
 * @param path The pool file (or `:memory:`).
 * @param fn The work.
 * @param opts `readOnly`.
 * @returns What `fn` returns.
 * @example
 * ```ts
 * import { withPool } from "./with_pool.ts";
 * const n = await withPool(":memory:", async (pool) => {
 *   const r = await pool.query("SELECT count(*) AS n FROM pairs");
 *   return Number(r.rows[0][0]);
 * });
 * if (n !== 0) throw new Error();
 * ```
 */
export async function withPool<T>(
  path: string,
  fn: (pool: Pool) => Promise<T>,
  opts?: PoolOpenOptions,
): Promise<T> {
  const pool = await Pool.open(path, opts);
  try {
    return await fn(pool);
  } finally {
    await pool.close();
  }
}
