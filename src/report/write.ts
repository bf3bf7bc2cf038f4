/**
 * Writes a run's reports: `metrics.json`, `report.md` and `report.html`.
 *
 * @module
 */
import { join } from "node:path";
import { renderHtml } from "./html.ts";
import { renderMarkdown } from "./markdown.ts";
import type { RunMetrics } from "./metrics.ts";

/** A report file format. */
export type ReportFormat = "json" | "md" | "html";

/** The file each format is written to. */
export const REPORT_FILES: Record<ReportFormat, string> = {
  json: "metrics.json",
  md: "report.md",
  html: "report.html",
};

/**
 * Writes the reports of a run into `dir` (created if missing).
 *
 * @param dir The run directory.
 * @param metrics The run metrics.
 * @param opts `title` for the Markdown/HTML heading; `formats` to write (default: all three).
 * @returns The paths written.
 * @example
 * ```ts ignore
 * import { writeReports } from "./write.ts";
 * await writeReports("runs/demo", metrics, { title: "demo" });
 * ```
 */
export async function writeReports(
  dir: string,
  metrics: RunMetrics,
  opts: { title: string; formats?: readonly ReportFormat[] },
): Promise<string[]> {
  await Deno.mkdir(dir, { recursive: true });
  const written: string[] = [];
  for (const format of opts.formats ?? ["json", "md", "html"] as const) {
    const path = join(dir, REPORT_FILES[format]);
    const text = format === "json"
      ? JSON.stringify(metrics, null, 2) + "\n"
      : format === "md"
      ? renderMarkdown(metrics, opts.title)
      : renderHtml(metrics, opts.title);
    await Deno.writeTextFile(path, text);
    written.push(path);
  }
  return written;
}
