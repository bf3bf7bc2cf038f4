/**
 * `report.html`: a self-contained page (inline CSS and SVG, no scripts) with the run's summary,
 * its four plots and the iteration table.
 *
 * @module
 */
import { accuracyChart, poolChart } from "./charts.ts";
import { precisionChart, reliabilityChart } from "./quality_charts.ts";
import { STOP_REASON_TEXT } from "./markdown.ts";
import type { RunMetrics } from "./metrics.ts";
import { esc, pct } from "./svg.ts";
import { headroomChart } from "./headroom_chart.ts";

const CSS = `
*{box-sizing:border-box}
body{margin:0;background:#f3f4f6;color:#111827;font:14px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
main{max-width:1200px;margin:0 auto;padding:28px 24px 40px}
h1{font-size:24px;margin:0 0 4px}
.sub{color:#6b7280;margin:0 0 20px}
.stats{display:grid;grid-template-columns:repeat(auto-fit,minmax(170px,1fr));gap:12px;margin-bottom:20px}
.stat{background:#fff;border-radius:10px;padding:12px 16px;box-shadow:0 1px 2px rgba(0,0,0,.06)}
.stat .k{color:#6b7280;font-size:12px;text-transform:uppercase;letter-spacing:.04em}
.stat .v{font-size:22px;font-weight:650;margin-top:2px}
.stat .n{color:#6b7280;font-size:12px}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(560px,1fr));gap:16px}
.card{background:#fff;border-radius:10px;padding:8px;box-shadow:0 1px 2px rgba(0,0,0,.06)}
.card svg{display:block;width:100%;height:auto}
table{border-collapse:collapse;width:100%;background:#fff;border-radius:10px;overflow:hidden;
  box-shadow:0 1px 2px rgba(0,0,0,.06);margin-top:20px;font-variant-numeric:tabular-nums}
th,td{padding:7px 10px;text-align:right;border-bottom:1px solid #f0f0f0}
th{background:#f9fafb;font-weight:600;color:#374151}
td:nth-child(2),th:nth-child(2){text-align:left}
tr.kept td{background:#eff6ff;font-weight:600}
.note{color:#6b7280;font-size:12.5px;margin-top:12px}
`;

function _stat(k: string, v: string, note = ""): string {
  return `<div class="stat"><div class="k">${esc(k)}</div><div class="v">${esc(v)}</div>` +
    `<div class="n">${esc(note)}</div></div>`;
}

/**
 * Renders the run's HTML report.
 *
 * @param m The run metrics.
 * @param title The page title (e.g. the pipeline name).
 * @returns A complete HTML document.
 * @example
 * ```ts
 * import { renderHtml } from "./html.ts";
 * const html = renderHtml({ stopReason: "seed-only", mode: "seed-only", humanLabels: 10,
 *   iterations: [], final: null }, "demo");
 * if (!html.includes("<svg") || html.includes("<script")) throw new Error();
 * ```
 */
export function renderHtml(m: RunMetrics, title: string): string {
  const f = m.final;
  const first = m.iterations[0];
  const kept = m.iterations.find((r) => r.iteration === f?.iteration);
  const gain = f?.testAccuracy != null && first?.testAccuracy != null && m.mode === "ser"
    ? (f.testAccuracy - first.testAccuracy) * 100
    : null;
  const stats = [
    _stat(
      "Test accuracy",
      pct(f?.testAccuracy),
      gain === null ? "" : `${gain >= 0 ? "+" : ""}${gain.toFixed(1)} pts over iteration 0`,
    ),
    _stat(
      "Kept iteration",
      f ? String(f.iteration) : "n/a",
      `validation ${pct(f?.validationAccuracy)}`,
    ),
    _stat(
      "Test ECE",
      pct(kept?.calibratedEce ?? null),
      `calibrated on validation; raw ${pct(kept?.ece ?? null)}`,
    ),
    _stat("Human labels", String(m.humanLabels), `mode ${m.mode}`),
    _stat("Self-labels", String(f?.selfLabels ?? 0), `in the kept model's training set`),
    _stat(
      "Stopped",
      m.stopReason ?? "running",
      m.stopReason ? (STOP_REASON_TEXT[m.stopReason] ?? "") : "",
    ),
  ];
  const rows = m.iterations.map((r) =>
    `<tr${r.iteration === f?.iteration ? ' class="kept"' : ""}><td>${r.iteration}</td><td>${
      esc(r.status)
    }</td><td>${r.scored}</td><td>${r.selected}</td><td>${r.newPairs}</td><td>${r.poolSize}</td><td>${
      pct(r.validationAccuracy)
    }</td><td>${pct(r.testAccuracy)}</td><td>${
      r.testLoss === null ? "n/a" : r.testLoss.toFixed(4)
    }</td><td>${pct(r.ece)}</td><td>${pct(r.calibratedEce ?? null)}</td><td>${
      pct(r.selfLabelPrecision)
    }</td></tr>`
  );
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(title)}: serflow report</title><style>${CSS}</style></head>
<body><main>
<h1>${esc(title)}</h1>
<p class="sub">Self-evolving reward model (SER): train on a human seed, self-label confident pairs, retrain.</p>
<section class="stats">${stats.join("")}</section>
<section class="grid">
<div class="card">${accuracyChart(m)}</div>
<div class="card">${poolChart(m)}</div>
<div class="card">${precisionChart(m)}</div>
<div class="card">${reliabilityChart(kept?.reliability ?? [], kept?.ece)}</div>
${m.headroom ? `<div class="card">${headroomChart(m.headroom)}</div>` : ""}
</section>
${
    (m.regressions ?? []).map((w) =>
      `<p class="note">Warning: iteration ${
        w[0]
      }, trained on more labels, is worse on validation than iteration ${w[1]}.</p>`
    ).join("\n")
  }
<table><thead><tr><th>iteration</th><th>status</th><th>scored</th><th>selected</th><th>new</th><th>pool</th>
<th>validation acc</th><th>test acc</th><th>test loss</th><th>ECE raw</th><th>ECE calibrated</th><th>self-label precision</th></tr></thead>
<tbody>${rows.join("\n")}</tbody></table>
<p class="note">Validation accuracy (human labels) chooses the kept model (highlighted) and drives early stopping;
the test split is only reported. Self-label precision compares self-labels with hidden gold labels, which never
reach training.</p>
</main></body></html>
`;
}
