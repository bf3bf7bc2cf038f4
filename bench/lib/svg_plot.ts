/**
 * Hand-written SVG line charts (no libraries) for the cost-growth plots: log or linear axes,
 * several series with markers, a dashed "linear growth" guide, legend and labels.
 *
 * @module
 */

/** One line of a chart. */
export interface Series {
  label: string;
  points: [number, number][];
}

/** A chart to draw. */
export interface ChartSpec {
  title: string;
  xLabel: string;
  yLabel: string;
  series: Series[];
  logX?: boolean;
  logY?: boolean;
  /** Draw a dashed slope-1 line through the first point of the first series (log-log only). */
  linearGuide?: boolean;
  width?: number;
  height?: number;
}

const COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b"];

function esc(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/**
 * Formats a tick value compactly (1k, 2.5M, 0.01).
 *
 * @param v The value.
 * @returns Short text.
 * @example
 * ```ts
 * import { tickText } from "./svg_plot.ts";
 * if (tickText(1000) !== "1k" || tickText(2500000) !== "2.5M" || tickText(0.01) !== "0.01") throw new Error();
 * ```
 */
export function tickText(v: number): string {
  const a = Math.abs(v);
  const trim = (x: number) => String(Number(x.toPrecision(3)));
  if (a >= 1e9) return trim(v / 1e9) + "G";
  if (a >= 1e6) return trim(v / 1e6) + "M";
  if (a >= 1e3) return trim(v / 1e3) + "k";
  return trim(v);
}

function ticks(lo: number, hi: number, log: boolean): number[] {
  if (log) {
    const out: number[] = [];
    for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) {
      for (const m of [1, 2, 5]) {
        const v = m * 10 ** e;
        if (v >= lo * 0.999 && v <= hi * 1.001) out.push(v);
      }
    }
    return out;
  }
  const step = 10 ** Math.floor(Math.log10((hi - lo) / 4 || 1));
  const nice = [1, 2, 5, 10].map((m) => m * step).find((s) => (hi - lo) / s <= 6) ?? step * 10;
  const out: number[] = [];
  for (let v = Math.ceil(lo / nice) * nice; v <= hi + 1e-12; v += nice) {
    out.push(Number(v.toPrecision(12)));
  }
  return out;
}

/**
 * Draws a chart.
 *
 * @param c The chart.
 * @returns SVG text.
 * @example
 * ```ts
 * import { lineChart } from "./svg_plot.ts";
 * const svg = lineChart({ title: "t", xLabel: "x", yLabel: "y", logX: true, logY: true,
 *   series: [{ label: "a", points: [[1, 1], [10, 12], [100, 150]] }] });
 * if (!svg.startsWith("<svg") || !svg.includes("<polyline")) throw new Error();
 * ```
 */
export function lineChart(c: ChartSpec): string {
  const W = c.width ?? 640, H = c.height ?? 400;
  const L = 70, R = 170, T = 40, B = 55;
  const pts = c.series.flatMap((s) => s.points).filter(([x, y]) =>
    Number.isFinite(x) && Number.isFinite(y) && (!c.logX || x > 0) && (!c.logY || y > 0)
  );
  if (pts.length === 0) {
    return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}"><text x="20" y="40">${
      esc(c.title)
    }: no data</text></svg>\n`;
  }
  let [x0, x1] = [Math.min(...pts.map((p) => p[0])), Math.max(...pts.map((p) => p[0]))];
  let [y0, y1] = [Math.min(...pts.map((p) => p[1])), Math.max(...pts.map((p) => p[1]))];
  if (c.logY) [y0, y1] = [y0 / 1.3, y1 * 1.3];
  else [y0, y1] = [Math.min(0, y0), y1 * 1.1 || 1];
  if (x0 === x1) [x0, x1] = c.logX ? [x0 / 2, x1 * 2] : [x0 - 1, x1 + 1];
  const f = (v: number, lo: number, hi: number, log?: boolean) =>
    log ? (Math.log(v) - Math.log(lo)) / (Math.log(hi) - Math.log(lo)) : (v - lo) / (hi - lo);
  const X = (v: number) => L + f(v, x0, x1, c.logX) * (W - L - R);
  const Y = (v: number) => H - B - f(v, y0, y1, c.logY) * (H - T - B);
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${
      W / 2 - R / 2 + L / 2
    }" y="22" text-anchor="middle" font-size="14" font-weight="bold">${esc(c.title)}</text>`,
  ];
  for (const v of ticks(x0, x1, !!c.logX)) {
    out.push(
      `<line x1="${X(v)}" x2="${X(v)}" y1="${T}" y2="${H - B}" stroke="#eee"/>`,
      `<text x="${X(v)}" y="${H - B + 16}" text-anchor="middle">${tickText(v)}</text>`,
    );
  }
  for (const v of ticks(y0, y1, !!c.logY)) {
    out.push(
      `<line x1="${L}" x2="${W - R}" y1="${Y(v)}" y2="${Y(v)}" stroke="#eee"/>`,
      `<text x="${L - 6}" y="${Y(v) + 4}" text-anchor="end">${tickText(v)}</text>`,
    );
  }
  out.push(
    `<rect x="${L}" y="${T}" width="${W - L - R}" height="${
      H - T - B
    }" fill="none" stroke="#444"/>`,
    `<text x="${L + (W - L - R) / 2}" y="${H - 12}" text-anchor="middle">${esc(c.xLabel)}</text>`,
    `<text transform="translate(16 ${T + (H - T - B) / 2}) rotate(-90)" text-anchor="middle">${
      esc(c.yLabel)
    }</text>`,
  );
  const first = c.series[0]?.points.find(([x, y]) => x > 0 && y > 0);
  if (c.linearGuide && c.logX && c.logY && first) {
    const k = first[1] / first[0];
    out.push(
      `<line x1="${X(x0)}" y1="${Y(Math.max(k * x0, y0))}" x2="${X(Math.min(x1, y1 / k))}" y2="${
        Y(Math.min(k * x1, y1))
      }" stroke="#999" stroke-dasharray="5 4"/>`,
    );
  }
  c.series.forEach((s, i) => {
    const col = COLORS[i % COLORS.length];
    const ps = s.points.filter(([x, y]) =>
      Number.isFinite(x) && Number.isFinite(y) && (!c.logX || x > 0) && (!c.logY || y > 0)
    );
    const coords = ps.map(([x, y]) => `${X(x).toFixed(1)},${Y(y).toFixed(1)}`).join(" ");
    out.push(`<polyline points="${coords}" fill="none" stroke="${col}" stroke-width="2"/>`);
    for (const [x, y] of ps) {
      out.push(`<circle cx="${X(x).toFixed(1)}" cy="${Y(y).toFixed(1)}" r="3" fill="${col}"/>`);
    }
    const ly = T + 10 + i * 18;
    out.push(
      `<line x1="${W - R + 12}" x2="${
        W - R + 32
      }" y1="${ly}" y2="${ly}" stroke="${col}" stroke-width="2"/>`,
      `<text x="${W - R + 38}" y="${ly + 4}">${esc(s.label)}</text>`,
    );
  });
  if (c.linearGuide && c.logX && c.logY) {
    const ly = T + 10 + c.series.length * 18;
    out.push(
      `<line x1="${W - R + 12}" x2="${
        W - R + 32
      }" y1="${ly}" y2="${ly}" stroke="#999" stroke-dasharray="5 4"/>`,
      `<text x="${W - R + 38}" y="${ly + 4}">linear</text>`,
    );
  }
  out.push("</svg>");
  return out.join("\n") + "\n";
}
