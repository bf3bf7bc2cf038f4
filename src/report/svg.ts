/**
 * Small helpers for hand-written SVG plots: escaping, linear scales, tick choice, axes and
 * legends. No dependencies; every chart is a string of SVG markup.
 *
 * @module
 */

/** The palette shared by the plots (colour-blind friendly, readable on white). */
export const COLORS = {
  ser: "#2563eb",
  validation: "#60a5fa",
  seedOnly: "#6b7280",
  allLabels: "#16a34a",
  human: "#94a3b8",
  status1: "#f59e0b",
  status2: "#8b5cf6",
  top_k: "#0d9488",
  precision: "#db2777",
  grid: "#e5e7eb",
  axis: "#374151",
  text: "#111827",
  muted: "#6b7280",
} as const;

/** Plot area of a chart: outer size and margins in pixels. */
export interface Frame {
  width: number;
  height: number;
  left: number;
  right: number;
  top: number;
  bottom: number;
}

/** The frame every chart uses unless told otherwise. */
export const DEFAULT_FRAME: Frame = {
  width: 560,
  height: 320,
  left: 56,
  right: 16,
  top: 40,
  bottom: 64,
};

/**
 * Escapes text for SVG/HTML content and attribute values.
 *
 * @param s Any text.
 * @returns The text with `& < > " '` escaped.
 * @example
 * ```ts
 * import { esc } from "./svg.ts";
 * if (esc("a<b & 'c'") !== "a&lt;b &amp; &#39;c&#39;") throw new Error();
 * ```
 */
export function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

const ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/**
 * @param domain Input interval.
 * @param range Output interval (pixels).
 * @returns A linear map from `domain` to `range` (a degenerate domain maps to the range's middle).
 */
export function linear(domain: [number, number], range: [number, number]): (v: number) => number {
  const [d0, d1] = domain, [r0, r1] = range;
  if (d1 === d0) return () => (r0 + r1) / 2;
  return (v) => r0 + (v - d0) / (d1 - d0) * (r1 - r0);
}

/**
 * Round tick values covering `[min, max]`, about `count` of them (steps of 1, 2 or 5 x 10^k).
 *
 * @param min Lower end.
 * @param max Upper end (>= min).
 * @param count Desired number of intervals.
 * @returns Ascending ticks from the first multiple of the step >= min to the last <= max.
 * @example
 * ```ts
 * import { ticks } from "./svg.ts";
 * if (ticks(0, 1, 5).join() !== "0,0.2,0.4,0.6,0.8,1") throw new Error();
 * ```
 */
export function ticks(min: number, max: number, count = 5): number[] {
  if (!(max > min)) return [min];
  const raw = (max - min) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const out: number[] = [];
  for (let v = Math.ceil(min / step - 1e-9) * step; v <= max + step * 1e-9; v += step) {
    out.push(Number(v.toFixed(10)));
  }
  return out;
}

/** @returns Ticks from 0 whose last value is the first tick at or above `hi` (> 0). */
export function ticksCovering(hi: number, count = 5): number[] {
  const t = ticks(0, hi, count);
  if (t[t.length - 1] < hi) {
    const step = t.length > 1 ? t[1] - t[0] : hi;
    t.push(Number((t[t.length - 1] + step).toFixed(10)));
  }
  return t;
}

/** @returns `[lo, hi]` padded by `pad` of the span and snapped outwards to `step`. */
export function paddedDomain(values: number[], pad = 0.1, step = 0.01): [number, number] {
  const finite = values.filter(Number.isFinite);
  if (finite.length === 0) return [0, 1];
  let lo = Math.min(...finite), hi = Math.max(...finite);
  const span = Math.max(hi - lo, step * 4);
  lo = Math.floor((lo - span * pad) / step) * step;
  hi = Math.ceil((hi + span * pad) / step) * step;
  return [Number(lo.toFixed(10)), Number(hi.toFixed(10))];
}

/** Formats a share as a percentage with `digits` decimals ("61.3%"). */
export function pct(v: number | null | undefined, digits = 1): string {
  return v === null || v === undefined || !Number.isFinite(v)
    ? "n/a"
    : `${(v * 100).toFixed(digits)}%`;
}

