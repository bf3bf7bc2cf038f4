/**
 * The reward model's math and the backend contract shared by the TypeScript reference
 * (`src/model/cpu_backend.ts`) and the WebGPU backend (`src/gpu/gpu_backend.ts`).
 *
 * ## The model
 * For a pair i with prompt tokens P, response tokens Q (ids in [0, buckets)):
 * - `p = pool(E[P])`, `q = pool(E[Q])`, where `E` is the embedding table `[buckets, dim]`
 *   (row-major) and `pool` is `sum / max(n, 1)` (`mean`) or `sum / sqrt(max(n, 1))` (`sqrtn`);
 *   an empty bag pools to the zero vector. With `input: "embedding"`, `p` and `q` are the
 *   precomputed vectors instead and `E` is empty.
 * - `x = [p, q, p * q, log1p(|P|), log1p(|Q|)]` (the last two only with `denseFeatures`), so
 *   `F = 3 * dim + (denseFeatures ? 2 : 0)`.
 * - `h = act(W1 x + b1)` with `W1` `[hidden, F]` row-major, `act` GELU (tanh approximation:
 *   `0.5 z (1 + tanh(0.7978845608 (z + 0.044715 z^3)))`) or ReLU.
 * - `r = w2 . h + b2`.
 *
 * ## The loss
 * For a pair with label `y` (1: a preferred, -1: b preferred), weight `w` and margin `m`:
 * `l = w * softplus(m - y (r_a - r_b))`; a mini-batch's loss is the mean of `l` over its pairs
 * (divided by the number of pairs, not by the sum of weights).
 *
 * ## The optimizer (AdamW, decoupled weight decay, global step `t` counted from 1)
 * For every dense parameter (W1, b1, w2, b2) and for the embedding rows that the mini-batch
 * touches (lazy update: untouched rows and their moments are left as they are):
 * `m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2;`
 * `theta -= lr * ((m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps) + weightDecay * theta)`.
 * Weight decay applies to W1, w2 and touched rows of E, not to biases.
 *
 * ## Mini-batches
 * `trainEpoch` walks `order` (a permutation of the training examples) in consecutive chunks of
 * `batchSize` (the last one may be shorter): one optimizer step per chunk. Both backends follow
 * this exactly, so one GPU epoch equals one reference epoch within float tolerance.
 *
 * @module
 */

/** The reward model's shape. */
export interface ModelConfig {
  /** Hash buckets (rows of the embedding table). */
  buckets: number;
  /** Embedding width; with `input: "embedding"`, the width of the precomputed vectors. */
  dim: number;
  /** Hidden units of the MLP. */
  hidden: number;
  pooling: "mean" | "sqrtn";
  activation: "gelu" | "relu";
  /** Append log1p token counts of prompt and response to the MLP input. */
  denseFeatures: boolean;
  /** `bag`: hashed token ids through the embedding table; `embedding`: precomputed vectors. */
  input: "bag" | "embedding";
  /** Scale of the initial weights (embedding ~ N(0, initScale^2); W1 Xavier-uniform). */
  initScale: number;
}

/** The defaults of `ModelConfig` (docs/design.md, "The reward model": buckets 2^18, dim 64, hidden 128). */
export const DEFAULT_MODEL: ModelConfig = {
  buckets: 262144,
  dim: 64,
  hidden: 128,
  pooling: "sqrtn",
  activation: "gelu",
  denseFeatures: true,
  input: "bag",
  initScale: 0.1,
};

/** @returns The MLP input width `F`. */
export function featureWidth(cfg: ModelConfig): number {
  return 3 * cfg.dim + (cfg.denseFeatures ? 2 : 0);
}

/** The trainable parameters, as flat row-major float32 arrays. */
export interface ModelParams {
  /** `[buckets, dim]` (empty for `input: "embedding"`). */
  embedding: Float32Array;
  /** `[hidden, F]`. */
  w1: Float32Array;
  /** `[hidden]`. */
  b1: Float32Array;
  /** `[hidden]`. */
  w2: Float32Array;
  /** `[1]`. */
  b2: Float32Array;
}

