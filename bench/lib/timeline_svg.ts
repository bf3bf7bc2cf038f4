/**
 * The epoch timeline (`src/gpu/timeline.ts`) as an SVG: three lanes (planner, host, device) on a
 * shared time axis, one box per segment.
 *
 * @module
 */
import type { SegmentTiming } from "../../src/gpu/timeline.ts";

const LANES = ["planner", "host", "device"] as const;
const COLORS = {
  plan: "#8fb8de",
  wait: "#f2c14e",
  upload: "#e07a5f",
  record: "#3d405b",
  device: "#81b29a",
};

/**
 * @param t The segments.
 * @param title Caption.
 * @returns An SVG document.
 * @example
 * ```ts
 * import { timelineSvg } from "./timeline_svg.ts";
 * const svg = timelineSvg([{ steps: 1, pairs: 4, planStart: 0, planEnd: 5, waitStart: 0,
 *   waitEnd: 5, uploadEnd: 6, recordEnd: 8, submitEnd: 9, deviceDone: 20, uploadBytes: 1 }], "x");
 * if (!svg.startsWith("<svg") || !svg.includes("device")) throw new Error();
 * ```
 */
export function timelineSvg(t: readonly SegmentTiming[], title: string): string {
  const W = 900, left = 70, lane = 28, top = 40, width = W - left - 20;
  const t0 = Math.min(...t.map((s) => Math.min(s.planStart, s.waitStart)));
  const t1 = Math.max(...t.map((s) => s.deviceDone ?? s.submitEnd));
  const span = Math.max(t1 - t0, 1e-6);
  const x = (ms: number) => left + ((ms - t0) / span) * width;
  const rects: string[] = [];
  const box = (laneIdx: number, a: number, b: number, color: string, tip: string) => {
    const w = Math.max(0.5, x(b) - x(a));
    rects.push(
      `<rect x="${x(a).toFixed(1)}" y="${top + laneIdx * lane}" width="${w.toFixed(1)}" ` +
        `height="${lane - 6}" fill="${color}"><title>${tip}</title></rect>`,
    );
  };
  t.forEach((s, i) => {
    box(
      0,
      s.planStart,
      s.planEnd,
      COLORS.plan,
      `segment ${i}: plan ${(s.planEnd - s.planStart).toFixed(2)} ms`,
    );
    box(
      1,
      s.waitStart,
      s.waitEnd,
      COLORS.wait,
      `segment ${i}: host waits ${(s.waitEnd - s.waitStart).toFixed(2)} ms`,
    );
    box(
      1,
      s.waitEnd,
      s.uploadEnd,
      COLORS.upload,
      `segment ${i}: upload ${(s.uploadEnd - s.waitEnd).toFixed(2)} ms`,
    );
    box(
      1,
      s.uploadEnd,
      s.submitEnd,
      COLORS.record,
      `segment ${i}: record+submit ${(s.submitEnd - s.uploadEnd).toFixed(2)} ms`,
    );
    if (s.deviceDone !== undefined) {
      const start = s.deviceStart ?? s.submitEnd;
      box(
        2,
        start,
        s.deviceDone,
        COLORS.device,
        `segment ${i}: device ${(s.deviceDone - start).toFixed(2)} ms`,
      );
    }
  });
  const labels = LANES.map((l, i) =>
    `<text x="${left - 8}" y="${top + i * lane + 16}" text-anchor="end">${l}</text>`
  );
  const H = top + LANES.length * lane + 30;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="12">` +
    `<text x="${left}" y="20">${title}: ${span.toFixed(1)} ms; plan (blue), host wait (yellow), ` +
    `upload (red), record+submit (dark), device (green)</text>${labels.join("")}${rects.join("")}` +
    `<text x="${left}" y="${H - 8}">0 ms</text><text x="${left + width}" y="${
      H - 8
    }" text-anchor="end">${span.toFixed(1)} ms</text></svg>\n`;
}
