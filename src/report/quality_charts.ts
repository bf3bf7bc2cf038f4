/**
 * The report's quality plots as hand-written SVG: self-label precision against gold and the
 * reliability diagram.
 *
 * @module
 */
import type { ReliabilityBin, RunMetrics } from "./metrics.ts";
import { iterationAxis, linePath } from "./charts.ts";
import { axes, COLORS, DEFAULT_FRAME, esc, legend, linear, open, pct, ticks } from "./svg.ts";

const F = DEFAULT_FRAME;
const X0 = F.left, X1 = F.width - F.right, Y0 = F.height - F.bottom, Y1 = F.top;

/**
 * Agreement of each iteration's self-labels with the hidden gold labels, beside the validation
 * accuracy of the model that produced them (the previous iteration's).
 *
 * @param m The run metrics.
 * @returns An `<svg>` element as a string (class `chart-precision`).
 */
export function precisionChart(m: RunMetrics): string {
  const its = m.iterations.filter((r) => r.iteration > 0);
  const { x, xTicks } = iterationAxis(m.iterations);
  const y = linear([0.4, 1], [Y0, Y1]);
  const parts = [open(F, "Self-label precision against gold", "chart-precision")];
  parts.push(axes({
    frame: F,
    x,
    y,
    xTicks: xTicks.filter((t) => t.value > 0),
    yTicks: ticks(0.4, 1, 6),
    yFormat: (v) => pct(v, 0),
    xLabel: "iteration",
    yLabel: "share agreeing with gold",
  }));
  const withGold = its.filter((r) => r.selfLabelPrecision != null);
  if (withGold.length === 0) {
    parts.push(
      `<text x="${(X0 + X1) / 2}" y="${(Y0 + Y1) / 2}" text-anchor="middle" class="axis-title">${
        its.length ? "no gold labels: precision unknown" : "no self-labelling iteration ran"
      }</text>`,
    );
  }
  const w = Math.min(36, (x(1) - x(0)) * 0.55);
  for (const r of withGold) {
    const v = r.selfLabelPrecision!;
    const yTop = y(Math.max(0.4, v));
    parts.push(
      `<rect class="bar" x="${(x(r.iteration) - w / 2).toFixed(1)}" y="${yTop.toFixed(1)}" width="${
        w.toFixed(1)
      }" height="${(Y0 - yTop).toFixed(1)}" fill="${COLORS.precision}" opacity="0.85"><title>${
        esc(`iteration ${r.iteration}: ${r.selected} self-labels, ${pct(v)} agree with gold`)
      }</title></rect>`,
    );
    parts.push(
      `<text x="${x(r.iteration).toFixed(1)}" y="${
        (yTop - 4).toFixed(1)
      }" text-anchor="middle" class="label">${pct(v, 0)}</text>`,
    );
  }
  const prev = its.map((r) => {
    const p = m.iterations.find((q) => q.iteration === r.iteration - 1);
    return p?.validationAccuracy == null ? null : [x(r.iteration), y(p.validationAccuracy)];
  }).filter((p): p is [number, number] => p !== null);
  if (prev.length) {
    parts.push(
      `<path class="series" d="${
        linePath(prev)
      }" fill="none" stroke="${COLORS.validation}" stroke-width="2" stroke-dasharray="4 3"/>`,
    );
    for (const [px, py] of prev) {
      parts.push(
        `<circle cx="${px.toFixed(1)}" cy="${py.toFixed(1)}" r="3" fill="${COLORS.validation}"/>`,
      );
    }
  }
  parts.push(
    legend(F, [
      { name: "self-labels agreeing with gold", color: COLORS.precision, kind: "box" },
      { name: "labelling model's validation accuracy", color: COLORS.validation, kind: "dash" },
    ]),
    "</svg>",
  );
  return parts.join("\n");
}

/**
 * Reliability diagram of the kept model on the test split: accuracy per confidence bin against
 * the diagonal of perfect calibration.
 *
 * @param bins The reliability bins.
 * @param ece The expected calibration error shown in the title (optional).
 * @returns An `<svg>` element as a string (class `chart-reliability`).
 */
export function reliabilityChart(bins: ReliabilityBin[], ece?: number | null): string {
  const used = bins.filter((b) => b.count > 0);
  const lo = Math.min(0.5, ...used.map((b) => b.lo)), hi = Math.max(1, ...used.map((b) => b.hi));
  const x = linear([lo, hi], [X0, X1]);
  const y = linear([0, 1], [Y0, Y1]);
  const title = `Calibration on the test split${ece == null ? "" : ` (ECE ${pct(ece)})`}`;
  const parts = [open(F, title, "chart-reliability")];
  parts.push(axes({
    frame: F,
    x,
    y,
    xTicks: ticks(lo, hi, 5).map((v) => ({ value: v, label: pct(v, 0) })),
    yTicks: ticks(0, 1, 5),
    yFormat: (v) => pct(v, 0),
    xLabel: "predicted probability of the predicted side",
    yLabel: "observed accuracy",
  }));
  const total = bins.reduce((s, b) => s + b.count, 0) || 1;
  for (const b of bins) {
    if (b.count === 0 || b.accuracy === null || b.confidence === null) continue;
    const x0 = x(b.lo) + 1, x1 = x(b.hi) - 1, yTop = y(b.accuracy);
    parts.push(
      `<rect class="bar" x="${x0.toFixed(1)}" y="${yTop.toFixed(1)}" width="${
        (x1 - x0).toFixed(1)
      }" height="${(Y0 - yTop).toFixed(1)}" fill="${COLORS.ser}" opacity="${
        (0.35 + 0.65 * Math.sqrt(b.count / total)).toFixed(2)
      }"><title>${
        esc(
          `${pct(b.lo, 0)}-${pct(b.hi, 0)}: ${b.count} pairs, confidence ${
            pct(b.confidence)
          }, accuracy ${pct(b.accuracy)}`,
        )
      }</title></rect>`,
    );
    parts.push(
      `<circle cx="${x(b.confidence).toFixed(1)}" cy="${
        y(b.confidence).toFixed(1)
      }" r="2.5" fill="${COLORS.axis}"/>`,
    );
  }
  parts.push(
    `<line class="diagonal" x1="${x(lo)}" y1="${y(lo)}" x2="${x(hi)}" y2="${
      y(hi)
    }" stroke="${COLORS.axis}" stroke-width="1.5" stroke-dasharray="5 4"/>`,
  );
  parts.push(
    legend(F, [
      { name: "accuracy per bin (shade: share of pairs)", color: COLORS.ser, kind: "box" },
      { name: "perfect calibration", color: COLORS.axis, kind: "dash" },
    ]),
    "</svg>",
  );
  return parts.join("\n");
}
