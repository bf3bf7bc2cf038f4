/**
 * The touched rows of one mini-batch, for the deterministic embedding gradient: each distinct row
 * once, sorted, with the bag slots (3 i + k) of all its occurrences in slot order. A counting
 * pass and a sort of the distinct rows (or a scan of the table's counts, when cheaper):
 * O(tokens + min(distinct log distinct, buckets)).
 *
 * @module
 */
import type { PairFeatures } from "../model/types.ts";

/** u32 words per touched row in the `rows` list: (row, first, end, blocked). */
export const ROW_WORDS = 4;

/** Lists touched rows with reusable scratch (one per loaded feature set). */
export class StepRowLister {
  readonly #f: PairFeatures;
  readonly #count: Int32Array;
  #uniq = new Uint32Array(1024);

  /**
   * @param f The loaded features.
   * @param buckets Rows of the embedding table.
   * @example
   * ```ts
   * import { StepRowLister } from "./step_rows.ts";
   * const o = new Uint32Array([0, 2]), e = new Uint32Array([0, 0]);
   * const f = { n: 1, promptOffsets: o, promptIds: new Uint32Array([5, 2]), aOffsets: o,
   *   aIds: new Uint32Array([2, 2]), bOffsets: e, bIds: new Uint32Array(0) };
   * const rows = new Uint32Array(16), contribs = new Uint32Array(4);
   * const [u, c] = new StepRowLister(f, 8).list(new Uint32Array([0]), rows, contribs, 0, 0);
   * // Row 2: slots 0 (prompt), 1, 1 (response a, twice); row 5: slot 0.
   * if (u !== 2 || c !== 4 || rows[0] !== 2 || contribs.join() !== "0,1,1,0") throw new Error();
   * ```
   */
  constructor(f: PairFeatures, buckets: number) {
    this.#f = f;
    this.#count = new Int32Array(buckets);
  }

  /**
   * Lists one step's touched rows and their contributions.
   *
   * @param pairs The step's pair indices (slot i = pairs[i]).
   * @param rows Output: (row, first, end, 0) per touched row, written from entry `u`.
   * @param contribs Output: bag slots, written from `c`.
   * @param u First free entry of `rows`.
   * @param c First free entry of `contribs`.
   * @returns The next free entries `[u, c]`.
   */
  list(
    pairs: Uint32Array,
    rows: Uint32Array,
    contribs: Uint32Array,
    u: number,
    c: number,
  ): [number, number] {
    const f = this.#f, count = this.#count;
    const bags = [[f.promptOffsets, f.promptIds], [f.aOffsets, f.aIds], [
      f.bOffsets,
      f.bIds,
    ]] as const;
    let distinct = 0;
    for (let i = 0; i < pairs.length; i++) {
      for (const [offs, ids] of bags) {
        for (let t = offs[pairs[i]]; t < offs[pairs[i] + 1]; t++) {
          if (count[ids[t]]++ === 0) {
            if (distinct === this.#uniq.length) this.#grow();
            this.#uniq[distinct++] = ids[t];
          }
        }
      }
    }
    // Distinct rows in order: sorted, or read off the count table when that is cheaper (many
    // distinct rows in a small table).
    let uniq = this.#uniq.subarray(0, distinct);
    if (distinct * Math.log2(distinct + 1) > count.length) {
      let j = 0;
      for (let r = 0; j < distinct; r++) if (count[r] !== 0) uniq[j++] = r;
    } else uniq = uniq.sort();
    for (let j = 0; j < distinct; j++) {
      const row = uniq[j], e = ROW_WORDS * (u + j);
      rows[e] = row;
      rows[e + 1] = c;
      c += count[row];
      rows[e + 2] = c;
      rows[e + 3] = 0;
      count[row] = rows[e + 1]; // now the row's write cursor
    }
    for (let i = 0; i < pairs.length; i++) {
      for (let k = 0; k < 3; k++) {
        const [offs, ids] = bags[k];
        for (let t = offs[pairs[i]]; t < offs[pairs[i] + 1]; t++) {
          contribs[count[ids[t]]++] = 3 * i + k;
        }
      }
    }
    for (let j = 0; j < distinct; j++) count[uniq[j]] = 0;
    return [u + distinct, c];
  }

  #grow(): void {
    const next = new Uint32Array(this.#uniq.length * 2);
    next.set(this.#uniq);
    this.#uniq = next;
  }
}
