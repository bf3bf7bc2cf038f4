/**
 * Stage-field specs of the reward model, the featurizer and training (snake_case, as written in
 * pipeline files), and their conversion into the typed configs. Shared by the `featurize`,
 * `train`, `score` stages and the SER loop, so the same keys mean the same thing everywhere.
 *
 * @module
 */
import type { FieldSpec } from "../contracts/types.ts";
import { DEFAULT_FEATURIZER, type FeaturizerConfig } from "./featurizer.ts";
import type { FitOptions } from "./fit.ts";
import { DEFAULT_MODEL, DEFAULT_TRAIN, type ModelConfig } from "./types.ts";

/** The `model` object's fields. */
export const MODEL_FIELDS: Record<string, FieldSpec> = {
  buckets: {
    type: "integer",
    default: DEFAULT_MODEL.buckets,
    min: 1,
    max: 2 ** 24,
    description: "Hash buckets: rows of the embedding table (token ids are in [0, buckets)).",
  },
  dim: {
    type: "integer",
    default: DEFAULT_MODEL.dim,
    min: 1,
    max: 1024,
    description: "Embedding width (with input: embedding, the width of the precomputed vectors).",
  },
  hidden: {
    type: "integer",
    default: DEFAULT_MODEL.hidden,
    min: 1,
    max: 4096,
    description: "Hidden units of the MLP.",
  },
  pooling: {
    type: "enum",
    values: ["mean", "sqrtn"],
    default: DEFAULT_MODEL.pooling,
    description: "Bag pooling: sum / n (mean) or sum / sqrt(n) (sqrtn).",
  },
  activation: {
    type: "enum",
    values: ["gelu", "relu"],
    default: DEFAULT_MODEL.activation,
    description: "MLP activation (GELU uses the tanh approximation).",
  },
  dense_features: {
    type: "boolean",
    default: DEFAULT_MODEL.denseFeatures,
    description: "Append log(1 + token count) of prompt and response to the MLP input.",
  },
  input: {
    type: "enum",
    values: ["bag", "embedding"],
    default: DEFAULT_MODEL.input,
    description: "bag: hashed token ids; embedding: precomputed prompt_emb/a_emb/b_emb columns.",
  },
  init_scale: {
    type: "number",
    default: DEFAULT_MODEL.initScale,
    exclusiveMin: 0,
    description: "Standard deviation of the initial embedding rows.",
  },
};

/** The featurizer's fields (without `buckets`, which stages take from the model). */
export const FEATURIZER_FIELDS: Record<string, FieldSpec> = {
  ngram_min: {
    type: "integer",
    default: DEFAULT_FEATURIZER.ngramMin,
    min: 1,
    max: 8,
    description: "Shortest word n-gram (1 = single words).",
  },
  ngram_max: {
    type: "integer",
    default: DEFAULT_FEATURIZER.ngramMax,
    min: 1,
    max: 8,
    description: "Longest word n-gram (>= ngram_min).",
  },
  char_ngram_min: {
    type: "integer",
    default: DEFAULT_FEATURIZER.charNgramMin,
    min: 1,
    max: 8,
    description: "Shortest character n-gram inside words.",
  },
  char_ngram_max: {
    type: "integer",
    default: DEFAULT_FEATURIZER.charNgramMax,
    min: 0,
    max: 8,
    description: "Longest character n-gram inside words; 0 turns character n-grams off.",
  },
  max_tokens: {
    type: "integer",
    default: DEFAULT_FEATURIZER.maxTokens,
    min: 1,
    description: "Most ids kept per text: the last ones (the end of a conversation matters most).",
  },
  punctuation: {
    type: "boolean",
    default: DEFAULT_FEATURIZER.punctuation,
    description: "Keep punctuation and symbols as one-character tokens (false: drop them).",
  },
  seed: {
    type: "integer",
    default: DEFAULT_FEATURIZER.seed,
    min: 0,
    max: 4294967295,
    description: "Hash seed (changes every id).",
  },
};

