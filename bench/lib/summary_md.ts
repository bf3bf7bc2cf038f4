/**
 * Markdown tables from a result document: what BENCHMARKS.md shows between its
 * `bench:latest` markers. Usage as a script: `deno run -A bench/lib/summary_md.ts RESULT.json`.
 *
 * @module
 */
import { hostTable } from "./host_section.ts";
import type { BenchResults } from "./results.ts";

// deno-lint-ignore no-explicit-any
type Any = any;

import { f, k, pct, table } from "./md_table.ts";
import { growthAndMicroMarkdown } from "./summary_growth_md.ts";

/**
 * Renders the tables of every section present.
 *
 * @param r The results.
 * @returns Markdown.
 * @example
 * ```ts
 * import { summaryMarkdown } from "./summary_md.ts";
 * const md = summaryMarkdown({ sections: {}, machine: { cpu: "x", cores: 2, loadAverage: [1] },
 *   loadAverageEnd: [2], date: "2025-01-01T00:00:00Z", command: "c" } as never);
 * if (!md.includes("x, 2 cores")) throw new Error(md);
 * ```
 */
export function summaryMarkdown(r: BenchResults): string {
  const s = r.sections as Record<string, Any>;
  const out: string[] = [];
  const m = r.machine;
  out.push(
    `Sections: ${Object.keys(s).join(", ")}; the file was last written at ${
      r.date.slice(0, 16).replace("T", " ")
    } UTC by \`${r.command}\` on ${m.cpu}, ${m.cores} cores, adapter ` +
      `${m.adapter?.description ?? "none"} (load average ${m.loadAverage[0]} → ${
        r.loadAverageEnd?.[0]
      }); a partial run (\`--only\`) keeps the other sections of the day's file.`,
  );
  if (s.host?.runs?.length) {
    out.push("\n#### GPU training step: host time and timeline (`bench/gpu_host.ts`)\n");
    out.push(
      `${s.host.device}, ${s.host.pairs} pairs in steps of ${s.host.batch}, about ` +
        `${Math.round(s.host.tokensPerPair)} ids per pair; times per step in ms.\n`,
    );
    out.push(hostTable(s.host.runs));
    // The timeline of the default path (lists built on the GPU), else of the worker planner.
    const shown = s.host.runs.find((r: Any) => r.planning === "gpu") ??
      s.host.runs.find((r: Any) => r.planning === "worker");
    if (shown) out.push(`\n${shown.planning} row lists:\n\n\`\`\`\n${shown.timeline}\n\`\`\``);
  }
  if (s.e2e?.results?.length) {
    out.push("\n#### End-to-end SER (phase totals over all iterations, seconds)\n");
    out.push(table(
      [
        "pairs",
        "backend",
        "retrain",
        "generate",
        "featurize",
        "score",
        "select",
        "train",
        "evaluate",
        "params readback",
        "pool write",
        "total",
        "scored pairs/s",
        "trained ex./s",
        "peak RSS MiB",
        "test acc. (seed → final)",
        "iterations",
        "stop",
      ],
      s.e2e.results.map((e: Any) => [
        k(e.pairs),
        e.backend,
        e.retrain ?? "scratch",
        f(e.data.generate_s),
        f(e.data.featurize_s),
        f(e.totals.score_s),
        f(e.totals.select_s),
        f(e.totals.train_s),
        f(e.totals.evaluate_s),
        f(e.totals.params_readback_s),
        f(e.totals.pool_write_s),
        f(e.total_s, 1),
        k(e.rates.score_pairs_per_s),
        k(e.rates.train_examples_per_s),
        k(e.peak_rss_mib),
        `${pct(e.seedTestAccuracy)} → ${pct(e.finalTestAccuracy)}`,
        String(e.iterations.length),
        e.stopReason ?? "",
      ]),
    ));
    out.push("\n#### SER iterations\n");
    out.push(table(
      [
        "pairs",
        "backend",
        "retrain",
        "iteration",
        "unlabelled scored",
        "score s",
        "select s",
        "trained examples",
        "train s",
        "evaluate s",
        "readback s",
        "pool write s",
        "wall s",
      ],
      s.e2e.results.flatMap((e: Any) =>
        e.iterations.map((it: Any) => [
          k(e.pairs),
          e.backend,
          e.retrain ?? "scratch",
          String(it.iteration),
          k(it.scored),
          f(it.score_s),
          f(it.select_s),
          k(it.trained_examples),
          f(it.train_s),
          f(it.evaluate_s),
          f(it.params_readback_s),
          f(it.pool_write_s),
          f(it.wall_s),
        ])
      ),
    ));
    for (const x of s.e2e.failures ?? []) {
      out.push(
        `\nFailed: ${x.pairs} pairs on ${x.backend} (${x.retrain ?? "scratch"}): ${x.error}`,
      );
    }
  }
  if (s.peers?.summary) {
    const p = s.peers;
    out.push(
      `\n#### Peers: ${p.data.source}; ${p.data.nTrain} training / ${p.data.nTest} test pairs, ` +
        `${p.data.epochs} epochs, batch ${p.data.train.batchSize}, lr ${p.data.train.lr}; model ` +
        `${p.data.model.buckets} buckets × ${p.data.model.dim}, hidden ${p.data.model.hidden}; ${p.rounds} interleaved rounds (medians)\n`,
    );
    out.push(table(
      [
        "peer",
        "device",
        "runs",
        "setup s",
        "epoch 1 s",
        "later epochs s",
        "train s",
        "score s (all pairs)",
        "train ex./s",
        "scored pairs/s",
        "test acc. (min–max)",
        "final train loss",
        "peak RSS MiB",
      ],
      Object.entries(p.summary).map(([id, x]: [string, Any]) => [
        id,
        x.device,
        String(x.runs),
        f(x.setup_s),
        f(x.first_epoch_s),
        f(x.later_epoch_s),
        f(x.train_s),
        f(x.score_s),
        k(x.train_pairs_per_s),
        k(x.score_pairs_per_s),
        `${pct(x.test_accuracy.median)} (${pct(x.test_accuracy.min)}–${pct(x.test_accuracy.max)})`,
        f(x.final_train_loss, 4),
        k(x.peak_rss_mib),
      ]),
    ));
    for (const [base, peers] of Object.entries(p.ratios ?? {}) as [string, Any][]) {
      out.push(
        `\nTime of each peer / time of **${base}**, median of the per-round ratios (> 1: ${base} is faster):\n`,
      );
      out.push(table(
        ["peer", "setup", "epoch 1", "later epochs", "train", "score"],
        Object.entries(peers).map(([id, ph]: [string, Any]) => [
          id,
          f(ph.setup.median),
          f(ph.first_epoch.median),
          f(ph.later_epoch.median),
          f(ph.train.median),
          f(ph.score.median),
        ]),
      ));
    }
    for (const [id, why] of Object.entries(p.skipped ?? {})) out.push(`\nSkipped ${id}: ${why}`);
    for (const [id, errs] of Object.entries(p.failures ?? {}) as [string, string[]][]) {
      if (errs.length) out.push(`\nFailures of ${id}: ${errs.join("; ")}`);
    }
  }
  out.push(...growthAndMicroMarkdown(s));
  return out.join("\n") + "\n";
}

const START = "<!-- bench:latest:start -->";
const END = "<!-- bench:latest:end -->";

/**
 * Replaces the text between the `bench:latest` markers (appending the markers if absent).
 *
 * @param md The Markdown document.
 * @param body The new section body.
 * @returns The new document.
 * @example
 * ```ts
 * import { replaceLatest } from "./summary_md.ts";
 * const md = replaceLatest("a\n<!-- bench:latest:start -->\nold\n<!-- bench:latest:end -->\nz\n", "new\n");
 * if (md !== "a\n<!-- bench:latest:start -->\nnew\n<!-- bench:latest:end -->\nz\n") throw new Error(md);
 * ```
 */
export function replaceLatest(md: string, body: string): string {
  const s = md.indexOf(START), e = md.indexOf(END);
  if (s < 0 || e < s) return `${md.trimEnd()}\n\n${START}\n${body}${END}\n`;
  return `${md.slice(0, s + START.length)}\n${body}${md.slice(e)}`;
}

if (import.meta.main) {
  const r = JSON.parse(await Deno.readTextFile(Deno.args[0])) as BenchResults;
  console.log(summaryMarkdown(r));
}
