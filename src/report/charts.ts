/**
 * The report's progress plots as hand-written SVG: accuracy per iteration and pool growth
 * (`quality_charts.ts` has self-label precision and calibration).
 *
 * @module
 */
import type { IterationRecord, RunMetrics } from "./metrics.ts";
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
  ticks,
  ticksCovering,
} from "./svg.ts";

const F = DEFAULT_FRAME;
const X0 = F.left, X1 = F.width - F.right, Y0 = F.height - F.bottom, Y1 = F.top;

/** @returns The x scale and ticks of an iteration axis. */

export function iterationAxis(iterations: IterationRecord[]) {
  const last = Math.max(0, ...iterations.map((r) => r.iteration));
  const x = linear([-0.5, last + 0.5], [X0, X1]);
  const every = Math.max(1, Math.ceil((last + 1) / 12));
  const xTicks = iterations.filter((r) => r.iteration % every === 0)
    .map((r) => ({ value: r.iteration, label: String(r.iteration) }));
  return { x, xTicks, last };
}

/** @returns An SVG path through the points. */
export function linePath(points: [number, number][]): string {
  return points.map(([x, y], i) => `${i ? "L" : "M"}${x.toFixed(1)} ${y.toFixed(1)}`).join(" ");
}

/**
 * Test (and validation) accuracy per iteration, with the seed-only and all-labels levels as
 * horizontal lines where known, and the kept iteration marked.
 *
 * @param m The run metrics.
 * @returns An `<svg>` element as a string (class `chart-accuracy`).
 */
export function accuracyChart(m: RunMetrics): string {
  const its = m.iterations;
  const { x, xTicks } = iterationAxis(its);
  const seedOnly = m.baselines?.seedOnly ?? (m.mode === "ser" ? its[0]?.testAccuracy : null);
  const allLabels = m.baselines?.allLabels ?? null;
  const values = its.flatMap((r) => [r.testAccuracy ?? NaN, r.validationAccuracy ?? NaN]);
  if (seedOnly != null) values.push(seedOnly);
  if (allLabels != null) values.push(allLabels);
  const [lo, hi] = paddedDomain(values);
  const y = linear([lo, hi], [Y0, Y1]);
  const parts = [open(F, "Test accuracy per iteration", "chart-accuracy")];
  parts.push(axes({
    frame: F,
    x,
    y,
    xTicks,
    yTicks: ticks(lo, hi, 5),
    yFormat: (v) => pct(v, 0),
    xLabel: "iteration",
    yLabel: "pairwise accuracy",
  }));
  const items: LegendItem[] = [];
  const level = (v: number, color: string, name: string) => {
    const yy = y(v).toFixed(1);
    parts.push(
      `<line class="level" x1="${X0}" x2="${X1}" y1="${yy}" y2="${yy}" stroke="${color}" stroke-width="1.5" stroke-dasharray="6 4"/>`,
    );
    parts.push(
      `<text x="${X1 - 4}" y="${Number(yy) - 5}" text-anchor="end" class="label" fill="${color}">${
        esc(`${name} ${pct(v)}`)
      }</text>`,
    );
    items.push({ name, color, kind: "dash" });
  };
  if (seedOnly != null) level(seedOnly, COLORS.seedOnly, "seed-only");
  if (allLabels != null) level(allLabels, COLORS.allLabels, "all-labels");
  const series = (key: "testAccuracy" | "validationAccuracy", color: string, dashed: boolean) => {
    const pts = its.filter((r) => r[key] != null).map((r) =>
      [x(r.iteration), y(r[key]!)] as [number, number]
    );
    if (pts.length === 0) return;
    parts.push(
      `<path class="series" d="${linePath(pts)}" fill="none" stroke="${color}" stroke-width="2.5"${
        dashed ? ' stroke-dasharray="4 3"' : ""
      }/>`,
    );
    for (const [px, py] of pts) {
      parts.push(`<circle cx="${px.toFixed(1)}" cy="${py.toFixed(1)}" r="3.5" fill="${color}"/>`);
    }
  };
  series("validationAccuracy", COLORS.validation, true);
  series("testAccuracy", COLORS.ser, false);
  items.unshift(
    { name: "test", color: COLORS.ser, kind: "line" },
    { name: "validation", color: COLORS.validation, kind: "dash" },
  );
  const kept = its.find((r) => r.iteration === m.final?.iteration);
  if (kept?.testAccuracy != null) {
    const cx = x(kept.iteration).toFixed(1), cy = y(kept.testAccuracy).toFixed(1);
    parts.push(
      `<circle class="kept" cx="${cx}" cy="${cy}" r="8" fill="none" stroke="${COLORS.ser}" stroke-width="2"/>`,
    );
    parts.push(
      `<text x="${cx}" y="${Number(cy) - 13}" text-anchor="middle" class="label">${
        esc(`kept ${pct(kept.testAccuracy)}`)
      }</text>`,
    );
  }
  parts.push(legend(F, items), "</svg>");
  return parts.join("\n");
}

/** The pool-composition keys in stacking order, with their legend names. */
const POOL_KEYS: [string, string, string][] = [
  ["human", "human labels", COLORS.human],
  ["status1", "self: status 1", COLORS.status1],
  ["status2", "self: status 2", COLORS.status2],
  ["top_k", "self: top-k", COLORS.top_k],
];

/**
 * The labelled pool's size after each iteration, stacked by origin and learning status.
 *
 * @param m The run metrics.
 * @returns An `<svg>` element as a string (class `chart-pool`).
 */
export function poolChart(m: RunMetrics): string {
  const its = m.iterations;
  const { x, xTicks } = iterationAxis(its);
  const keys = POOL_KEYS.filter(([k]) => its.some((r) => (r.poolByRule[k] ?? 0) > 0));
  const hi = Math.max(1, ...its.map((r) => r.poolSize));
  const yt = ticksCovering(hi, 5);
  const top = yt[yt.length - 1];
  const y = linear([0, top], [Y0, Y1]);
  const parts = [open(F, "Labelled pool by origin and status", "chart-pool")];
  parts.push(axes({
    frame: F,
    x,
    y,
    xTicks,
    yTicks: yt,
    yFormat: (v) => v >= 1000 ? `${v / 1000}k` : String(v),
    xLabel: "iteration",
    yLabel: "labelled pairs",
  }));
  const w = Math.min(40, (x(1) - x(0)) * 0.6);
  for (const r of its) {
    let base = 0;
    for (const [k, name, color] of keys) {
      const v = r.poolByRule[k] ?? 0;
      if (v <= 0) continue;
      const yTop = y(base + v), yBot = y(base);
      parts.push(
        `<rect class="bar" x="${(x(r.iteration) - w / 2).toFixed(1)}" y="${
          yTop.toFixed(1)
        }" width="${w.toFixed(1)}" height="${(yBot - yTop).toFixed(1)}" fill="${color}"><title>${
          esc(`iteration ${r.iteration}: ${name} ${v}`)
        }</title></rect>`,
      );
      base += v;
    }
  }
  parts.push(legend(F, keys.map(([, name, color]) => ({ name, color, kind: "box" }))), "</svg>");
  return parts.join("\n");
}
