/**
 * Markdown tables of the cost-growth and micro-benchmark sections of a result document.
 *
 * @module
 */
import { f, k, table } from "./md_table.ts";

// deno-lint-ignore no-explicit-any
type Any = any;

/**
 * Renders the growth and micro-benchmark tables (nothing for sections that are absent).
 *
 * @param s The result document's sections.
 * @returns Markdown blocks.
 * @example
 * ```ts
 * import { growthAndMicroMarkdown } from "./summary_growth_md.ts";
 * if (growthAndMicroMarkdown({}).length !== 0) throw new Error();
 * ```
 */
export function growthAndMicroMarkdown(s: Record<string, Any>): string[] {
  const out: string[] = [];
  if (s.growth) {
    const g = s.growth;
    out.push(`\n#### Cost growth (features of ${k(g.basePairs)} synthetic pairs, tiled beyond)\n`);
    out.push(table(
      ["backend", "pairs", "load s", "score s", "train epoch s", "feature MiB", "peak RSS MiB"],
      Object.entries(g.pairs).flatMap(([b, ps]: [string, Any]) =>
        ps.map((
          p: Any,
        ) => [
          b,
          k(p.n),
          f(p.load_s),
          f(p.score_s),
          f(p.train_s),
          f(p.feature_bytes / 2 ** 20, 1),
          k(p.peak_rss_mib),
        ])
      ),
    ));
    out.push("\n");
    out.push(table(
      ["sweep", "value", "pairs", "load s", "score s", "train epoch s", "peak RSS MiB"],
      [
        ...g.buckets.map((
          p: Any,
        ) => [
          "buckets",
          k(p.buckets),
          k(p.n),
          f(p.load_s),
          f(p.score_s),
          f(p.train_s),
          k(p.peak_rss_mib),
        ]),
        ...g.dim.map((
          p: Any,
        ) => [
          "dim",
          String(p.dim),
          k(p.n),
          f(p.load_s),
          f(p.score_s),
          f(p.train_s),
          k(p.peak_rss_mib),
        ]),
      ],
    ));
    out.push("\n");
    out.push(table(
      ["pool pairs", "write s (1 transaction)", "current labels s", "SQL aggregate s", "file MiB"],
      g.pool.map((
        p: Any,
      ) => [k(p.n), f(p.write_s), f(p.current_labels_s), f(p.sql_s, 3), f(p.file_mib, 1)]),
    ));
    out.push(
      "\nFitted growth exponents (log-log slope; 1 = linear): " +
        Object.entries(g.exponents).map(([name, v]) => `${name} ${f(v)}`).join(", ") + ".",
    );
    if (g.skipped?.length) out.push(`\nNot measured: ${g.skipped.join("; ")}.`);
  }
  if (s.micro?.results?.length) {
    out.push("\n#### Micro-benchmarks (`deno bench`, mean per iteration)\n");
    out.push(table(
      ["file", "benchmark", "mean ms", "p75 ms", "n"],
      s.micro.results.map((
        x: Any,
      ) => [
        x.file.replace("bench/", ""),
        x.name,
        f(x.avg_ns / 1e6, 3),
        f(x.p75_ns / 1e6, 3),
        String(x.n),
      ]),
    ));
  }
  for (const [file, report] of Object.entries(s.micro?.scripts ?? {})) {
    out.push(`\n#### \`${file}\` (script, JSON report)\n`);
    out.push(table(
      ["measure", "value"],
      Object.entries(report as Record<string, unknown>)
        .filter(([, v]) => typeof v === "number")
        .map(([k, v]) => [k, f(v as number, 1)]),
    ));
  }
  if (s.micro?.error) out.push(`\nErrors: ${s.micro.error.replace(/\n/g, "; ")}`);
  return out;
}
