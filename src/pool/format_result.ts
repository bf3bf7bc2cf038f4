/**
 * Query results as text: an aligned table fitted to the terminal, CSV, JSON or Markdown.
 *
 * @module
 */
import type { DuckDBValue } from "@duckdb/node-api";
import type { QueryResult } from "./query.ts";

/** The output formats of `deno task query`. */
export const FORMATS = ["table", "csv", "json", "markdown"] as const;
/** One of `FORMATS`. */
export type Format = (typeof FORMATS)[number];

const NUMERIC =
  /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|DOUBLE|DECIMAL)/;

/** Options of `formatResult`. */
export interface FormatOptions {
  /** Characters per line a table may use (long text is cut with `…`). */
  width?: number;
  /** Rows a table or Markdown shows at most (0: all); CSV and JSON always hold all. */
  maxRows?: number;
}

/**
 * A value as plain JSON: bigints as numbers when exact (else strings), `FLOAT`s by their shortest
 * float32 digits, `JSON` columns parsed, DuckDB value objects (timestamps, lists, ...) as text.
 *
 * @param v The value.
 * @param type Its DuckDB type name.
 * @returns A JSON-serializable value.
 */
export function jsonValue(v: DuckDBValue, type: string): unknown {
  if (v === null || typeof v === "string" && type !== "JSON") return v;
  if (typeof v === "string") {
    try {
      return JSON.parse(v);
    } catch {
      return v;
    }
  }
  if (typeof v === "bigint") return Number.isSafeInteger(Number(v)) ? Number(v) : String(v);
  if (typeof v === "number") return type === "FLOAT" && Number.isFinite(v) ? _shortest(v) : v;
  if (typeof v === "boolean") return v;
  return String(v);
}

/** The shortest decimal that rounds to the same float32. */
function _shortest(v: number): number {
  const f = Math.fround(v);
  for (let p = 1; p < 9; p++) {
    const d = Number(f.toPrecision(p));
    if (Math.fround(d) === f) return d;
  }
  return f;
}

/** @returns The value as one line of display text. */
function _text(v: DuckDBValue, type: string): string {
  if (v === null) return "NULL";
  const j = jsonValue(v, type === "JSON" ? "VARCHAR" : type);
  return String(j).replace(/\r?\n/g, "↵").replace(/\t/g, " ");
}

function _cut(s: string, w: number): string {
  const chars = Array.from(s);
  return chars.length <= w ? s : chars.slice(0, Math.max(0, w - 1)).join("") + "…";
}

function _len(s: string): number {
  return Array.from(s).length;
}

/** Shrinks the widest columns until the row fits `width` (never below a small minimum). */
function _fit(widths: number[], mins: number[], width: number): number[] {
  const w = [...widths];
  const sep = 3 * Math.max(0, w.length - 1);
  let total = w.reduce((a, b) => a + b, 0) + sep;
  while (total > width) {
    let k = -1;
    for (let i = 0; i < w.length; i++) if (w[i] > mins[i] && (k < 0 || w[i] > w[k])) k = i;
    if (k < 0) break;
    w[k]--;
    total--;
  }
  return w;
}

function _table(r: QueryResult, width: number, rows: DuckDBValue[][]): string[] {
  const cells = rows.map((row) => row.map((v, c) => _text(v, r.types[c])));
  const natural = r.columns.map((h, c) => Math.max(_len(h), ...cells.map((row) => _len(row[c]))));
  const mins = natural.map((n, c) => Math.min(n, Math.max(6, Math.min(_len(r.columns[c]), 12))));
  const w = _fit(natural, mins, width);
  const right = r.types.map((t) => NUMERIC.test(t));
  const line = (vals: string[], align: boolean) =>
    vals.map((v, c) => {
      const s = _cut(v, w[c]);
      const pad = " ".repeat(w[c] - _len(s));
      return align && right[c] ? pad + s : s + pad;
    }).join(" │ ").trimEnd();
  return [
    line(r.columns, false),
    w.map((n) => "─".repeat(n)).join("─┼─"),
    ...cells.map((row) => line(row, true)),
  ];
}

function _csvField(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function _markdownCell(s: string): string {
  return s.replace(/\|/g, "\\|");
}

/**
 * Renders a query result.
 *
 * @param r The result.
 * @param format `table`, `csv`, `json` or `markdown`.
 * @param opts `width` (table), `maxRows` (table, markdown).
 * @returns The text (no trailing newline).
 * @example
 * ```ts
 * import { formatResult } from "./format_result.ts";
 * const r = { columns: ["n"], types: ["BIGINT"], rows: [[3n]], statement: "SELECT", rowsChanged: 0 };
 * if (formatResult(r, "csv") !== "n\n3") throw new Error();
 * ```
 */
export function formatResult(r: QueryResult, format: Format, opts: FormatOptions = {}): string {
  const { width = 120, maxRows = 0 } = opts;
  const shown = maxRows > 0 && r.rows.length > maxRows ? r.rows.slice(0, maxRows) : r.rows;
  const footer = shown.length < r.rows.length
    ? `(${r.rows.length} rows, first ${shown.length} shown: pass --max-rows 0 for all)`
    : `(${r.rows.length} row${r.rows.length === 1 ? "" : "s"})`;
  switch (format) {
    case "table":
      return [..._table(r, width, shown), footer].join("\n");
    case "csv": {
      const text = (v: DuckDBValue, t: string) =>
        v === null ? "" : _csvField(String(jsonValue(v, t === "JSON" ? "VARCHAR" : t)));
      return [
        r.columns.map(_csvField).join(","),
        ...r.rows.map((row) => row.map((v, c) => text(v, r.types[c])).join(",")),
      ].join("\n");
    }
    case "json": {
      const lines = r.rows.map((row) =>
        JSON.stringify(
          Object.fromEntries(row.map((v, c) => [r.columns[c], jsonValue(v, r.types[c])])),
        )
      );
      return lines.length ? `[\n${lines.join(",\n")}\n]` : "[]";
    }
    case "markdown": {
      const head = `| ${r.columns.map(_markdownCell).join(" | ")} |`;
      const rule = `|${r.types.map((t) => (NUMERIC.test(t) ? "---:" : "---")).join("|")}|`;
      const body = shown.map((row) =>
        `| ${
          row.map((v, c) => _markdownCell(_text(v, r.types[c]).replace(/↵/g, "<br>"))).join(" | ")
        } |`
      );
      return [head, rule, ...body, ...(shown.length < r.rows.length ? ["", footer] : [])].join(
        "\n",
      );
    }
  }
}
