/**
 * The reader's core, independent of RxJS: files in, batches of pair rows out, with an account of
 * every record (read = kept + duplicates + ties + rejects + identical).
 *
 * @module
 */
import type { PairRow } from "./schema.ts";
import { detectFileType, type FileType, readRecords } from "./records.ts";
import { extractPair, type FieldMap, type Preset } from "./presets.ts";
import type { LabelValues } from "./label_values.ts";
import { makePair } from "./make_pair.ts";
import { canonicalVerdict, DedupeState } from "./dedupe_state.ts";

/** A record that could not be read, as stored in the pool's `rejects` table. */
export interface RejectRow {
  file: string;
  line: number;
  reason: string;
  raw: string;
}

/** Settings of {@linkcode readPairs}. */
export interface ReadOptions {
  /** Files to read, in order. */
  files: readonly string[];
  /** How each file is named in `source` and messages (default: its path). */
  names?: readonly string[];
  fileType: FileType | "auto";
  preset: Preset;
  /** Columns, from `resolveFields`. */
  fields: FieldMap;
  labels: LabelValues;
  /** Drop ties, or keep them as unlabelled pairs (`label` null). */
  ties: "drop" | "unlabelled";
  batchSize: number;
  /** Stop at the first malformed record, or skip it (and hand it to `onRejects`). */
  onError: "fail" | "skip";
  /** Remove exact duplicates (same `pair_id`). */
  dedupe: boolean;
  /** The pipeline seed (a/b order). */
  seed: number;
  signal?: AbortSignal;
  /** Receives skipped records, in groups. */
  onRejects?: (rows: RejectRow[]) => Promise<void> | void;
}

/** The account of a read: `read = kept + duplicates + ties + rejects + identical`. */
export interface ReadStats {
  files: number;
  /** Records seen (blank JSON Lines lines are not records). */
  read: number;
  kept: number;
  duplicates: number;
  /** Ties dropped (ties kept as unlabelled count as kept). */
  ties: number;
  rejects: number;
  /** Pairs whose two responses are the same text (dropped). */
  identical: number;
  /** Kept pairs that are ties (label null). */
  unlabelledTies: number;
  /** Duplicates whose label disagreed with the first copy's. */
  conflicting: number;
  blankLines: number;
}

/**
 * @returns A zeroed account.
 * @example
 * ```ts
 * import { newReadStats } from "./read_pairs.ts";
 * if (newReadStats().read !== 0) throw new Error();
 * ```
 */
export function newReadStats(): ReadStats {
  return {
    files: 0,
    read: 0,
    kept: 0,
    duplicates: 0,
    ties: 0,
    rejects: 0,
    identical: 0,
    unlabelledTies: 0,
    conflicting: 0,
    blankLines: 0,
  };
}

const REJECT_FLUSH = 1000;

/**
 * Reads pairs from files in batches of `batchSize` rows, updating `stats` as it goes.
 *
 * @param opts What to read and how.
 * @param stats The account to update (see {@linkcode newReadStats}).
 * @returns Batches of pair rows (`split` "", `gold` null).
 * @throws {Error} On the first malformed record when `onError` is "fail", as
 *   `file:line: reason; set on_error: skip ...`.
 * @example
 * ```ts
 * import { newReadStats, readPairs } from "./read_pairs.ts";
 * import { resolveFields } from "./presets.ts";
 * import { DEFAULT_LABEL_VALUES } from "./label_values.ts";
 * const tmp = await Deno.makeTempFile({ suffix: ".jsonl" });
 * await Deno.writeTextFile(tmp, '{"prompt":"q","chosen":"x","rejected":"y"}\n');
 * const stats = newReadStats();
 * for await (const _ of readPairs({ files: [tmp], fileType: "auto", preset: "prompt-chosen-rejected",
 *   fields: resolveFields("prompt-chosen-rejected"), labels: DEFAULT_LABEL_VALUES, ties: "drop",
 *   batchSize: 100, onError: "fail", dedupe: true, seed: 1 }, stats));
 * if (stats.kept !== 1) throw new Error();
 * await Deno.remove(tmp);
 * ```
 */
export async function* readPairs(opts: ReadOptions, stats: ReadStats): AsyncGenerator<PairRow[]> {
  const dedupe = opts.dedupe ? new DedupeState() : null;
  let pendingRejects: RejectRow[] = [];
  const flushRejects = async () => {
    if (pendingRejects.length > 0 && opts.onRejects) await opts.onRejects(pendingRejects);
    pendingRejects = [];
  };
  let batch: PairRow[] = [];
  for (let f = 0; f < opts.files.length; f++) {
    const path = opts.files[f];
    const name = opts.names?.[f] ?? path;
    const type = opts.fileType === "auto" ? await detectFileType(path) : opts.fileType;
    stats.files++;
    for await (const rec of readRecords(path, type)) {
      if (rec.blank) {
        stats.blankLines++;
        continue;
      }
      stats.read++;
      const pair = rec.error ?? extractPair(rec.value, opts.preset, opts.fields, opts.labels);
      if (typeof pair === "string") {
        if (opts.onError === "fail") {
          throw new Error(
            `${name}:${rec.line}: ${pair}; set on_error: skip to skip such rows ` +
              `(they are counted and recorded in the pool's rejects table)`,
          );
        }
        stats.rejects++;
        pendingRejects.push({ file: name, line: rec.line, reason: pair, raw: rec.raw });
        if (pendingRejects.length >= REJECT_FLUSH) await flushRejects();
        continue;
      }
      if (pair.first === pair.second) {
        stats.identical++;
        continue;
      }
      if (pair.verdict === "tie" && opts.ties === "drop") {
        stats.ties++;
        continue;
      }
      const row = makePair(pair, opts.seed, `${name}:${rec.line}`);
      if (
        dedupe &&
        !dedupe.add(row.pair_id, canonicalVerdict(row.response_a, row.response_b, row.label))
      ) {
        stats.duplicates = dedupe.duplicates;
        stats.conflicting = dedupe.conflicting;
        continue;
      }
      stats.kept++;
      if (row.label === null) stats.unlabelledTies++;
      batch.push(row);
      if (batch.length >= opts.batchSize) {
        yield batch;
        batch = [];
        if (opts.signal?.aborted) return;
      }
    }
  }
  if (batch.length > 0) yield batch;
  await flushRejects();
}