/** AdamW state: first and second moments for each parameter, and the step counter. */
export interface OptimizerState {
  step: number;
  m: ModelParams;
  v: ModelParams;
}

/** Optimizer and loop settings for training. */
export interface TrainOptions {
  batchSize: number;
  lr: number;
  weightDecay: number;
  beta1: number;
  beta2: number;
  eps: number;
  /** Bradley-Terry margin `m` (0: plain BT). */
  margin: number;
}

/** The defaults of `TrainOptions`. */
export const DEFAULT_TRAIN: TrainOptions = {
  batchSize: 1024,
  lr: 0.01,
  weightDecay: 0,
  beta1: 0.9,
  beta2: 0.999,
  eps: 1e-8,
  margin: 0,
};

/**
 * Featurized pairs in CSR form: pair i's prompt ids are
 * `promptIds[promptOffsets[i] .. promptOffsets[i + 1])`, likewise for responses a and b.
 * With `input: "embedding"`, the `*Emb` arrays hold `n * dim` floats and the id arrays are empty.
 */
export interface PairFeatures {
  n: number;
  promptOffsets: Uint32Array;
  promptIds: Uint32Array;
  aOffsets: Uint32Array;
  aIds: Uint32Array;
  bOffsets: Uint32Array;
  bIds: Uint32Array;
  promptEmb?: Float32Array;
  aEmb?: Float32Array;
  bEmb?: Float32Array;
}

/** Training examples: indices into the loaded `PairFeatures`, with label (+1/-1) and weight each. */
export interface TrainSet {
  indices: Uint32Array;
  labels: Int8Array;
  weights: Float32Array;
}

/** Loss and accuracy over one epoch (means over the examples, accuracy = share with y (r_a - r_b) > 0). */
export interface EpochStats {
  loss: number;
  accuracy: number;
}

/** Rewards of the scored pairs, in the order of the requested indices. */
export interface Scores {
  rewardA: Float32Array;
  rewardB: Float32Array;
}

/** What `trainEpoch` returns: the epoch's stats, and the rewards of `scoreAfter` when asked. */
export interface EpochResult extends EpochStats {
  /** Rewards of the `scoreAfter` pairs with the weights at the end of the epoch. */
  scores?: Scores;
}

/**
 * A reward-model backend: the TypeScript reference or WebGPU. Data is loaded once and then
 * referred to by pair index, so a GPU backend keeps features and weights resident and reads back
 * only what a call returns.
 */
export interface RewardBackend {
  readonly kind: "webgpu" | "cpu";
  /** Human-readable device name (e.g. the adapter's description). */
  readonly deviceName: string;
  readonly config: ModelConfig;
  /** Loads (replaces) the features of all pairs that later calls index into. */
  load(features: PairFeatures): Promise<void>;
  /** Sets the weights, and the optimizer state (fresh zero moments, step 0, when omitted). */
  setParams(params: ModelParams, optimizer?: OptimizerState): Promise<void>;
  /** Reads weights and optimizer state back. */
  getParams(): Promise<{ params: ModelParams; optimizer: OptimizerState }>;
  /**
   * One epoch over `set` in the order `order` (positions into `set.indices`), one AdamW step per
   * mini-batch; then, when `scoreAfter` is given, the rewards of those pairs (as `score` would
   * return them), which a GPU backend reads back together with the epoch's stats.
   */
  trainEpoch(
    set: TrainSet,
    order: Uint32Array,
    opts: TrainOptions,
    scoreAfter?: Uint32Array,
  ): Promise<EpochResult>;
  /** Rewards for the pairs at `indices`. */
  score(indices: Uint32Array): Promise<Scores>;
  /**
   * Keeps a copy of the current weights and optimizer state inside the backend, replacing the
   * previous one (a device-side buffer copy on WebGPU: nothing is read back). Early stopping
   * keeps its best epoch this way.
   */
  snapshot(): Promise<void>;
  /** Sets the weights and optimizer state back to the last `snapshot()` (which stays kept). */
  restore(): Promise<void>;
  /** Frees device memory. */
  destroy(): void;
}
