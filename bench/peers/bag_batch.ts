/**
 * Host-side batch assembly for the TF.js peer: the token ids of a mini-batch's prompt, a and b
 * bags, renumbered into the batch's unique rows (so the lazy optimizer touches only those), with
 * the segment (bag) of every token and its pooling weight.
 *
 * @module
 */
import type { PairFeatures } from "../../src/model/types.ts";

/** One mini-batch's bags: `3 * pairs` of them (all prompts, then all a, then all b). */
export interface BagBatch {
  pairs: number;
  /** The table rows the batch touches, in first-seen order. */
  unique: Int32Array;
  /** Per token: its row's position in `unique`. */
  local: Int32Array;
  /** Per token: its bag, in `[0, 3 * pairs)`. */
  segment: Int32Array;
  /** Per token: the pooling weight, `1 / n` (mean) or `1 / sqrt(n)` (sqrtn), n = max(bag size, 1). */
  weight: Float32Array;
  /** Per bag: `log1p(bag size)`. */
  logCounts: Float32Array;
}

/** Builds `BagBatch`es from CSR features without per-batch hash maps. */
export class BagBatcher {
  /** The features batches are cut from. */
  readonly features: PairFeatures;
  #f: PairFeatures;
  #pooling: "mean" | "sqrtn";
  /** Row -> batch number that last saw it, and its slot in that batch. */
  #stamp: Int32Array;
  #slot: Int32Array;
  #batchNo = 0;

  /**
   * @param features The pairs (CSR).
   * @param buckets Rows of the embedding table (every id must be below it).
   * @param pooling The bag pooling.
   */
  constructor(features: PairFeatures, buckets: number, pooling: "mean" | "sqrtn") {
    this.#f = features;
    this.features = features;
    this.#pooling = pooling;
    this.#stamp = new Int32Array(buckets).fill(-1);
    this.#slot = new Int32Array(buckets);
  }

  /**
   * @param pairIdx The pairs of the batch.
   * @returns Their bags.
   * @example
   * ```ts
   * import { BagBatcher } from "./bag_batch.ts";
   * const u = (a: number[]) => new Uint32Array(a);
   * const f = { n: 1, promptOffsets: u([0, 1]), promptIds: u([3]), aOffsets: u([0, 2]),
   *   aIds: u([3, 5]), bOffsets: u([0, 0]), bIds: u([]) };
   * const b = new BagBatcher(f, 8, "mean").batch(u([0]));
   * if (b.unique.length !== 2 || b.segment[2] !== 1 || b.weight[1] !== 0.5) throw new Error();
   * ```
   */
  batch(pairIdx: Uint32Array): BagBatch {
    const f = this.#f;
    const cols: [Uint32Array, Uint32Array][] = [
      [f.promptOffsets, f.promptIds],
      [f.aOffsets, f.aIds],
      [f.bOffsets, f.bIds],
    ];
    const B = pairIdx.length;
    let total = 0;
    for (const [off] of cols) for (const i of pairIdx) total += off[i + 1] - off[i];
    const local = new Int32Array(total);
    const segment = new Int32Array(total);
    const weight = new Float32Array(total);
    const logCounts = new Float32Array(3 * B);
    const unique: number[] = [];
    const no = this.#batchNo++;
    let k = 0;
    cols.forEach(([off, ids], c) => {
      for (let j = 0; j < B; j++) {
        const i = pairIdx[j];
        const n = off[i + 1] - off[i];
        const bag = c * B + j;
        const wt = this.#pooling === "mean" ? 1 / Math.max(n, 1) : 1 / Math.sqrt(Math.max(n, 1));
        logCounts[bag] = Math.log1p(n);
        for (let t = off[i]; t < off[i + 1]; t++, k++) {
          const id = ids[t];
          if (this.#stamp[id] !== no) {
            this.#stamp[id] = no;
            this.#slot[id] = unique.length;
            unique.push(id);
          }
          local[k] = this.#slot[id];
          segment[k] = bag;
          weight[k] = wt;
        }
      }
    });
    return { pairs: B, unique: Int32Array.from(unique), local, segment, weight, logCounts };
  }
}
