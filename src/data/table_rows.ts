/**
 * Streams the rows of a CSV or Parquet file through DuckDB (both readers are built into DuckDB),
 * one DuckDB chunk (~2,048 rows) at a time.
 *
 * @module
 */

/** One row of a table file with its position. */
export interface TableRow {
  /**
   * CSV: the line of the record counting the header as line 1 (exact unless a quoted field
   * spans lines); Parquet: the 1-based row number.
   */
  line: number;
  value: Record<string, unknown>;
}

/**
 * Yields the rows of a CSV (header row required; every value read as text; `.csv.gz` works) or a
 * Parquet file (values keep their types: lists and structs become arrays and objects).
 *
 * @param path The file.
 * @param kind `csv` or `parquet`.
 * @returns The rows in file order.
 * @throws {Error} When DuckDB cannot read the file; the message names the file and DuckDB's reason.
 * @example
 * ```ts
 * import { readTableRows } from "./table_rows.ts";
 * const tmp = await Deno.makeTempFile({ suffix: ".csv" });
 * await Deno.writeTextFile(tmp, "prompt,label\nhi,1\n");
 * for await (const r of readTableRows(tmp, "csv")) if (r.value.label !== "1") throw new Error();
 * await Deno.remove(tmp);
 * ```
 */
export async function* readTableRows(
  path: string,
  kind: "csv" | "parquet",
): AsyncGenerator<TableRow> {
  const literal = `'${path.replaceAll("'", "''")}'`;
  const sql = kind === "csv"
    ? `SELECT * FROM read_csv(${literal}, header = true, all_varchar = true)`
    : `SELECT * FROM read_parquet(${literal})`;
  // Loaded on first use: JSON readers never pay for DuckDB's native library.
  const { DuckDBInstance } = await import("@duckdb/node-api");
  const instance = await DuckDBInstance.create(":memory:");
  try {
    const con = await instance.connect();
    try {
      let n = 0;
      const result = await _wrap(path, kind, () => con.stream(sql));
      const chunks = result.yieldRowObjectJs();
      for (;;) {
        const next = await _wrap(path, kind, () => chunks.next());
        if (next.done) break;
        for (const value of next.value) {
          n++;
          yield { line: kind === "csv" ? n + 1 : n, value: value as Record<string, unknown> };
        }
      }
    } finally {
      con.closeSync();
    }
  } finally {
    instance.closeSync();
  }
}

async function _wrap<T>(path: string, kind: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    // DuckDB's first paragraph says what and where (e.g. "CSV Error on Line: 3 ... Invalid
    // unicode"); the rest is its sniffer settings.
    const msg = (err as Error).message.split("\n\n")[0].replace(/\s*\n\s*/g, " ");
    throw new Error(
      `Cannot read '${path}' as ${kind}: ${msg}; fix the file or convert it to JSON Lines ` +
        `(where on_error: skip can skip single bad records)`,
      { cause: err },
    );
  }
}
