/**
 * `read`: the source stage for preference data on disk (JSON Lines, JSON arrays, CSV, Parquet;
 * `.gz` too), with presets for the common layouts and a `fields` mapping for the rest.
 *
 * @module
 */
import type { Batch, StageContext, StageSpec } from "../contracts/types.ts";
import { buildPairBatch } from "../data/pair_batch_builder.ts";
import { type FieldMap, type Preset, PRESETS, resolveFields } from "../data/presets.ts";
import { DEFAULT_LABEL_VALUES, type LabelValues } from "../data/label_values.ts";
import { newReadStats, readPairs, type RejectRow } from "../data/read_pairs.ts";
import { resolvePaths } from "../data/resolve_paths.ts";
import type { FileType } from "../data/records.ts";
import { recordRejects } from "./rejects.ts";
import { relative } from "node:path";

const text = (description: string) => ({ type: "string" as const, description });

/** The `read` stage's spec. */
export const spec: StageSpec = {
  name: "read",
  summary: "Reads preference pairs from JSONL, JSON, CSV or Parquet files (gzip too).",
  description:
    "Streams records in batches with bounded memory and turns each into a pair: a prompt, two " +
    "responses in a stable seeded a/b order (`label` 1 when a is preferred, -1 when b), a content " +
    "hash `pair_id` and a prompt-group `group_id`. Every record is accounted for in the log: " +
    "read = kept + duplicates + ties + rejects + identical. Formats: `hh-rlhf` (chosen/rejected " +
    "transcripts), `prompt-chosen-rejected` (TRL standard or conversational), `pairwise-label` " +
    "(two responses and a label naming the preferred one), `multi-annotator` (majority vote of " +
    "annotator columns; PandaLM by default). CSV/Parquet go through DuckDB; CSV line numbers " +
    "count the header as line 1, Parquet ones are row numbers; a file DuckDB cannot parse " +
    "(e.g. invalid UTF-8 in a CSV) stops the run whatever `on_error` says.",
  kind: "source",
  fields: {
    path: {
      type: "array",
      single: true,
      required: true,
      items: { type: "path", description: "A file or glob pattern." },
      description: "File(s) or glob pattern(s), relative to the pipeline file's folder.",
    },
    format: {
      type: "enum",
      values: PRESETS,
      default: "prompt-chosen-rejected",
      description: "The record layout (preset).",
    },
    file_type: {
      type: "enum",
      values: ["auto", "jsonl", "json", "csv", "parquet"],
      default: "auto",
      description:
        "The file type; auto picks it from the extension (.json: by its first character).",
    },
    fields: {
      type: "object",
      description: "Column names overriding the preset's (dotted paths reach nested objects).",
      fields: {
        prompt: text("Prompt column (text or a message list)."),
        input: text("Optional column appended to the prompt after a blank line."),
        chosen: text("Preferred response (hh-rlhf: full transcript)."),
        rejected: text("Other response (hh-rlhf: full transcript)."),
        response_a: text("First response (pairwise-label, multi-annotator)."),
        response_b: text("Second response (pairwise-label, multi-annotator)."),
        label: text("Label column naming the preferred response (pairwise-label)."),
        annotators: {
          type: "array",
          items: text("An annotator column."),
          description: "Annotator columns voting like `label` (multi-annotator).",
        },
        group: text(
          "Column with the prompt-group key (default: first human turn, else the prompt).",
        ),
      },
    },
    label_values: {
      type: "object",
      description: "Which label/annotator values mean a, b and tie (compared as text, any case).",
      fields: {
        a: {
          type: "array",
          items: { type: "any", description: "" },
          default: DEFAULT_LABEL_VALUES.a,
          description: "Values meaning a is preferred.",
        },
        b: {
          type: "array",
          items: { type: "any", description: "" },
          default: DEFAULT_LABEL_VALUES.b,
          description: "Values meaning b is preferred.",
        },
        tie: {
          type: "array",
          items: { type: "any", description: "" },
          default: DEFAULT_LABEL_VALUES.tie,
          description: "Values meaning a tie.",
        },
      },
    },
    ties: {
      type: "enum",
      values: ["drop", "unlabelled"],
      default: "drop",
      description: "Drop ties (counted) or keep them as unlabelled pairs (label null).",
    },
    on_error: {
      type: "enum",
      values: ["fail", "skip"],
      default: "fail",
      description: "Stop at a malformed record (file:line: reason), or skip it, count it and " +
        "record it in the pool's rejects table.",
    },
    dedupe: {
      type: "boolean",
      default: true,
      description: "Drop exact duplicate pairs (same prompt and responses), counted.",
    },
    batch_size: { type: "integer", min: 1, default: 1024, description: "Rows per emitted batch." },
  },
  examples: [
    {
      title: "HH-RLHF transcripts",
      yaml: "use: read\nwith: { path: data/hh/*.jsonl.gz, format: hh-rlhf }",
    },
    {
      title: "PandaLM (majority vote of three annotators)",
      yaml: "use: read\nwith: { path: data/pandalm.json, format: multi-annotator }",
    },
    {
      title: "A labelled CSV with other column names, skipping bad rows",
      yaml: "use: read\nwith:\n  path: data/prefs.csv\n  format: pairwise-label\n" +
        "  fields: { prompt: question, response_a: left, response_b: right, label: winner }\n" +
        "  label_values: { a: [left], b: [right], tie: [same] }\n  on_error: skip",
    },
  ],
};

