/**
 * The benchmark's SVG plots (`docs/benchmarks/*.svg`) from a growth report and end-to-end runs.
 *
 * @module
 */
import type { GrowthReport } from "./growth.ts";
import { lineChart, type Series } from "./svg_plot.ts";

/** End-to-end iteration timings, as `bench/e2e.ts` reports them. */
export interface E2ePlotInput {
  pairs: number;
  backend: string;
  iterations: {
    iteration: number;
    scored: number;
    score_s: number;
    train_s: number;
    wall_s: number;
    trained_examples: number;
  }[];
}

/**
 * Renders every plot.
 *
 * @param g The growth report (null: no growth plots).
 * @param e2e End-to-end runs (for the per-iteration plot).
 * @returns File name -> SVG text.
 * @example
 * ```ts
 * import { renderPlots } from "./plots.ts";
 * const out = renderPlots(null, [{ pairs: 10, backend: "cpu", iterations: [
 *   { iteration: 1, scored: 5, score_s: 1, train_s: 2, wall_s: 3, trained_examples: 9 }] }]);
 * if (!out["e2e_iteration.svg"].includes("<svg")) throw new Error();
 * ```
 */
export function renderPlots(g: GrowthReport | null, e2e: E2ePlotInput[]): Record<string, string> {
  const out: Record<string, string> = {};
  if (g) {
    const pairSeries: Series[] = [];
    for (const [b, ps] of Object.entries(g.pairs)) {
      pairSeries.push({ label: `score, ${b}`, points: ps.map((p) => [p.n, p.score_s]) });
      const tr = ps.filter((p) => p.train_s !== null);
      if (tr.length) {
        pairSeries.push({ label: `train epoch, ${b}`, points: tr.map((p) => [p.n, p.train_s!]) });
      }
    }
    out["growth_pairs.svg"] = lineChart({
      title: "Scoring and training time vs pairs",
      xLabel: "pairs",
      yLabel: "seconds",
      logX: true,
      logY: true,
      linearGuide: true,
      series: pairSeries,
    });
    out["growth_memory.svg"] = lineChart({
      title: "Peak resident memory vs pairs",
      xLabel: "pairs",
      yLabel: "MiB",
      logX: true,
      logY: true,
      series: [
        ...Object.entries(g.pairs).map(([b, ps]) => ({
          label: `peak RSS, ${b}`,
          points: ps.map((p) => [p.n, p.peak_rss_mib] as [number, number]),
        })),
        ...Object.entries(g.pairs).slice(0, 1).map(([, ps]) => ({
          label: "feature arrays",
          points: ps.map((p) => [p.n, p.feature_bytes / 2 ** 20] as [number, number]),
        })),
      ],
    });
    for (const key of ["buckets", "dim"] as const) {
      const ps = g[key];
      out[`growth_${key}.svg`] = lineChart({
        title: `Time vs ${key} (${ps[0]?.n ?? "?"} pairs, ${ps[0]?.backend ?? ""})`,
        xLabel: key,
        yLabel: "seconds",
        logX: true,
        logY: true,
        linearGuide: true,
        series: [
          { label: "train epoch", points: ps.map((p) => [p[key], p.train_s ?? NaN]) },
          { label: "score", points: ps.map((p) => [p[key], p.score_s]) },
          { label: "load", points: ps.map((p) => [p[key], p.load_s]) },
        ],
      });
    }
    out["growth_pool.svg"] = lineChart({
      title: "Pool write and read time vs pool size",
      xLabel: "pairs in the pool",
      yLabel: "seconds",
      logX: true,
      logY: true,
      linearGuide: true,
      series: [
        { label: "write (1 txn)", points: g.pool.map((p) => [p.n, p.write_s]) },
        { label: "current labels", points: g.pool.map((p) => [p.n, p.current_labels_s]) },
        { label: "SQL aggregate", points: g.pool.map((p) => [p.n, p.sql_s]) },
      ],
    });
  }
  // One series per backend and measure, across sizes: per-iteration cost against the pool scored.
  const its: Series[] = [];
  for (const backend of [...new Set(e2e.map((r) => r.backend))]) {
    const later = e2e.filter((r) => r.backend === backend)
      .flatMap((r) => r.iterations.filter((it) => it.iteration > 0 && it.scored > 0))
      .sort((a, b) => a.scored - b.scored);
    if (later.length === 0) continue;
    its.push({ label: `iteration, ${backend}`, points: later.map((it) => [it.scored, it.wall_s]) });
    its.push({ label: `score, ${backend}`, points: later.map((it) => [it.scored, it.score_s]) });
  }
  if (its.length) {
    out["e2e_iteration.svg"] = lineChart({
      title: "SER iteration time vs unlabelled pairs scored",
      xLabel: "unlabelled pairs scored in the iteration",
      yLabel: "seconds",
      logX: true,
      logY: true,
      linearGuide: true,
      series: its,
    });
  }
  return out;
}
