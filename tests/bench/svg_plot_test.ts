import assert from "node:assert/strict";
import { lineChart, tickText } from "../../bench/lib/svg_plot.ts";
import { renderPlots } from "../../bench/lib/plots.ts";

Deno.test("lineChart() draws one polyline per series, a legend entry each, and the linear guide", () => {
  const svg = lineChart({
    title: "T & <x>",
    xLabel: "pairs",
    yLabel: "s",
    logX: true,
    logY: true,
    linearGuide: true,
    series: [
      { label: "a", points: [[1e3, 0.1], [1e4, 1], [1e5, 12]] },
      { label: "b", points: [[1e3, 0.2], [1e4, 0], [1e5, 3]] },
    ],
  });
  assert.equal(svg.match(/<polyline/g)?.length, 2);
  assert.equal(svg.match(/<circle/g)?.length, 5, "the zero cannot sit on a log axis");
  assert.ok(svg.includes("T &amp; &lt;x&gt;"));
  assert.ok(svg.includes('stroke-dasharray="5 4"'));
  assert.ok(svg.includes(">linear</text>"));
  assert.ok(!svg.includes("NaN"));
});

Deno.test("lineChart() says so when there is nothing to draw", () => {
  assert.match(lineChart({ title: "E", xLabel: "", yLabel: "", series: [] }), /E: no data/);
});

Deno.test("tickText() abbreviates thousands and millions", () => {
  assert.deepEqual([1e3, 3e5, 1e6, 0.5].map(tickText), ["1k", "300k", "1M", "0.5"]);
});

Deno.test("renderPlots() makes the growth plots from a growth report", () => {
  const p = (n: number) => ({
    n,
    backend: "cpu",
    buckets: 1024,
    dim: 8,
    load_s: 0.1,
    score_s: n / 1e4,
    train_s: n / 5e3,
    feature_bytes: n * 100,
    peak_rss_mib: 50 + n / 1e3,
  });
  const plots = renderPlots({
    basePairs: 10,
    pairs: { cpu: [p(1e3), p(1e4)] },
    buckets: [p(1e3)],
    dim: [p(1e3)],
    pool: [{ n: 1e3, write_s: 1, current_labels_s: 0.1, sql_s: 0.01, file_mib: 1 }],
    exponents: {},
    skipped: [],
  }, []);
  assert.deepEqual(Object.keys(plots).sort(), [
    "growth_buckets.svg",
    "growth_dim.svg",
    "growth_memory.svg",
    "growth_pairs.svg",
    "growth_pool.svg",
  ]);
});
