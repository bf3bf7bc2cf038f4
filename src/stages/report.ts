/**
 * `report`: writes `metrics.json`, `report.md` and `report.html` (SVG plots) into the run
 * directory from the metrics a `ser` stage attaches to its batches.
 *
 * @module
 */
import { Observable } from "rxjs";
import type { Batch, StageContext, StageSpec } from "../contracts/types.ts";
import { metricsOf, type RunMetrics } from "../report/metrics.ts";
import { REPORT_FILES, type ReportFormat, writeReports } from "../report/write.ts";

/** The `report` stage's spec. */
export const spec: StageSpec = {
  name: "report",
  summary: "Writes metrics.json, report.md and report.html (SVG plots) for a SER run.",
  description: "Reads the run metrics that the `ser` stage attaches to each batch it emits " +
    "(the last one seen wins), and writes them when its input completes: `metrics.json` " +
    "(stop reason, one record per iteration, the kept model), `report.md` (a summary and the " +
    "iteration table) and a self-contained `report.html` with plots of test accuracy per " +
    "iteration, pool growth by origin and status, self-label precision against gold, and the " +
    "kept model's reliability diagram. Batches pass through unchanged.",
  kind: "sink",
  fields: {
    title: {
      type: "string",
      description: "Heading of report.md and report.html (default: the pipeline name).",
    },
    formats: {
      type: "array",
      items: { type: "enum", values: ["json", "md", "html"], description: "A report format." },
      single: true,
      default: ["json", "md", "html"],
      description: "Which files to write: json (metrics.json), md (report.md), html (report.html).",
    },
  },
  examples: [
    { title: "All three files", yaml: "use: report" },
    { title: "Only metrics.json", yaml: "use: report\nwith: { formats: [json] }" },
  ],
};

/** Config of `report`. */
export interface ReportConfig {
  title?: string;
  formats: ReportFormat[];
}

/**
 * @param cfg The validated config.
 * @param ctx The stage context.
 * @returns An operator that passes batches through and writes the reports when its input ends.
 */
export function operator(cfg: ReportConfig, ctx: StageContext) {
  return (source: Observable<Batch>) =>
    new Observable<Batch>((sub) => {
      let metrics: RunMetrics | null = null;
      const inner = source.subscribe({
        next: (b) => {
          metrics = metricsOf(b) ?? metrics;
          sub.next(b);
        },
        error: (e) => sub.error(e),
        complete: async () => {
          if (ctx.signal.aborted) return sub.complete();
          if (metrics === null) {
            return sub.error(
              new Error(
                `Cannot write the report of stage '${ctx.stageId}' as no input batch carries SER ` +
                  `metrics: put the report stage after a 'ser' stage`,
              ),
            );
          }
          try {
            const formats = [...new Set(cfg.formats)];
            await writeReports(ctx.runDir, metrics, {
              title: cfg.title ?? ctx.pipeline.name,
              formats,
            });
            ctx.log.info("report written", {
              dir: ctx.runDir,
              files: formats.map((f) => REPORT_FILES[f]).join(","),
            });
            sub.complete();
          } catch (e) {
            sub.error(e);
          }
        },
      });
      return () => inner.unsubscribe();
    });
}
