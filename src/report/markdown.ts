/**
 * `report.md`: the run's outcome and a table of its iterations, in GitHub-flavoured Markdown.
 *
 * @module
 */
import type { RunMetrics } from "./metrics.ts";
import { pct } from "./svg.ts";
import { qualitySections } from "./quality_sections.ts";

/** What a stop reason means, in words for the reports. */
export const STOP_REASON_TEXT: Record<string, string> = {
  "max-iterations": "reached max_iterations",
  "no-new-pairs": "the selection found fewer than min_new_pairs new confident pairs",
  "patience": "validation accuracy did not improve for the patience limit",
  "no-unlabelled": "no unlabelled pairs were left",
  "seed-only": "seed-only baseline: trained once on the human seed",
  "all-labels":
    "all-labels reference: trained once on the seed and the unlabelled split's gold labels",
};

/**
 * Renders the run's Markdown report.
 *
 * @param m The run metrics.
 * @param title The heading (e.g. the pipeline name).
 * @returns The Markdown text.
 * @example
 * ```ts
 * import { renderMarkdown } from "./markdown.ts";
 * const md = renderMarkdown({ stopReason: "seed-only", mode: "seed-only", humanLabels: 10,
 *   iterations: [], final: null }, "demo");
 * if (!md.startsWith("# demo")) throw new Error();
 * ```
 */
export function renderMarkdown(m: RunMetrics, title: string): string {
  const out: string[] = [`# ${title}`, ""];
  const f = m.final;
  const first = m.iterations[0];
  out.push(`- Mode: \`${m.mode}\`; human labels used: ${m.humanLabels}`);
  out.push(
    `- Stopped: ${
      m.stopReason === null
        ? "still running"
        : `\`${m.stopReason}\` (${STOP_REASON_TEXT[m.stopReason] ?? m.stopReason})`
    }`,
  );
  if (f) {
    out.push(
      `- Kept model: iteration ${f.iteration} of ${f.iterations} self-labelling iterations ` +
        `(best validation accuracy ${pct(f.validationAccuracy)})`,
    );
    out.push(
      `- **Test accuracy: ${pct(f.testAccuracy)}**` +
        (first && m.mode === "ser" ? ` (iteration 0, seed only: ${pct(first.testAccuracy)})` : ""),
    );
    out.push(`- Self-labels in the kept model's training set: ${f.selfLabels}`);
    const kept = m.iterations.find((r) => r.iteration === f.iteration);
    if (kept?.calibratedEce !== undefined) {
      out.push(
        `- Kept model's test ECE: ${pct(kept.calibratedEce)} calibrated (temperature ` +
          `${kept.calibration?.toFixed(3)} fitted on validation), ${pct(kept.ece)} raw`,
      );
    }
  }
  const b = m.baselines;
  if (b?.seedOnly !== undefined || b?.allLabels !== undefined) {
    out.push(
      `- Baselines (compare): seed-only ${pct(b?.seedOnly)}, all-labels ${pct(b?.allLabels)}`,
    );
  }
  out.push("", "## Iterations", "");
  out.push(
    "| iteration | status | scored | selected | new | pool | validation acc | test acc | test loss | ECE raw | ECE calibrated | self-label precision |",
  );
  out.push("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
  for (const r of m.iterations) {
    const mark = r.iteration === f?.iteration ? " **(kept)**" : "";
    out.push(
      `| ${r.iteration}${mark} | ${r.status} | ${r.scored} | ${r.selected} | ${r.newPairs} | ${r.poolSize} | ${
        pct(r.validationAccuracy)
      } | ${pct(r.testAccuracy)} | ${r.testLoss === null ? "n/a" : r.testLoss.toFixed(4)} | ${
        pct(r.ece)
      } | ${pct(r.calibratedEce ?? null)} | ${pct(r.selfLabelPrecision)} |`,
    );
  }
  out.push(...qualitySections(m));
  out.push(
    "",
    "Accuracy is pairwise: the share of pairs whose human-preferred response gets the higher reward. " +
      "Validation accuracy (human labels) chooses the kept model and drives `patience`; the test split is " +
      "only reported. Self-label precision compares each iteration's self-labels with the hidden gold " +
      "labels, which never reach training.",
    "",
    "Plots: see `report.html`.",
    "",
  );
  return out.join("\n");
}