/** The `train` object's fields. */
export const TRAIN_FIELDS: Record<string, FieldSpec> = {
  epochs: {
    type: "integer",
    default: 3,
    min: 0,
    max: 10000,
    description: "Passes over the training pairs.",
  },
  batch: {
    type: "integer",
    default: DEFAULT_TRAIN.batchSize,
    min: 1,
    description: "Pairs per optimizer step.",
  },
  lr: {
    type: "number",
    default: DEFAULT_TRAIN.lr,
    exclusiveMin: 0,
    description: "AdamW learning rate.",
  },
  weight_decay: {
    type: "number",
    default: DEFAULT_TRAIN.weightDecay,
    min: 0,
    description: "Decoupled weight decay (not applied to biases).",
  },
  margin: {
    type: "number",
    default: DEFAULT_TRAIN.margin,
    min: 0,
    description: "Bradley-Terry margin m in softplus(m - (r_chosen - r_rejected)).",
  },
  beta1: {
    type: "number",
    default: DEFAULT_TRAIN.beta1,
    min: 0,
    max: 0.9999,
    description: "Adam first-moment decay.",
  },
  beta2: {
    type: "number",
    default: DEFAULT_TRAIN.beta2,
    min: 0,
    max: 0.999999,
    description: "Adam second-moment decay.",
  },
  eps: {
    type: "number",
    default: DEFAULT_TRAIN.eps,
    exclusiveMin: 0,
    description: "Adam epsilon.",
  },
};

// deno-lint-ignore no-explicit-any
type Raw = Record<string, any>;

/**
 * The model config from a validated `model` object (missing keys take the defaults).
 *
 * @param raw The `model` mapping, snake_case.
 * @returns The typed config.
 * @example
 * ```ts
 * import { modelConfigFromFields } from "./config_fields.ts";
 * if (modelConfigFromFields({ dim: 8, dense_features: false }).denseFeatures !== false) throw new Error();
 * ```
 */
export function modelConfigFromFields(raw: Raw = {}): ModelConfig {
  const d = DEFAULT_MODEL;
  return {
    buckets: raw.buckets ?? d.buckets,
    dim: raw.dim ?? d.dim,
    hidden: raw.hidden ?? d.hidden,
    pooling: raw.pooling ?? d.pooling,
    activation: raw.activation ?? d.activation,
    denseFeatures: raw.dense_features ?? d.denseFeatures,
    input: raw.input ?? d.input,
    initScale: raw.init_scale ?? d.initScale,
  };
}

/**
 * The featurizer config from a validated features object and the buckets.
 *
 * @param raw The features mapping, snake_case.
 * @param buckets The model's (or the featurize stage's) buckets.
 * @returns The typed config.
 * @example
 * ```ts
 * import { featurizerConfigFromFields } from "./config_fields.ts";
 * if (featurizerConfigFromFields({ ngram_max: 3 }, 1024).ngramMax !== 3) throw new Error();
 * ```
 */
export function featurizerConfigFromFields(raw: Raw = {}, buckets: number): FeaturizerConfig {
  const d = DEFAULT_FEATURIZER;
  return {
    buckets,
    ngramMin: raw.ngram_min ?? d.ngramMin,
    ngramMax: raw.ngram_max ?? d.ngramMax,
    charNgramMin: raw.char_ngram_min ?? d.charNgramMin,
    charNgramMax: raw.char_ngram_max ?? d.charNgramMax,
    maxTokens: raw.max_tokens ?? d.maxTokens,
    punctuation: raw.punctuation ?? d.punctuation,
    seed: raw.seed ?? d.seed,
  };
}

/**
 * Training options from a validated `train` object.
 *
 * @param raw The `train` mapping, snake_case.
 * @returns Epochs and optimizer settings.
 * @example
 * ```ts
 * import { fitOptionsFromFields } from "./config_fields.ts";
 * if (fitOptionsFromFields({ batch: 64 }).batchSize !== 64) throw new Error();
 * ```
 */
export function fitOptionsFromFields(raw: Raw = {}): FitOptions {
  const d = DEFAULT_TRAIN;
  return {
    epochs: raw.epochs ?? 3,
    batchSize: raw.batch ?? d.batchSize,
    lr: raw.lr ?? d.lr,
    weightDecay: raw.weight_decay ?? d.weightDecay,
    beta1: raw.beta1 ?? d.beta1,
    beta2: raw.beta2 ?? d.beta2,
    eps: raw.eps ?? d.eps,
    margin: raw.margin ?? d.margin,
  };
}
