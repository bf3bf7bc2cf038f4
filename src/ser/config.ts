/**
 * The `ser` stage's configuration: its field specs (validated by the pipeline loader, defaults
 * filled in) and the conversion to the model, featurizer, training, selection and stopping
 * options the loop uses.
 *
 * @module
 */
import type { FieldSpec, StageRef } from "../contracts/types.ts";
import type { ModelConfig } from "../model/types.ts";
import type { FeaturizerConfig } from "../model/featurizer.ts";
import type { FitOptions } from "../model/fit.ts";
import {
  FEATURIZER_FIELDS,
  featurizerConfigFromFields,
  fitOptionsFromFields,
  MODEL_FIELDS,
  modelConfigFromFields,
  TRAIN_FIELDS,
} from "../model/config_fields.ts";
import { SELECT_POLICIES, type SelectPolicy } from "./policy.ts";
import type { RuleOptions } from "./select.ts";
import type { StopOptions } from "./stop.ts";
import type { HeadroomOptions } from "./headroom.ts";
import { HEADROOM_FIELDS } from "./headroom_fields.ts";
import { HOOK_FIELDS } from "./hook_fields.ts";

/** What the `ser` stage trains: the loop, or one of the two reference points `compare` uses. */
export type SerMode = "ser" | "seed-only" | "all-labels";

/** The `ser` stage's config as it arrives from the pipeline file (snake_case keys). */
export interface SerConfig {
  mode: SerMode;
  /** The featurizer's fields (`FEATURIZER_FIELDS`); the bucket count is `model.buckets`. */
  features: Record<string, unknown>;
  /** The reward model's fields (`MODEL_FIELDS`). */
  model: Record<string, unknown>;
  /** `TRAIN_FIELDS` plus the loop's own `warm_start`, `self_weight`, `weighting`. */
  train: Record<string, unknown> & {
    epoch_patience: number;
    auto: boolean;
    warm_start: boolean;
    self_weight: number;
    weighting: "constant" | "confidence";
    targets: "hard" | "soft";
    self_noise: number;
    retrain: "scratch" | "incremental";
    incremental_epochs: number;
    replay: number;
  };
  select: {
    policy: SelectPolicy;
    tau_high: number;
    tau_low: number;
    delta: number;
    k: number;
    precision: number;
    precision_min_pairs: number;
    committee: number;
    cotrain: boolean;
    cotrain_char_min: number;
    cotrain_char_max: number;
    center: boolean;
    relabel: boolean;
  };
  stop: { max_iterations: number; min_new_pairs: number; patience: number };
  headroom: {
    enabled: boolean;
    fractions: number[];
    repeats: number;
    fit: "log" | "logit" | "power";
    match_epochs: boolean;
  };
  /** Stages run on each iteration's candidate self-labels. */
  on_selected: StageRef[];
  /** Stages run after each iteration on its metrics. */
  on_iteration: StageRef[];
}

const int = (d: number, min: number, description: string): FieldSpec => ({
  type: "integer",
  default: d,
  min,
  description,
});
const unit = (d: number, description: string): FieldSpec => ({
  type: "number",
  default: d,
  min: 0,
  max: 1,
  description,
});
const withDefault = (f: FieldSpec, d: unknown): FieldSpec => ({ ...f, default: d });

/**
 * The loop's defaults differ from a lone training run's (chosen by measurement on the synthetic
 * world, pipelines/ser-synthetic.yaml): a small model that each iteration retrains quickly
 * (65,536 buckets, dim 8, hidden 32), single words, small mini-batches with a higher learning
 * rate, early stopping on the validation loss, and confidence-weighted self-labels.
 */
const SER_FEATURE_FIELDS: Record<string, FieldSpec> = {
  ...FEATURIZER_FIELDS,
  ngram_max: withDefault(FEATURIZER_FIELDS.ngram_max, 1),
};

const SER_MODEL_FIELDS: Record<string, FieldSpec> = {
  ...MODEL_FIELDS,
  buckets: withDefault(MODEL_FIELDS.buckets, 65536),
  dim: withDefault(MODEL_FIELDS.dim, 8),
  hidden: withDefault(MODEL_FIELDS.hidden, 32),
  pooling: withDefault(MODEL_FIELDS.pooling, "sqrtn"),
};

