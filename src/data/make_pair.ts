/**
 * Turns a record's prompt, responses and verdict into a stored pair row: content-hashed ids and
 * a seeded, content-stable a/b order.
 *
 * @module
 */
import type { PairRow } from "./schema.ts";
import { groupId, pairId, preferredIsB } from "./hash.ts";
import type { RecordPair } from "./presets.ts";

/**
 * Builds the pair row. The preferred response goes to `b` for about half of the pairs (a coin
 * seeded by `seed` and the pair's content), so `label` is 1 or -1 in equal measure; a tie
 * (kept as unlabelled) gets `label` null.
 *
 * @param pair The record's pair (its verdict must be "a" or "b", or "tie" to keep it unlabelled).
 * @param seed The pipeline seed.
 * @param source Where the row came from ("file:line").
 * @returns The row, with `split` "" and `gold` null.
 * @example
 * ```ts
 * import { makePair } from "./make_pair.ts";
 * const r = makePair({ prompt: "q", first: "good", second: "bad", verdict: "a", groupKey: "q" }, 7, "f:1");
 * const preferred = r.label === 1 ? r.response_a : r.response_b;
 * if (preferred !== "good") throw new Error();
 * ```
 */
export function makePair(pair: RecordPair, seed: number, source: string): PairRow {
  const id = pairId(pair.prompt, pair.first, pair.second);
  const preferred = pair.verdict === "b" ? pair.second : pair.first;
  const other = pair.verdict === "b" ? pair.first : pair.second;
  const swap = preferredIsB(seed, id);
  return {
    pair_id: id,
    group_id: groupId(pair.groupKey),
    prompt: pair.prompt,
    response_a: swap ? other : preferred,
    response_b: swap ? preferred : other,
    label: pair.verdict === "tie" ? null : swap ? -1 : 1,
    split: "",
    gold: null,
    source,
  };
}
