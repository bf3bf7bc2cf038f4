/**
 * `featurize`: adds hashed token-id columns (`prompt_ids`, `a_ids`, `b_ids`, `List<Uint32>`)
 * to every pair batch, so later stages (and the SER loop) reuse them instead of re-tokenizing.
 *
 * @module
 */
import { defer, type OperatorFunction } from "rxjs";
import type { Batch, StageContext, StageSpec } from "../contracts/types.ts";
import { FEATURIZER_FIELDS, featurizerConfigFromFields } from "../model/config_fields.ts";
import { DEFAULT_FEATURIZER, Featurizer } from "../model/featurizer.ts";
import { featureCacheFor } from "../model/feature_cache.ts";
import { featurizeBatch } from "../model/id_columns.ts";

/** The `featurize` stage's spec. */
export const spec: StageSpec = {
  name: "featurize",
  pure: true,
  summary: "Adds hashed token-id columns (prompt_ids, a_ids, b_ids) to pair batches.",
  description: "Lower-cases and tokenizes prompt and responses (Unicode words; Han/Kana " +
    "characters one by one; punctuation as its own token unless dropped), forms word n-grams " +
    "(and optional character n-grams inside words), and hashes them into `buckets` with the " +
    "prompt and the responses in separate namespaces. A text keeps its last `max_tokens` ids. " +
    "Stages that use the ids (`train`, `score`) check them against their own settings, so give " +
    "them the same `buckets` and features.",
  fields: {
    buckets: {
      type: "integer",
      default: DEFAULT_FEATURIZER.buckets,
      min: 1,
      max: 2 ** 24,
      description: "Hash buckets: must equal the model's buckets.",
    },
    ...FEATURIZER_FIELDS,
  },
  examples: [
    { title: "Words and bigrams (the defaults)", yaml: "use: featurize" },
    {
      title: "Smaller table, word trigrams and character 3-5-grams",
      yaml:
        "use: featurize\nwith: { buckets: 65536, ngram_max: 3, char_ngram_min: 3, char_ngram_max: 5 }",
    },
  ],
};

/** Config of `featurize` (snake_case as in the pipeline file). */
export interface FeaturizeConfig {
  buckets: number;
  ngram_min: number;
  ngram_max: number;
  char_ngram_min: number;
  char_ngram_max: number;
  max_tokens: number;
  punctuation: boolean;
  seed: number;
}

/**
 * @param cfg The validated config.
 * @param ctx The stage context.
 * @returns An operator that adds the id columns to each batch.
 */
export function operator(cfg: FeaturizeConfig, ctx: StageContext): OperatorFunction<Batch, Batch> {
  return (source) =>
    defer(() => {
      const featurizer = new Featurizer(featurizerConfigFromFields(cfg, cfg.buckets));
      const cache = featureCacheFor(ctx);
      return source.pipe(ctx.mapAsync((batch) => featurizeBatch(batch, featurizer, cache)));
    });
}
