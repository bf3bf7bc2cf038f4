/**
 * Length buckets: sequences sorted by length and cut into batches of similar lengths, so a batch
 * padded to its longest member spends little work on padding.
 *
 * @module
 */

/** One padded batch: which sequences, and the length they are padded to. */
export interface Bucket {
  /** Indices into the input, shortest first. */
  indices: number[];
  /** The longest member's length. */
  len: number;
}

/**
 * Cuts sequences into batches of at most `maxTokens` padded tokens (and at most `maxBatch`
 * sequences), after sorting them by length (ties keep input order).
 *
 * @param lengths Each sequence's length (tokens).
 * @param maxTokens Most padded tokens per batch (a longer sequence gets a batch of its own).
 * @param maxBatch Most sequences per batch.
 * @returns The batches, shortest first.
 * @example
 * ```ts
 * import { lengthBuckets } from "./buckets.ts";
 * const b = lengthBuckets([5, 100, 6, 98], 200, 64);
 * if (JSON.stringify(b) !== '[{"indices":[0,2],"len":6},{"indices":[3,1],"len":100}]') throw new Error();
 * ```
 */
export function lengthBuckets(
  lengths: readonly number[],
  maxTokens: number,
  maxBatch = Infinity,
): Bucket[] {
  const order = lengths.map((_, i) => i).sort((a, b) => lengths[a] - lengths[b] || a - b);
  const out: Bucket[] = [];
  let cur: Bucket | null = null;
  for (const i of order) {
    const len = lengths[i];
    if (cur && cur.indices.length < maxBatch && (cur.indices.length + 1) * len <= maxTokens) {
      cur.indices.push(i);
      cur.len = len;
    } else {
      out.push(cur = { indices: [i], len });
    }
  }
  return out;
}

/**
 * Padding overhead of a set of buckets.
 *
 * @param buckets The batches.
 * @param lengths The sequences' lengths.
 * @returns Real tokens and padded tokens (what the kernels compute on).
 * @example
 * ```ts
 * import { lengthBuckets, paddedTokens } from "./buckets.ts";
 * const lengths = [5, 100, 6, 98];
 * const p = paddedTokens(lengthBuckets(lengths, 200), lengths);
 * if (p.real !== 209 || p.padded !== 212) throw new Error();
 * ```
 */
export function paddedTokens(
  buckets: readonly Bucket[],
  lengths: readonly number[],
): { real: number; padded: number } {
  let real = 0, padded = 0;
  for (const b of buckets) {
    padded += b.len * b.indices.length;
    for (const i of b.indices) real += lengths[i];
  }
  return { real, padded };
}
