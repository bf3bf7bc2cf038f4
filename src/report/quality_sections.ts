/**
 * Report sections about learning quality: the `train.auto` search, iterations whose model got
 * worse on validation although it was trained on more labels, and the headroom estimate.
 *
 * @module
 */
import type { RunMetrics } from "./metrics.ts";
import { pct } from "./svg.ts";

/**
 * The Markdown lines of the quality sections that apply to a run (none when nothing applies).
 *
 * @param m The run metrics.
 * @returns Lines, each section starting with a blank line and a `##` heading.
 * @example
 * ```ts
 * import { qualitySections } from "./quality_sections.ts";
 * const m = { stopReason: "patience", mode: "ser", humanLabels: 10, iterations: [], final: null,
 *   regressions: [[2, 0]] as [number, number][] };
 * if (!qualitySections(m).some((l) => l.includes("iteration 2"))) throw new Error();
 * ```
 */
export function qualitySections(m: RunMetrics): string[] {
  const out: string[] = [];
  if (m.regressions && m.regressions.length > 0) {
    out.push("", "## More labels, worse model", "");
    const it = (k: number) => m.iterations.find((r) => r.iteration === k);
    for (const [k, j] of m.regressions) {
      const a = it(k), b = it(j);
      out.push(
        `- Warning: iteration ${k} trained on ${a?.poolSize} labels is worse on validation ` +
          `(${pct(a?.validationAccuracy ?? null)}) than iteration ${j} on ${b?.poolSize} ` +
          `(${pct(b?.validationAccuracy ?? null)}).`,
      );
    }
    out.push(
      "",
      "A model trained on more labels should not be worse. With self-labels this means the new " +
        "labels are too noisy; if it happens with human labels, look at the training settings " +
        "(`train.epoch_patience`, `train.weight_decay`, `train.lr`, or `train.auto: true`).",
    );
  }
  const t = m.tuning;
  if (t) {
    out.push("", "## Training settings (train.auto)", "");
    out.push(`| lr | ${t.widthField} | weight decay | epochs | validation loss | validation acc |`);
    out.push("|---:|---:|---:|---:|---:|---:|");
    t.candidates.forEach((c, i) => {
      const mark = i === t.chosen ? " **(chosen)**" : "";
      out.push(
        `| ${c.lr.toPrecision(3)}${mark} | ${c.width} | ${c.weightDecay} | ${c.epochs} | ${
          c.validationLoss.toFixed(4)
        } | ${pct(c.validationAccuracy)} |`,
      );
    });
  }
  const h = m.headroom;
  if (h) {
    out.push("", "## Headroom (before the loop)", "");
    out.push("| seed labels | test accuracy (mean of repeats) | per repeat |");
    out.push("|---:|---:|---|");
    for (const p of h.points) {
      out.push(
        `| ${p.labels} | ${pct(p.mean)} | ${p.runs.map((x) => (x * 100).toFixed(2)).join(" ")} |`,
      );
    }
    out.push(
      "",
      `Learning curve \`${h.fit.form}\` fitted to these points predicts ${
        pct(h.predictedAllLabels)
      } with all ${h.allLabels} labels, ${h.predictedGain >= 0 ? "+" : ""}${
        (h.predictedGain * 100).toFixed(2)
      } points over the seed: the most SER can add by ` +
        `self-labelling the unlabelled split.` +
        (h.matchedEpochs != null
          ? ` Shares below the largest trained ${h.matchedEpochs} epoch${
            h.matchedEpochs === 1 ? "" : "s"
          }, as many as the largest share's early stopping kept.`
          : "") +
        (h.measuredAllLabels != null
          ? ` Measured with the gold labels: ${pct(h.measuredAllLabels)} (${
            ((h.measuredAllLabels - h.seedAccuracy) * 100).toFixed(2)
          } points over the seed).`
          : ""),
    );
  }
  return out;
}
