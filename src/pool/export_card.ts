/**
 * The dataset card (README.md) of an `hf-dataset` export: the YAML header that
 * `datasets.load_dataset(DIR)` reads (its `data/train-*.parquet` files), then the run, the
 * pipeline, human and self-label counts and where each label came from.
 *
 * @module
 */
import { stringify } from "yaml";
import type { Pool } from "./pool.ts";
import type { ExportOptions } from "./export.ts";
import type { ShapeOptions } from "./export_rows.ts";

/** Counts gathered while exporting. */
export interface ExportStats {
  human: number;
  self: number;
  /** `origin\trule\titeration` to rows. */
  labels: Map<string, number>;
  /** Source dataset to rows. */
  datasets: Map<string, number>;
}

/** The run whose labels the pool shows, as the card tells it. */
export interface CardRun {
  runId: string;
  pipeline: string;
  status: string;
  stopReason: string | null;
  gitCommit: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  /** The resolved pipeline. */
  config: unknown;
}

/**
 * Reads the run whose labels the pool's `pool` view shows.
 *
 * @param pool The pool.
 * @returns The run, or null for a pool without labels.
 */
export async function readCardRun(pool: Pool): Promise<CardRun | null> {
  const r = await pool.query(
    `SELECT run_id, pipeline, status, stop_reason, git_commit, started_at::VARCHAR,
      finished_at::VARCHAR, config::VARCHAR
    FROM runs WHERE run_id = (SELECT run_id FROM current_run)`,
  );
  if (r.rows.length === 0) return null;
  const [runId, pipeline, status, stopReason, gitCommit, startedAt, finishedAt, config] = r
    .rows[0] as (string | null)[];
  return {
    runId: runId!,
    pipeline: pipeline!,
    status: status!,
    stopReason,
    gitCommit,
    startedAt,
    finishedAt,
    config: config === null ? null : JSON.parse(config),
  };
}

const RULES: Record<string, string> = {
  seed: "human label of the seed split, from the source data",
  gold: "human label from the source data (an all-labels reference run)",
  status1: "self-label, learning status 1: p(preferred) > tau_high and p(other) < tau_low",
  status2: "self-label, learning status 2: |p_a - p_b| > delta",
  top_k: "self-label: among the k pairs with the largest reward margin",
};

function _sizeCategory(n: number): string {
  if (n < 1_000) return "n<1K";
  if (n < 10_000) return "1K<n<10K";
  if (n < 100_000) return "10K<n<100K";
  if (n < 1_000_000) return "100K<n<1M";
  return n < 10_000_000 ? "1M<n<10M" : "10M<n<100M";
}

const _cell = (s: unknown) => String(s ?? "").replace(/\|/g, "\\|").replace(/\n/g, " ");

/**
 * Renders the card.
 *
 * @param c The run, the counts, the export's options and row shape, and the shard count.
 * @returns README.md text.
 */
export function datasetCard(c: {
  run: CardRun | null;
  stats: ExportStats;
  opts: ExportOptions;
  shape: ShapeOptions;
  shards: number;
}): string {
  const { run, stats, opts, shape } = c;
  const rows = stats.human + stats.self;
  const header = stringify({
    configs: [{
      config_name: "default",
      data_files: [{ split: "train", path: "data/train-*.parquet" }],
    }],
    tags: ["serflow", "preference", "reward-modeling", "self-labelled"],
    size_categories: [_sizeCategory(rows)],
  });
  const name = run?.pipeline ?? "serflow";
  const text = shape.conversational
    ? "a list of chat messages (`[{role, content}]`)"
    : "text; `prompt + chosen` and `prompt + rejected` are the full texts";
  const lines = [
    `---\n${header}---`,
    `# ${name}: preference pairs labelled by serflow`,
    "",
    `${rows} preference pairs from the labelled pool of serflow run \`${
      run?.runId ?? "(none)"
    }\` ` +
    `(pipeline \`${name}\`): ${stats.human} labelled by humans, ${stats.self} self-labelled by the ` +
    `run's reward model (self-evolving reward model training: the model labels the unlabelled ` +
    `pairs it is confident about and retrains on them).`,
    "",
    "```python",
    "from datasets import load_dataset",
    `ds = load_dataset("path/to/this/folder", split="train")`,
    "```",
    "",
    "## Columns",
    "",
    "| column | meaning |",
    "| --- | --- |",
    `| \`prompt\` | the prompt: ${text} |`,
    "| `chosen` | the preferred response (TRL's explicit-prompt layout) |",
    "| `rejected` | the other response |",
  ];
  if (shape.margin) {
    lines.push(
      `| \`margin\` | the Bradley-Terry loss margin trainers read: a self-label's reward margin, ` +
        `${shape.margin.human} for human labels |`,
    );
  }
  lines.push(
    "| `serflow.pair_id` | the pair's id in the pool (a content hash) |",
    "| `serflow.origin` | `human` (from the source data) or `self` (labelled by the model) |",
    "| `serflow.iteration` | the SER iteration that wrote the label (0: the human seed) |",
    "| `serflow.rule` | why the label was written (see below) |",
    "| `serflow.self_margin` | a self-label's confidence: the labelling model's reward margin " +
      "`\\|r_a - r_b\\|`; 0 for human labels |",
    "",
    "## Label provenance",
    "",
    "| origin | rule | iteration | pairs | meaning |",
    "| --- | --- | ---: | ---: | --- |",
  );
  for (const [key, n] of [...c.stats.labels].sort(([a], [b]) => a.localeCompare(b))) {
    const [origin, rule, iteration] = key.split("\t");
    lines.push(
      `| ${origin} | ${_cell(rule)} | ${iteration} | ${n} | ${_cell(RULES[rule] ?? "")} |`,
    );
  }
  lines.push("", "Source datasets:", "", "| dataset | pairs |", "| --- | ---: |");
  for (const [d, n] of [...stats.datasets].sort(([a], [b]) => a.localeCompare(b))) {
    lines.push(`| ${_cell(d || "(unnamed)")} | ${n} |`);
  }
  lines.push(
    "",
    "## Export",
    "",
    `\`deno task export\` with splits ${(opts.splits ?? ["seed", "unlabelled"]).join(", ")}, ` +
      `origin ${opts.origin ?? "all"}` +
      (opts.minMargin == null ? "" : `, self-labels with margin >= ${opts.minMargin}`) +
      `, margin ${opts.margin ?? "none"}, ${c.shards} shard(s). Test pairs are never exported ` +
      "with labels.",
    "",
    "## Run",
    "",
    "| | |",
    "| --- | --- |",
    `| run | \`${_cell(run?.runId)}\` |`,
    `| pipeline | \`${_cell(run?.pipeline)}\` |`,
    `| status | ${_cell(run?.status)}${run?.stopReason ? ` (${_cell(run.stopReason)})` : ""} |`,
    `| started | ${_cell(run?.startedAt)} |`,
    `| finished | ${_cell(run?.finishedAt)} |`,
    `| serflow commit | ${_cell(run?.gitCommit)} |`,
  );
  if (run?.config) {
    lines.push("", "## Pipeline", "", "```yaml", stringify(run.config).trimEnd(), "```");
  }
  return lines.join("\n") + "\n";
}
