/**
 * Number formats and Markdown tables for the benchmark summaries.
 *
 * @module
 */

/** A number with `d` decimals, or a dash. */
export const f = (
  x: unknown,
  d = 2,
) => (typeof x === "number" && Number.isFinite(x) ? x.toFixed(d) : "–");
/** A rounded number with thousands separators, or a dash. */
export const k = (
  x: unknown,
) => (typeof x === "number" && Number.isFinite(x) ? Math.round(x).toLocaleString("en-US") : "–");
/** A share as a percentage, or a dash. */
export const pct = (x: unknown) => (typeof x === "number" ? `${(100 * x).toFixed(1)}%` : "–");

/** A Markdown table. */
export function table(head: string[], rows: string[][]): string {
  return [
    `| ${head.join(" | ")} |`,
    `|${head.map(() => "---").join("|")}|`,
    ...rows.map((r) => `| ${r.join(" | ")} |`),
  ]
    .join("\n");
}
