/**
 * The headroom plot: test accuracy at shares of the seed, the fitted learning curve on a log
 * label axis up to all labels, the prediction there and (when measured) the all-labels figure.
 *
 * @module
 */
import type { HeadroomResult } from "./metrics.ts";
import {
  axes,
  COLORS,
  DEFAULT_FRAME,
  esc,
  legend,
  type LegendItem,
  linear,
  open,
  paddedDomain,
  pct,
} from "./svg.ts";
import { linePath } from "./charts.ts";

const F = DEFAULT_FRAME;

/**
 * @param h The headroom result.
 * @returns An `<svg>` element as a string (class `chart-headroom`).
 * @example
 * ```ts
 * import { headroomChart } from "./headroom_chart.ts";
 * const svg = headroomChart({ points: [{ fraction: 0.5, labels: 50, mean: 0.6, runs: [0.6] },
 *   { fraction: 1, labels: 100, mean: 0.63, runs: [0.63] }], fit: { form: "log",
 *   params: [0.2, 0.0933] }, allLabels: 1000, predictedAllLabels: 0.84, seedAccuracy: 0.63,
 *   predictedGain: 0.21, measuredAllLabels: 0.8, seconds: 1 });
 * if (!svg.includes("chart-headroom") || !svg.includes("<path")) throw new Error();
 * ```
 */
export function headroomChart(h: HeadroomResult): string {
  const lo = Math.log(Math.max(1, Math.min(...h.points.map((p) => p.labels))));
  const hi = Math.log(Math.max(h.allLabels, 2));
  const x = linear([lo, hi], [F.left, F.width - F.right]);
  const ys = [
    ...h.points.flatMap((p) => p.runs),
    h.predictedAllLabels,
    ...(h.measuredAllLabels != null ? [h.measuredAllLabels] : []),
  ];
  const [y0, y1] = paddedDomain(ys, 0.1, 0.01);
  const y = linear([y0, y1], [F.height - F.bottom, F.top]);
  const curve = (n: number) => {
    const [a, b, c] = h.fit.params;
    const v = h.fit.form === "log"
      ? a + b * Math.log(n)
      : h.fit.form === "logit"
      ? 1 / (1 + Math.exp(-(a + b * Math.log(n))))
      : a - b * n ** -c;
    return Math.min(1, Math.max(0, v));
  };
  const parts = [open(F, "Headroom: learning curve over the seed", "chart-headroom")];
  const xt = [...new Set([...h.points.map((p) => p.labels), h.allLabels])];
  parts.push(axes({
    frame: F,
    x,
    y,
    xTicks: xt.map((n) => ({ value: Math.log(n), label: String(n) })),
    yTicks: [y0, (y0 + y1) / 2, y1],
    yFormat: (v) => pct(v, 1),
    xLabel: "labels (log scale)",
    yLabel: "test accuracy",
  }));
  const line: [number, number][] = [];
  for (let i = 0; i <= 40; i++) {
    const l = lo + (hi - lo) * i / 40;
    line.push([x(l), y(curve(Math.exp(l)))]);
  }
  parts.push(
    `<path class="series" d="${
      linePath(line)
    }" fill="none" stroke="${COLORS.ser}" stroke-width="2" stroke-dasharray="5 3"/>`,
  );
  for (const p of h.points) {
    for (const r of p.runs) {
      parts.push(
        `<circle cx="${x(Math.log(p.labels)).toFixed(1)}" cy="${
          y(r).toFixed(1)
        }" r="3" fill="${COLORS.seedOnly}"><title>${
          esc(`${p.labels} labels: ${pct(r)}`)
        }</title></circle>`,
      );
    }
  }
  parts.push(
    `<circle cx="${x(hi).toFixed(1)}" cy="${
      y(h.predictedAllLabels).toFixed(1)
    }" r="5" fill="${COLORS.ser}"><title>${
      esc(`predicted with all ${h.allLabels} labels: ${pct(h.predictedAllLabels)}`)
    }</title></circle>`,
  );
  const items: LegendItem[] = [
    { name: "seed shares", color: COLORS.seedOnly, kind: "box" },
    { name: `${h.fit.form} fit and prediction`, color: COLORS.ser, kind: "dash" },
  ];
  if (h.measuredAllLabels != null) {
    parts.push(
      `<rect x="${(x(hi) - 5).toFixed(1)}" y="${
        (y(h.measuredAllLabels) - 5).toFixed(1)
      }" width="10" height="10" fill="${COLORS.allLabels}"><title>${
        esc(`measured all-labels: ${pct(h.measuredAllLabels)}`)
      }</title></rect>`,
    );
    items.push({ name: "measured all-labels", color: COLORS.allLabels, kind: "box" });
  }
  parts.push(legend(F, items), "</svg>");
  return parts.join("\n");
}