/** Config of `read` (validated, defaults filled in). */
export interface ReadConfig {
  path: string[];
  format: Preset;
  file_type: FileType | "auto";
  fields: FieldMap;
  label_values: LabelValues;
  ties: "drop" | "unlabelled";
  on_error: "fail" | "skip";
  dedupe: boolean;
  batch_size: number;
}

/**
 * @param cfg The validated config.
 * @param ctx The stage context.
 * @returns A source of pair batches (`split` "", `gold` null).
 */
export function operator(cfg: ReadConfig, ctx: StageContext) {
  async function* batches(): AsyncGenerator<Batch> {
    const fields = resolveFields(cfg.format, cfg.fields);
    const files = await resolvePaths(cfg.path, ctx.pipeline.dir);
    const names = files.map((f) => _displayName(f, ctx.pipeline.dir));
    const stats = newReadStats();
    const progress = ctx.progress(
      `read ${names.length === 1 ? names[0] : `${names.length} files`}`,
    );
    const onRejects = (rows: RejectRow[]) => recordRejects(ctx, rows);
    try {
      for await (
        const rows of readPairs({
          files,
          names,
          fileType: cfg.file_type,
          preset: cfg.format,
          fields,
          labels: cfg.label_values,
          ties: cfg.ties,
          batchSize: cfg.batch_size,
          onError: cfg.on_error,
          dedupe: cfg.dedupe,
          seed: ctx.pipeline.seed,
          signal: ctx.signal,
          onRejects,
        }, stats)
      ) {
        progress.update(stats.read);
        yield buildPairBatch(rows);
      }
    } finally {
      progress.done();
    }
    if (stats.read === 0) {
      ctx.log.warn("read found no records: are the files empty?", { files: names });
    }
    if (stats.rejects > 0) {
      ctx.log.warn(`skipped ${stats.rejects} malformed records (see the pool's rejects table)`);
    }
    ctx.log.info(
      `read ${stats.read} records from ${stats.files} file(s): kept ${stats.kept}, ` +
        `duplicates ${stats.duplicates}, ties ${stats.ties}, rejects ${stats.rejects}, ` +
        `identical ${stats.identical}`,
      { ...stats },
    );
  }
  return () => ctx.source(batches());
}

function _displayName(file: string, dir: string): string {
  const rel = relative(dir, file);
  return rel.length < file.length ? rel : file;
}
