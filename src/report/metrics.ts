/**
 * The run metrics that the `ser` stage produces and the `report` stage writes as `metrics.json`
 * (docs/design.md, "The run's outputs"), and how they travel between the two stages: as JSON in
 * the Arrow schema metadata of the batches the `ser` stage emits.
 *
 * @module
 */
import { RecordBatch, Schema } from "apache-arrow";
import type { Batch } from "../contracts/types.ts";
import type { ReliabilityBin } from "../model/metrics.ts";

export type { ReliabilityBin };

/** One iteration of the SER loop (iteration 0 trains on the human labels only). */
export interface IterationRecord {
  iteration: number;
  /** `seed`, `status1`, `status2`, `either` or `top_k` (see `IterationStatus`). */
  status: string;
  /** Pairs scored for self-labelling in this iteration. */
  scored: number;
  /** Pairs self-labelled in this iteration. */
  selected: number;
  /** Of those, pairs that had no self-label before. */
  newPairs: number;
  /** Labelled pairs in the training set after this iteration (human + self). */
  poolSize: number;
  /** The training set's composition by origin and rule: `human`, `status1`, `status2`, `top_k`. */
  poolByRule: Record<string, number>;
  /** Temperature the selection thresholded at (1 unless the policy calibrates). */
  temperature: number;
  /** The training epoch whose weights were kept (the last one unless early stopping chose). */
  trainEpochs: number;
  /** Training loss of that epoch. */
  trainLoss: number | null;
  validationAccuracy: number | null;
  testAccuracy: number | null;
  testLoss: number | null;
  testMargin: number | null;
  ece: number | null;
  /** Reliability bins of the test split. */
  reliability: ReliabilityBin[];
  /** Agreement of this iteration's self-labels with their hidden gold labels (null: no gold). */
  selfLabelPrecision: number | null;
  /**
   * What the `on_selected` stages did to this iteration's candidates (present only when the
   * stage has some): pairs they dropped and pairs whose label they flipped.
   */
  onSelected?: { dropped: number; flipped: number };
}

/** The metrics of a whole run: what `metrics.json` holds. */
export interface RunMetrics {
  /** Null while the loop is still running. */
  stopReason: string | null;
  mode: string;
  /** Human labels used for training. */
  humanLabels: number;
  iterations: IterationRecord[];
  final: {
    /** The iteration whose model was kept (best validation accuracy). */
    iteration: number;
    /** Self-labelling iterations that ran (iteration 0 not counted). */
    iterations: number;
    testAccuracy: number | null;
    validationAccuracy: number | null;
    selfLabels: number;
  } | null;
  /** Reference levels for the plots (from `compare`), when known. */
  baselines?: { seedOnly?: number; allLabels?: number };
}

/** The schema-metadata key that carries `RunMetrics` JSON on the `ser` stage's batches. */
export const METRICS_METADATA_KEY = "serflow.ser.metrics";

/**
 * Returns `batch` with `metrics` attached as schema metadata (columns unchanged).
 *
 * @param batch Any record batch.
 * @param metrics The run metrics so far.
 * @returns The same columns with the metrics in the schema metadata.
 * @example
 * ```ts
 * import { attachMetrics, metricsOf } from "./metrics.ts";
 * import { pairBatch } from "../data/schema.ts";
 * const m = { stopReason: "patience", mode: "ser", humanLabels: 0, iterations: [], final: null };
 * if (metricsOf(attachMetrics(pairBatch([]), m))?.stopReason !== "patience") throw new Error();
 * ```
 */
export function attachMetrics(batch: Batch, metrics: RunMetrics): Batch {
  const meta = new Map(batch.schema.metadata);
  meta.set(METRICS_METADATA_KEY, JSON.stringify(metrics));
  const schema = new Schema(batch.schema.fields, meta);
  return new RecordBatch(schema, batch.data);
}

/**
 * @param batch A record batch.
 * @returns The run metrics attached by `attachMetrics`, or null when there are none.
 */
export function metricsOf(batch: Batch): RunMetrics | null {
  const raw = batch.schema.metadata.get(METRICS_METADATA_KEY);
  return raw === undefined ? null : JSON.parse(raw) as RunMetrics;
}
