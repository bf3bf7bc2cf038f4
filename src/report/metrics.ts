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
  /** Temperature fitted on the validation split for this model (absent in older runs). */
  calibration?: number;
  /** Test ECE of the temperature-scaled model (`r / calibration`). */
  calibratedEce?: number | null;
  /** Test loss of the temperature-scaled model. */
  calibratedTestLoss?: number | null;
  /** Reliability bins of the test split. */
  reliability: ReliabilityBin[];
  /** Agreement of this iteration's self-labels with their hidden gold labels (null: no gold). */
  selfLabelPrecision: number | null;
  /**
   * Incremental retraining (`train.retrain: incremental`, iterations after the first): the human
   * seed pairs replayed; the iteration trained on these plus its `newPairs` new self-labels.
   */
  replayed?: number;
  /**
   * What the `on_selected` stages did to this iteration's candidates (present only when the
   * stage has some): pairs they dropped and pairs whose label they flipped.
   */
  onSelected?: { dropped: number; flipped: number };
  /**
   * Co-training (`select.cotrain`): the character-n-gram view's model of this iteration: how many
   * pairs the word view labelled for it, its validation and test accuracy and its validation
   * temperature, and the precision of the labels it chose for the word model.
   */
  cotrain?: {
    labels: number;
    validationAccuracy: number | null;
    testAccuracy: number | null;
    calibration: number;
  };
}

/** One candidate of the `train.auto` search and how it scored. */
export interface TuneCandidate {
  lr: number;
  /** `model.dim` for bag models, `model.hidden` with precomputed embeddings. */
  width: number;
  weightDecay: number;
  /** The epoch early stopping kept. */
  epochs: number;
  validationLoss: number;
  validationAccuracy: number;
}

/** What the `train.auto` search tried and chose. */
export interface TuneResult {
  /** Which model field `width` set. */
  widthField: "dim" | "hidden";
  candidates: TuneCandidate[];
  /** Index of the chosen candidate in `candidates`. */
  chosen: number;
}

/** The headroom estimate: a learning curve over fractions of the seed, extrapolated. */
export interface HeadroomResult {
  /** Test accuracy with the given number of seed labels (mean and each repeat). */
  points: { fraction: number; labels: number; mean: number; runs: number[] }[];
  /**
   * The fitted curve: `acc = a + b ln(n)` (`log`), `ln(acc / (1 - acc)) = a + b ln(n)` (`logit`)
   * or `acc = c - b n^-alpha` (`power`).
   */
  fit: { form: "log" | "logit" | "power"; params: number[] };
  /** Labels available with every unlabelled pair labelled (seed + unlabelled). */
  allLabels: number;
  /** The curve at `allLabels`. */
  predictedAllLabels: number;
  /** The curve at the seed's size. */
  seedAccuracy: number;
  /** `predictedAllLabels - seedAccuracy`. */
  predictedGain: number;
  /**
   * Epochs every share below the largest trained for (the largest share's kept epochs), or null
   * when each share stopped early on its own (`match_epochs: false`; absent in older runs).
   */
  matchedEpochs?: number | null;
  /** All-labels test accuracy measured with the gold labels, when that was run. */
  measuredAllLabels?: number | null;
  /** Wall time of the estimate, seconds. */
  seconds: number;
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
  /** The headroom estimate, when it ran. */
  headroom?: HeadroomResult;
  /** The `train.auto` search, when it ran. */
  tuning?: TuneResult;
  /**
   * Iterations whose model, trained on more labels, is worse on validation than an earlier one
   * trained on fewer: `[iteration, earlier iteration]` pairs.
   */
  regressions?: [number, number][];
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
