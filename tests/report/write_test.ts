import assert from "node:assert/strict";
import { join } from "node:path";
import { writeReports } from "../../src/report/write.ts";
import { sampleMetrics } from "./_metrics.ts";

const count = (s: string, re: RegExp) => (s.match(re) ?? []).length;

Deno.test("writeReports() writes metrics.json with the documented keys", async () => {
  const dir = await Deno.makeTempDir();
  const paths = await writeReports(dir, sampleMetrics(), { title: "demo" });
  assert.deepEqual(paths, ["metrics.json", "report.md", "report.html"].map((f) => join(dir, f)));
  const m = JSON.parse(await Deno.readTextFile(join(dir, "metrics.json")));
  assert.equal(m.stopReason, "patience");
  for (
    const key of [
      "iteration",
      "status",
      "selected",
      "poolSize",
      "validationAccuracy",
      "testAccuracy",
      "testLoss",
      "ece",
      "selfLabelPrecision",
    ]
  ) {
    assert.ok(key in m.iterations[0], `iterations[].${key}`);
  }
  assert.equal(m.iterations[0].selfLabelPrecision, null);
  assert.equal(m.final.testAccuracy, 0.65);
  assert.equal(m.final.iterations, 2);
});

Deno.test("writeReports() renders the four SVG plots in a self-contained HTML page", async () => {
  const dir = await Deno.makeTempDir();
  await writeReports(dir, sampleMetrics(), { title: "demo <run>" });
  const html = await Deno.readTextFile(join(dir, "report.html"));
  assert.ok(!/<script|<link|src="http/i.test(html), "no scripts or external resources");
  assert.ok(html.includes("<title>demo &lt;run&gt;: serflow report</title>"));
  for (const cls of ["chart-accuracy", "chart-pool", "chart-precision", "chart-reliability"]) {
    assert.equal(count(html, new RegExp(`<svg[^>]*class="${cls}"`, "g")), 1, cls);
  }
  const svg = (cls: string) => html.slice(html.indexOf(`class="${cls}"`)).split("</svg>")[0];
  // Accuracy: test and validation lines, seed-only and all-labels levels, the kept marker.
  assert.equal(count(svg("chart-accuracy"), /<path class="series"/g), 2);
  assert.equal(count(svg("chart-accuracy"), /<line class="level"/g), 2);
  assert.ok(svg("chart-accuracy").includes("all-labels 70.0%"));
  assert.ok(svg("chart-accuracy").includes("kept 65.0%"));
  // Pool: one bar per iteration for human labels, plus one per self-labelling iteration.
  assert.equal(count(svg("chart-pool"), /<rect class="bar"/g), 3 + 2);
  // Precision: a bar for each self-labelling iteration.
  assert.equal(count(svg("chart-precision"), /<rect class="bar"/g), 2);
  // Reliability: a bar per non-empty bin and the diagonal.
  assert.equal(count(svg("chart-reliability"), /<rect class="bar"/g), 5);
  assert.equal(count(svg("chart-reliability"), /<line class="diagonal"/g), 1);
  // The kept iteration's row is highlighted in the table.
  assert.equal(count(html, /<tr class="kept"><td>1<\/td>/g), 1);
});

Deno.test("writeReports() writes a Markdown table row per iteration and only the asked formats", async () => {
  const dir = await Deno.makeTempDir();
  await writeReports(dir, sampleMetrics(), { title: "demo", formats: ["md"] });
  const md = await Deno.readTextFile(join(dir, "report.md"));
  assert.ok(md.startsWith("# demo\n"));
  assert.ok(md.includes("**Test accuracy: 65.0%** (iteration 0, seed only: 61.0%)"));
  assert.equal(count(md, /^\| \d/gm), 3);
  assert.ok(md.includes("| 1 **(kept)** | status1 |"));
  await assert.rejects(() => Deno.stat(join(dir, "report.html")), Deno.errors.NotFound);
});

Deno.test("writeReports() copes with a run without self-labelling or gold labels", async () => {
  const m = sampleMetrics();
  m.iterations = m.iterations.slice(0, 1);
  m.final = { ...m.final!, iteration: 0, iterations: 0 };
  delete m.baselines;
  const dir = await Deno.makeTempDir();
  await writeReports(dir, m, { title: "demo" });
  const html = await Deno.readTextFile(join(dir, "report.html"));
  assert.ok(html.includes("no self-labelling iteration ran"));
  // Without compare results, iteration 0 stands for the seed-only level.
  assert.ok(html.includes("seed-only 61.0%"));
  assert.ok(!html.includes("NaN"));
});