const SER_TRAIN_FIELDS: Record<string, FieldSpec> = {
  ...TRAIN_FIELDS,
  epochs: withDefault(TRAIN_FIELDS.epochs, 8),
  batch: withDefault(TRAIN_FIELDS.batch, 64),
  lr: withDefault(TRAIN_FIELDS.lr, 0.01),
  auto: {
    type: "boolean",
    default: false,
    description: "Before iteration 0, search the learning rate (x1/3, x1, x3), the width " +
      "(`model.dim`, or `model.hidden` with precomputed embeddings: x1, x4) and `weight_decay` " +
      "(0, 1, 10) on the human seed, each with early stopping on the validation split, and train " +
      "every iteration with the candidate of lowest validation loss (recorded in metrics.json as " +
      "`tuning`).",
  },
  targets: {
    type: "enum",
    values: ["hard", "soft"],
    default: "soft",
    description: "`hard`: a self-labelled pair is trained on the side the model preferred; " +
      "`soft`: on its calibrated probability q = sigmoid(margin / T), T fitted on validation " +
      "for the labelling model (trained as the pair with weight q plus the swapped pair with " +
      "weight 1 - q, which gives the soft-target loss).",
  },
  self_noise: {
    type: "number",
    default: 0.3,
    min: 0,
    max: 0.9,
    description: "Noisy student: train each self-labelled pair on a noised copy of its inputs, " +
      "drawn again every iteration from the seed (human pairs and scoring stay clean). With " +
      "`model.input: bag`, each token id of the prompt and both responses is dropped with this " +
      "probability; with `embedding`, each vector component is zeroed with it (the rest scaled " +
      "by 1 / (1 - p)). 0: off (the default 0.3 was chosen by validation accuracy on the " +
      "synthetic world).",
  },
  warm_start: {
    type: "boolean",
    default: false,
    description: "Continue from the previous iteration's model and optimizer (false: retrain " +
      "from the same initial weights every iteration).",
  },
  retrain: {
    type: "enum",
    values: ["scratch", "incremental"],
    default: "scratch",
    description: "How iterations after the first train. `scratch`: on the human seed plus every " +
      "self-label in force, for `epochs` (from the initial weights, or from the previous model " +
      "with `warm_start`). `incremental`: continue from the previous iteration's model and " +
      "optimizer state (on `--resume`, the last committed checkpoint) for `incremental_epochs` " +
      "passes over only this iteration's new self-labels (pairs that had no self-label, or the " +
      "opposite one, before) plus a `replay` sample of the human seed, drawn again every " +
      "iteration from the run's seed and the iteration number. Early stopping on validation " +
      "still keeps the best epoch. Iteration 0 always trains on the seed for `epochs`. Not with " +
      "`select.committee` > 1 or `select.cotrain` (their extra models retrain on the whole pool).",
  },
  incremental_epochs: {
    type: "integer",
    default: 2,
    min: 1,
    max: 10000,
    description: "`retrain: incremental`: passes over each iteration's new self-labels plus the " +
      "replayed seed pairs (the most, with early stopping).",
  },
  replay: {
    type: "number",
    default: 0.5,
    min: 0,
    max: 1,
    description: "`retrain: incremental`: the fraction of the human seed pairs replayed beside " +
      "each iteration's new self-labels (0: none, 1: the whole seed).",
  },
  self_weight: {
    type: "number",
    default: 1,
    min: 0,
    description: "Loss weight of a self-labelled pair (a human pair weighs 1).",
  },
  weighting: {
    type: "enum",
    values: ["constant", "confidence"],
    default: "confidence",
    description: "`confidence` scales `self_weight` by `|2 sigmoid(r_a - r_b) - 1|`; " +
      "`constant` gives every self-label `self_weight`.",
  },
};

