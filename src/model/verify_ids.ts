/**
 * A cheap guard against token ids made with other featurizer settings than a model expects:
 * re-featurizes the first rows of the first featurized batch and compares.
 *
 * @module
 */
import type { Batch } from "../contracts/types.ts";
import { Featurizer, type FeaturizerConfig } from "./featurizer.ts";
import { csrFromList, ID_COLUMNS, textsOf } from "./id_columns.ts";

/**
 * Throws when the id columns of `batches` were not produced by `cfg` (checks up to `sample`
 * rows of the first batch that has id columns; batches without them are skipped).
 *
 * @param batches Pair batches.
 * @param cfg The featurizer settings the ids must come from.
 * @param who The stage or model the ids are for (for the message).
 * @param sample How many rows to re-featurize.
 * @throws {Error} Saying which column differs and what to change.
 * @example
 * ```ts
 * import { verifyIdColumns } from "./verify_ids.ts";
 * import { DEFAULT_FEATURIZER, Featurizer } from "./featurizer.ts";
 * import { featurizeBatch } from "./id_columns.ts";
 * import { pairBatch } from "../data/schema.ts";
 * const b = featurizeBatch(pairBatch([{ pair_id: "p", group_id: "g", prompt: "a b", response_a: "c",
 *   response_b: "d", label: 1, split: "seed", gold: null, source: "x" }]), new Featurizer(DEFAULT_FEATURIZER));
 * verifyIdColumns([b], DEFAULT_FEATURIZER, "train"); // same settings: no error
 * ```
 */
export function verifyIdColumns(
  batches: readonly Batch[],
  cfg: FeaturizerConfig,
  who: string,
  sample = 4,
): void {
  const batch = batches.find((b) => b.numRows > 0 && b.getChild(ID_COLUMNS.prompt));
  if (!batch) return;
  const k = Math.min(sample, batch.numRows);
  const featurizer = new Featurizer(cfg);
  const cols = [
    [ID_COLUMNS.prompt, "prompt", "prompt"],
    [ID_COLUMNS.response_a, "response_a", "response"],
    [ID_COLUMNS.response_b, "response_b", "response"],
  ] as const;
  for (const [name, text, ns] of cols) {
    const texts = batch.getChild(text);
    const col = batch.getChild(name);
    if (!texts || !col) continue;
    const want = featurizer.featurizeTexts(textsOf(texts).slice(0, k), ns);
    const have = csrFromList(col);
    let same = true;
    for (let i = 0; i <= k && same; i++) same = have.offsets[i] === want.offsets[i];
    for (let t = 0; t < want.ids.length && same; t++) same = have.ids[t] === want.ids[t];
    if (!same) {
      throw new Error(
        `Cannot use the '${name}' column for ${who} as its token ids were made with other ` +
          `featurizer settings: give the featurize stage the same buckets and features as ${who} ` +
          `(or drop the featurize stage and let ${who} featurize the text)`,
      );
    }
  }
}