/** Options of `axes`. */
export interface AxesOptions {
  frame: Frame;
  x: (v: number) => number;
  y: (v: number) => number;
  xTicks: { value: number; label: string }[];
  yTicks: number[];
  yFormat: (v: number) => string;
  xLabel: string;
  yLabel: string;
}

/** @returns Grid lines, axis lines, tick labels and axis titles. */
export function axes(o: AxesOptions): string {
  const f = o.frame;
  const x0 = f.left, x1 = f.width - f.right, y0 = f.height - f.bottom, y1 = f.top;
  const parts: string[] = [];
  for (const t of o.yTicks) {
    const y = o.y(t).toFixed(1);
    parts.push(`<line x1="${x0}" x2="${x1}" y1="${y}" y2="${y}" stroke="${COLORS.grid}"/>`);
    parts.push(
      `<text x="${x0 - 6}" y="${y}" text-anchor="end" dominant-baseline="middle" class="tick">${
        esc(o.yFormat(t))
      }</text>`,
    );
  }
  for (const t of o.xTicks) {
    const x = o.x(t.value).toFixed(1);
    parts.push(
      `<text x="${x}" y="${y0 + 16}" text-anchor="middle" class="tick">${esc(t.label)}</text>`,
    );
  }
  parts.push(`<line x1="${x0}" x2="${x1}" y1="${y0}" y2="${y0}" stroke="${COLORS.axis}"/>`);
  parts.push(`<line x1="${x0}" x2="${x0}" y1="${y0}" y2="${y1}" stroke="${COLORS.axis}"/>`);
  parts.push(
    `<text x="${(x0 + x1) / 2}" y="${y0 + 34}" text-anchor="middle" class="axis-title">${
      esc(o.xLabel)
    }</text>`,
  );
  const cy = (y0 + y1) / 2;
  parts.push(
    `<text transform="translate(14 ${cy}) rotate(-90)" text-anchor="middle" class="axis-title">${
      esc(o.yLabel)
    }</text>`,
  );
  return parts.join("\n");
}

/** One legend entry: a swatch (`line`, `dash` or `box`) and its name. */
export interface LegendItem {
  name: string;
  color: string;
  kind: "line" | "dash" | "box";
}

/** @returns A one-row legend under the x-axis title. */
export function legend(frame: Frame, items: LegendItem[]): string {
  const y = frame.height - 12;
  let x = frame.left;
  const parts: string[] = [];
  for (const it of items) {
    const sw = it.kind === "box"
      ? `<rect x="${x}" y="${y - 5}" width="12" height="10" rx="2" fill="${it.color}"/>`
      : `<line x1="${x}" x2="${
        x + 16
      }" y1="${y}" y2="${y}" stroke="${it.color}" stroke-width="2.5"${
        it.kind === "dash" ? ' stroke-dasharray="5 3"' : ""
      }/>`;
    parts.push(sw);
    parts.push(
      `<text x="${x + 20}" y="${y}" dominant-baseline="middle" class="legend">${
        esc(it.name)
      }</text>`,
    );
    x += 20 + it.name.length * 6.4 + 18;
  }
  return parts.join("\n");
}

/** @returns The opening `<svg>` tag with a title, the style block and the chart title text. */
export function open(frame: Frame, title: string, className: string): string {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" class="${className}" viewBox="0 0 ${frame.width} ${frame.height}" width="${frame.width}" height="${frame.height}" role="img" aria-label="${
      esc(title)
    }" font-family="system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif">`,
    `<title>${esc(title)}</title>`,
    `<style>.tick{font-size:11px;fill:${COLORS.muted}}.axis-title{font-size:12px;fill:${COLORS.axis}}` +
    `.legend{font-size:11.5px;fill:${COLORS.text}}.label{font-size:10.5px;fill:${COLORS.text}}` +
    `.chart-title{font-size:14px;font-weight:600;fill:${COLORS.text}}</style>`,
    `<rect width="${frame.width}" height="${frame.height}" fill="#fff"/>`,
    `<text x="${frame.left}" y="22" class="chart-title">${esc(title)}</text>`,
  ].join("\n");
}