/** The field specs of the `ser` stage. */
export const SER_FIELDS: Record<string, FieldSpec> = {
  mode: {
    type: "enum",
    values: ["ser", "seed-only", "all-labels"],
    default: "ser",
    description:
      "`ser`: the self-labelling loop. `seed-only`: iteration 0 only (train on the human " +
      "seed). `all-labels`: train once on the seed plus the gold labels of the unlabelled split " +
      "(the upper reference of `compare`; those labels enter the pool as origin `human`, rule `gold`).",
  },
  features: {
    type: "object",
    description: "How texts become hashed token ids (the bucket count is `model.buckets`).",
    fields: SER_FEATURE_FIELDS,
  },
  model: {
    type: "object",
    description: "The reward model's shape (see `src/model/types.ts`).",
    fields: SER_MODEL_FIELDS,
  },
  train: {
    type: "object",
    description: "Training of each iteration's model.",
    fields: SER_TRAIN_FIELDS,
  },
  select: {
    type: "object",
    description: "Which self-labels are kept each iteration.",
    fields: {
      policy: {
        type: "enum",
        values: SELECT_POLICIES,
        default: "either",
        description: "auto: status 1 then status 2 (learning-status identification); either: " +
          "the reference rule; pointwise; pairwise; top_k; calibrated: either on temperature-" +
          "scaled rewards (T fitted on the validation split); precision: the margin at which " +
          "validation precision reaches `precision`.",
      },
      tau_high: unit(0.55, "Status 1: the preferred response's p must exceed this."),
      tau_low: unit(0.45, "Status 1: the other response's p must be below this."),
      delta: unit(0.3, "Status 2: |p_a - p_b| must exceed this."),
      k: int(1000, 1, "top_k: pairs kept per iteration."),
      precision: {
        type: "number",
        default: 0.85,
        exclusiveMin: 0,
        max: 1,
        description: "precision: keep the unlabelled pairs whose reward margin is at least the " +
          "smallest margin at which the model's preferences on the validation split are right " +
          "this often (chosen again every iteration).",
      },
      precision_min_pairs: int(
        30,
        1,
        "precision: fewest validation pairs a precision estimate may rest on.",
      ),
      committee: {
        type: "integer",
        default: 1,
        min: 1,
        max: 32,
        description: "Score with a committee of this many models: the iteration's model plus " +
          "models trained on bootstrap resamples of its training set (other initial weights). " +
          "The policy sees the committee's mean rewards; a pair is kept only where every member " +
          "prefers the same side. 1: the iteration's model alone.",
      },
      cotrain: {
        type: "boolean",
        default: false,
        description: "Two-view co-training: a second model on character n-grams only " +
          "(`cotrain_char_min`..`cotrain_char_max`, no words; same model shape) is trained beside " +
          "the word model. Each iteration, each view scores the candidates and applies the policy; " +
          "the pairs the character view selects become the word model's self-labels (kept in the " +
          "pool) and the ones the word view selects train the character model. The kept model is " +
          "the word model. Needs `model.input: bag`, texts (no `featurize` stage before) and no " +
          "`--resume`.",
      },
      cotrain_char_min: int(3, 1, "cotrain: shortest character n-gram of the second view."),
      cotrain_char_max: int(5, 1, "cotrain: longest character n-gram of the second view (<= 8)."),
      center: {
        type: "boolean",
        default: true,
        description: "Measure rewards from the mean reward of the scored responses before the " +
          "sigmoid: p = sigmoid(r - mean). Bradley-Terry fixes rewards only up to a constant, so " +
          "without it the status-1 thresholds depend on the model's arbitrary reward level.",
      },
      relabel: {
        type: "boolean",
        default: true,
        description: "Re-label the whole unlabelled split every iteration (false: earlier " +
          "self-labels stay fixed and only still-unlabelled pairs are scored).",
      },
    },
  },
  headroom: {
    type: "object",
    description: "The headroom check before the loop.",
    fields: HEADROOM_FIELDS,
  },
  stop: {
    type: "object",
    description: "When the loop ends (the kept model is the best by validation accuracy).",
    fields: {
      max_iterations: int(8, 0, "Self-labelling iterations at most."),
      min_new_pairs: int(20, 1, "Stop when the selection finds fewer new pairs."),
      patience: int(2, 1, "Stop after this many iterations without a validation gain."),
    },
  },
  ...HOOK_FIELDS,
};

