/**
 * `deno task query POOL "SQL" [--format table|csv|json|markdown] [--out FILE] [--write]`: SQL over
 * a labelled pool, read-only unless `--write`.
 *
 * @module
 */
import { extname, join } from "node:path";
import { parse, UsageError } from "./args.ts";
import { Pool } from "../pool/pool.ts";
import { POOL_FILE } from "../pool/run_pool.ts";
import { ReadOnlyPoolError } from "../pool/query.ts";
import { type Format, formatResult, FORMATS } from "../pool/format_result.ts";

/** Where a command writes; tests pass their own. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  /** Characters per line of the output (a terminal's width, else 120). */
  columns(): number;
}

/** The console (stdout/stderr), with the terminal's width when stdout is a terminal. */
export const CONSOLE_IO: CliIo = {
  out: (t) => console.log(t),
  err: (t) => console.error(t),
  columns: () => (Deno.stdout.isTerminal() ? Deno.consoleSize().columns : 120),
};

const USAGE = `usage: deno task query POOL "SQL" [options]

POOL is a pool.duckdb file or a run directory holding one. Read-only unless --write.
Tables: pairs, labels, iterations, runs, models, rejects; views: pool, human_labels,
self_labels, current_run; table macro: pool_at(iteration) (see docs/pool.md).

options:
  --format table|csv|json|markdown   output format (default: table)
  --out FILE.parquet|.csv|.json      write the result to FILE instead (DuckDB COPY)
  --max-rows N                       rows a table or markdown shows (default 200; 0: all)
  --write                            allow statements that change the pool
  -h, --help                         this help`;

const OUT_FORMATS: Record<string, string> = {
  ".parquet": "PARQUET",
  ".csv": "CSV, HEADER",
  ".json": "JSON",
  ".jsonl": "JSON",
  ".ndjson": "JSON",
};

/** Statements whose result is a count of changed rows. */
const CHANGES = new Set(["INSERT", "UPDATE", "DELETE", "MERGE_INTO"]);

/**
 * Resolves the pool file a command names: a file as is, a directory's `pool.duckdb`.
 *
 * @param arg The POOL argument.
 * @returns The file path.
 * @throws {Deno.errors.NotFound} When it does not exist (nothing is created).
 */
export function poolPath(arg: string): string {
  let st: Deno.FileInfo;
  try {
    st = Deno.statSync(arg);
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
    throw new Deno.errors.NotFound(
      `Cannot open pool '${arg}' as it does not exist: pass the pool.duckdb of a run (e.g. ` +
        `runs/<pipeline>/pool.duckdb) or its run directory`,
    );
  }
  if (!st.isDirectory) return arg;
  const file = join(arg, POOL_FILE);
  try {
    Deno.statSync(file);
  } catch {
    throw new Deno.errors.NotFound(
      `Cannot open the pool of '${arg}' as it holds no ${POOL_FILE}: has a pipeline with a ` +
        `pool-writing stage run there?`,
    );
  }
  return file;
}

/** @returns `s` as a SQL string literal. */
export function sqlString(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

/**
 * @param args Command-line arguments after `query`.
 * @param io Where to write (default: the console).
 * @returns The exit code: 0 done, 1 an error (SQL, missing or locked pool), 2 a usage error.
 */
export async function main(args: string[], io: CliIo = CONSOLE_IO): Promise<number> {
  let v, positionals;
  try {
    ({ values: v, positionals } = parse(args, {
      format: { type: "string", default: "table" },
      out: { type: "string" },
      "max-rows": { type: "string", default: "200" },
      write: { type: "boolean", default: false },
      help: { type: "boolean", short: "h" },
    }));
    if (v.help) {
      io.out(USAGE);
      return 0;
    }
    if (positionals.length !== 2) {
      throw new UsageError(`expected POOL and SQL, got ${positionals.length} argument(s)`);
    }
    if (!FORMATS.includes(v.format as Format)) {
      throw new UsageError(`--format must be one of ${FORMATS.join(", ")}: got '${v.format}'`);
    }
    if (!/^\d+$/.test(v["max-rows"]!)) {
      throw new UsageError(`--max-rows must be an integer >= 0: got '${v["max-rows"]}'`);
    }
    if (v.out !== undefined && !OUT_FORMATS[extname(v.out).toLowerCase()]) {
      throw new UsageError(
        `--out must end in ${Object.keys(OUT_FORMATS).join(", ")}: got '${v.out}'`,
      );
    }
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    io.err(`error: ${e.message}\n\n${USAGE}`);
    return 2;
  }
  const [poolArg, sql] = positionals;
  let pool: Pool | undefined;
  try {
    pool = await Pool.open(poolPath(poolArg), { readOnly: !v.write });
    if (v.out !== undefined) {
      const body = sql.trim().replace(/;\s*$/, "");
      const format = OUT_FORMATS[extname(v.out).toLowerCase()];
      const r = await pool.query(`COPY (${body}) TO ${sqlString(v.out)} (FORMAT ${format})`);
      const n = r.rows.length ? Number(r.rows[0][0]) : r.rowsChanged;
      io.err(`wrote ${n} row${n === 1 ? "" : "s"} to ${v.out}`);
      return 0;
    }
    const r = await pool.query(sql, { write: v.write });
    const format = v.format as Format;
    if (r.columns.length === 0 || CHANGES.has(r.statement)) {
      io.err(`${r.statement}: ${r.rowsChanged} row${r.rowsChanged === 1 ? "" : "s"} changed`);
      return 0;
    }
    io.out(formatResult(r, format, { width: io.columns(), maxRows: Number(v["max-rows"]) }));
    return 0;
  } catch (e) {
    if (e instanceof ReadOnlyPoolError) {
      io.err(
        `error: Cannot run ${e.statement} on pool '${poolArg}' as 'deno task query' is read-only ` +
          `by default: pass --write to allow statements that change the pool`,
      );
    } else {
      io.err(`error: ${(e as Error).message}`);
    }
    return 1;
  } finally {
    await pool?.close();
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));
