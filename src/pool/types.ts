/**
 * The plain data shapes the labelled pool reads and writes (see `docs/pool.md` for the tables).
 *
 * @module
 */

/** Who produced a label: a human annotator (seed, gold) or the reward model itself. */
export type LabelOrigin = "human" | "self";

/** The state a run is in, as stored in `runs.status`. */
export type RunStatus = "running" | "completed" | "interrupted" | "failed";

/**
 * Label rows to append, column by column (one entry per row in each array). Scalar fields apply
 * to every row. `label` is 1 (a preferred), -1 (b preferred), or 0 / null: the pair's earlier
 * label is withdrawn (it is unlabelled again from this row on).
 */
export interface LabelRows {
  pairId: ArrayLike<string>;
  label: ArrayLike<number | null>;
  origin: LabelOrigin | ArrayLike<LabelOrigin>;
  /** The SER iteration that produced the labels (human seed labels: 0). */
  iteration: number;
  /** How the label was decided: `seed`, `gold`, `status1`, `pairwise`, `top_k`, `withdrawn`, ... */
  rule: string | ArrayLike<string>;
  /** The run that wrote them; default: the pool handle's current run (`startRun`). */
  runId?: string;
  /** `sigmoid(r_a)`, `sigmoid(r_b)` and the selection margin; null / NaN / absent: none. */
  pA?: ArrayLike<number | null> | null;
  pB?: ArrayLike<number | null> | null;
  margin?: ArrayLike<number | null> | null;
  /** Whether the pair was swapped because the model preferred b; absent: false. */
  swapped?: ArrayLike<boolean | number> | null;
  /** The model that produced self-labels (`models.model_id`). */
  modelId?: string | null;
}

/** Options of `appendLabels`. */
export interface AppendLabelOptions {
  /**
   * Skip rows that repeat a label already stored for the same run, pair, origin, iteration and
   * value (a resumed run re-reading its seed labels). Default false.
   */
  skipDuplicates?: boolean;
}

/** The labels in force at some iteration, one entry per labelled pair, as columns. */
export interface LabelColumns {
  length: number;
  pairId: string[];
  /** 1 or -1. */
  label: Int8Array;
  origin: LabelOrigin[];
  iteration: Int32Array;
  rule: string[];
  /** NaN where the label has none. */
  pA: Float32Array;
  pB: Float32Array;
  margin: Float32Array;
  /** 1 where swapped. */
  swapped: Uint8Array;
  /** The pair's split (`seed`, `unlabelled`, ...); "" when the pair is not in `pairs`. */
  split: string[];
}

/** A bad input record (it names its file and line). */
export interface RejectRow {
  file: string;
  line: number;
  reason: string;
  raw?: string | null;
}

/** One committed SER iteration, as stored in `iterations`. */
export interface IterationEntry {
  /** Default: the pool handle's current run. */
  runId?: string;
  iteration: number;
  /** The learning status the loop identified (e.g. `status1`, `status2`, `seed`). */
  status: string;
  /** Pairs self-labelled in this iteration. */
  selected: number;
  /** Labelled pairs after this iteration. */
  poolSize: number;
  /** Any JSON-serializable metrics (accuracies, loss, ECE, ...). */
  metrics?: unknown;
  durationMs?: number | null;
}

/** A trained model, as stored in `models`. */
export interface ModelEntry {
  modelId: string;
  /** Default: the pool handle's current run. */
  runId?: string;
  iteration: number;
  /** Path of the checkpoint file (relative to the run directory where possible). */
  checkpoint: string;
  metrics?: unknown;
}

/** What `startRun` records. */
export interface RunStart {
  runId: string;
  pipeline: string;
  /** The resolved pipeline config (stored as JSON). */
  config?: unknown;
  gitCommit?: string | null;
}

/** A run as stored in `runs`. */
export interface RunInfo {
  runId: string;
  pipeline: string;
  status: RunStatus;
  stopReason: string | null;
  gitCommit: string | null;
  /** ISO 8601. */
  startedAt: string;
  finishedAt: string | null;
  /** The last committed iteration, null when none. */
  lastIteration: number | null;
}
