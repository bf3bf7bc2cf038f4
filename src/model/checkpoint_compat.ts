/**
 * Which settings of a checkpoint must match the pipeline that loads it, and the mismatch
 * messages, named as in pipeline files (`model.dense_features`, `features.ngram_max`).
 *
 * @module
 */
import type { FeaturizerConfig } from "./featurizer.ts";
import type { ModelConfig } from "./types.ts";

/** The settings a loader needs; only the given keys are compared. */
export interface CheckpointExpect {
  model?: Partial<ModelConfig>;
  featurizer?: Partial<FeaturizerConfig> | null;
}

/** Model settings that change the math or the shapes (`initScale` does not matter once trained). */
const MODEL_KEYS = [
  "input",
  "buckets",
  "dim",
  "hidden",
  "pooling",
  "activation",
  "denseFeatures",
] as const;

/** Featurizer settings that change the ids (`buckets` is compared as `model.buckets`). */
const FEATURIZER_KEYS = [
  "ngramMin",
  "ngramMax",
  "charNgramMin",
  "charNgramMax",
  "maxTokens",
  "punctuation",
  "seed",
] as const;

function snake(key: string): string {
  return key.replace(/[A-Z]/g, (c) => "_" + c.toLowerCase());
}

/**
 * Lists the settings in which a checkpoint differs from what the loader expects.
 *
 * @param have The checkpoint's settings.
 * @param expect The loader's settings.
 * @returns One phrase per mismatch, e.g. "model.dim is 32 in the checkpoint but 64 in the pipeline".
 * @example
 * ```ts
 * import { checkpointMismatches } from "./checkpoint_compat.ts";
 * import { DEFAULT_MODEL } from "./types.ts";
 * const m = checkpointMismatches({ model: DEFAULT_MODEL, featurizer: null }, { model: { dim: 32 } });
 * if (m[0] !== "model.dim is 64 in the checkpoint but 32 in the pipeline") throw new Error(m[0]);
 * ```
 */
export function checkpointMismatches(
  have: { model: ModelConfig; featurizer: FeaturizerConfig | null },
  expect: CheckpointExpect,
): string[] {
  const out: string[] = [];
  const cmp = (prefix: string, keys: readonly string[], a: object, b: object) => {
    const ha = a as Record<string, unknown>, hb = b as Record<string, unknown>;
    for (const k of keys) {
      if (hb[k] === undefined || ha[k] === hb[k]) continue;
      out.push(
        `${prefix}.${snake(k)} is ${JSON.stringify(ha[k])} in the checkpoint but ` +
          `${JSON.stringify(hb[k])} in the pipeline`,
      );
    }
  };
  if (expect.model) cmp("model", MODEL_KEYS, have.model, expect.model);
  if (expect.featurizer && have.featurizer) {
    cmp("features", FEATURIZER_KEYS, have.featurizer, expect.featurizer);
  }
  return out;
}