/**
 * The `ser` stage's checks across fields: `train.retrain: incremental` continues one model, so it
 * does not combine with the options that retrain extra models on the whole pool every iteration.
 *
 * @param c The config with defaults filled in.
 * @returns The problems, each with the path of the field to point at (under the stage's `with`).
 * @example
 * ```ts
 * import { checkSerConfig, SER_FIELDS, type SerConfig } from "./config.ts";
 * import { defaultOf } from "../pipeline/fields.ts";
 * const c = defaultOf({ type: "object", description: "", fields: SER_FIELDS }) as SerConfig;
 * c.train.retrain = "incremental";
 * c.select.committee = 5;
 * if (checkSerConfig(c)[0].path.join(".") !== "train.retrain") throw new Error();
 * ```
 */
export function checkSerConfig(c: SerConfig): { message: string; path: string[] }[] {
  if (c.mode !== "ser" || c.train.retrain !== "incremental") return [];
  const out: { message: string; path: string[] }[] = [];
  const clash = (what: string, why: string, fix: string) =>
    out.push({
      message: `train.retrain 'incremental' cannot be combined with ${what} (${why}): ${fix} ` +
        "or set train.retrain to scratch",
      path: ["train", "retrain"],
    });
  if (c.select.committee > 1) {
    clash(
      `select.committee ${c.select.committee}`,
      "its members retrain from new weights on the whole pool every iteration",
      "set select.committee to 1",
    );
  }
  if (c.select.cotrain) {
    clash(
      "select.cotrain",
      "its character view retrains on the whole pool every iteration",
      "set select.cotrain to false",
    );
  }
  return out;
}

/** The typed options the loop runs with. */
export interface LoopOptions {
  mode: SerMode;
  model: ModelConfig;
  featurizer: FeaturizerConfig;
  train: FitOptions & {
    epochPatience: number;
    auto: boolean;
    warmStart: boolean;
    selfWeight: number;
    weighting: "constant" | "confidence";
    targets: "hard" | "soft";
    selfNoise: number;
    /** `train.retrain`: with `incremental`, its epochs and the seed fraction it replays. */
    retrain: "scratch" | "incremental";
    incrementalEpochs: number;
    replay: number;
  };
  select: Omit<RuleOptions, "temperature" | "offset" | "minMargin"> & {
    precision: number;
    precisionMinPairs: number;
    committee: number;
    cotrain: null | { charNgramMin: number; charNgramMax: number };
    policy: SelectPolicy;
    center: boolean;
    relabel: boolean;
  };
  stop: StopOptions;
  headroom: HeadroomOptions & { enabled: boolean };
}

/**
 * Converts the validated stage config into the loop's options.
 *
 * @param c The config with defaults filled in.
 * @returns The loop options.
 */
export function loopOptions(c: SerConfig): LoopOptions {
  const model = modelConfigFromFields(c.model);
  return {
    mode: c.mode,
    model,
    featurizer: featurizerConfigFromFields(c.features, model.buckets),
    train: {
      ...fitOptionsFromFields(c.train),
      epochPatience: c.train.epoch_patience,
      auto: c.train.auto,
      warmStart: c.train.warm_start,
      selfWeight: c.train.self_weight,
      weighting: c.train.weighting,
      targets: c.train.targets,
      selfNoise: c.train.self_noise,
      retrain: c.train.retrain,
      incrementalEpochs: c.train.incremental_epochs,
      replay: c.train.replay,
    },
    select: {
      policy: c.select.policy,
      tauHigh: c.select.tau_high,
      tauLow: c.select.tau_low,
      delta: c.select.delta,
      k: c.select.k,
      precision: c.select.precision,
      precisionMinPairs: c.select.precision_min_pairs,
      committee: c.select.committee,
      cotrain: c.select.cotrain
        ? { charNgramMin: c.select.cotrain_char_min, charNgramMax: c.select.cotrain_char_max }
        : null,
      center: c.select.center,
      relabel: c.select.relabel,
    },
    stop: {
      maxIterations: c.stop.max_iterations,
      minNewPairs: c.stop.min_new_pairs,
      patience: c.stop.patience,
    },
    headroom: {
      enabled: c.headroom.enabled,
      fractions: [...c.headroom.fractions],
      repeats: c.headroom.repeats,
      fit: c.headroom.fit,
      matchEpochs: c.headroom.match_epochs,
    },
  };
}
