/**
 * A sparse accumulator of embedding-row gradients for one mini-batch: rows get a packed slot on
 * first touch, in first-touch order, so accumulation is deterministic.
 *
 * @module
 */
import { bagScale } from "./bag.ts";

/** Touched rows and their packed float64 gradients. */
export class SparseRows {
  /** `slotOf[row]` is the row's slot, or -1 when untouched in this mini-batch. */
  readonly slotOf: Int32Array;
  /** The touched rows, by slot. */
  rows: Int32Array = new Int32Array(1024);
  /** Packed gradients: slot `s` is `grad[s * dim, (s + 1) * dim)`. */
  grad: Float64Array;
  /** Touched rows so far. */
  count = 0;
  readonly dim: number;

  /**
   * @param buckets Rows of the embedding table.
   * @param dim Row width.
   * @example
   * ```ts
   * import { SparseRows } from "./sparse_rows.ts";
   * const s = new SparseRows(10, 2);
   * s.touch(new Uint32Array([7, 7, 3]), 0, 3);
   * if (s.count !== 2 || s.rows[0] !== 7) throw new Error();
   * s.clear();
   * if (s.slotOf[7] !== -1) throw new Error();
   * ```
   */
  constructor(buckets: number, dim: number) {
    this.slotOf = new Int32Array(buckets).fill(-1);
    this.dim = dim;
    this.grad = new Float64Array(1024 * dim);
  }

  /** Gives every id of `ids[start, end)` a slot (with a zero gradient) if it has none. */
  touch(ids: Uint32Array, start: number, end: number): void {
    for (let t = start; t < end; t++) {
      const row = ids[t];
      if (this.slotOf[row] >= 0) continue;
      if (this.count === this.rows.length) this.#grow();
      this.slotOf[row] = this.count;
      this.rows[this.count++] = row;
    }
  }

  /** Adds `dv * bagScale(n)` to the slot of every id in `ids[start, end)` (touched before). */
  scatter(
    ids: Uint32Array,
    start: number,
    end: number,
    pooling: "mean" | "sqrtn",
    dv: Float64Array,
  ) {
    const s = bagScale(end - start, pooling), dim = this.dim, g = this.grad;
    for (let t = start; t < end; t++) {
      const base = this.slotOf[ids[t]] * dim;
      for (let k = 0; k < dim; k++) g[base + k] += dv[k] * s;
    }
  }

  /** Forgets the touched rows (ready for the next mini-batch). */
  clear(): void {
    for (let s = 0; s < this.count; s++) this.slotOf[this.rows[s]] = -1;
    this.grad.fill(0, 0, this.count * this.dim);
    this.count = 0;
  }

  #grow(): void {
    const rows = new Int32Array(this.rows.length * 2);
    rows.set(this.rows);
    this.rows = rows;
    const grad = new Float64Array(rows.length * this.dim);
    grad.set(this.grad);
    this.grad = grad;
  }
}
