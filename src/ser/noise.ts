/**
 * Noisy student (`train.self_noise`): self-labelled pairs are trained on noised copies of their
 * inputs while human pairs and every scoring pass see the clean ones. The copies are appended
 * after the loaded pairs (rows `n ..`), so the clean rows keep their indices and every backend
 * trains on them through the ordinary contract; a fresh draw is made every iteration, from the
 * run's seed and the iteration only (deterministic, and the same on every backend).
 *
 * - Hashed bags (`model.input: bag`): token dropout, each id of the prompt and of both responses
 *   is left out with probability `rate`.
 * - Precomputed vectors (`model.input: embedding`): dropout on the components, each zeroed with
 *   probability `rate` and the rest scaled by `1 / (1 - rate)`.
 *
 * @module
 */
import type { PairFeatures, RewardBackend, TrainSet } from "../model/types.ts";
import type { Rng } from "../contracts/rng.ts";

/** Features with noised copies appended, and where each copied row went. */
export interface NoisyFeatures {
  features: PairFeatures;
  /** Row -> index of its noised copy. */
  copyOf: Map<number, number>;
}

/**
 * Appends a noised copy of each of `rows` to `f`.
 *
 * @param f The clean features (not modified).
 * @param rows The rows to copy (each once).
 * @param rate Dropout probability in [0, 1).
 * @param rng The draws (consumed in row order: prompt, a, b).
 * @returns The extended features (rows `0 .. f.n` unchanged) and the copies' indices.
 * @example
 * ```ts
 * import { noisyCopies } from "./noise.ts";
 * import { Rng } from "../contracts/rng.ts";
 * const o = new Uint32Array([0, 4]), ids = new Uint32Array([1, 2, 3, 4]);
 * const f = { n: 1, promptOffsets: o, promptIds: ids, aOffsets: o, aIds: ids, bOffsets: o, bIds: ids };
 * const { features, copyOf } = noisyCopies(f, [0], 0.5, new Rng(3));
 * if (features.n !== 2 || copyOf.get(0) !== 1) throw new Error();
 * if (features.aOffsets[2] - features.aOffsets[1] > 4) throw new Error(); // ids only dropped
 * ```
 */
export function noisyCopies(
  f: PairFeatures,
  rows: ArrayLike<number>,
  rate: number,
  rng: Rng,
): NoisyFeatures {
  if (!(rate >= 0 && rate < 1)) {
    throw new RangeError(
      `Cannot add noise as the rate must be in [0, 1): current value is ${rate}`,
    );
  }
  const copyOf = new Map<number, number>();
  for (let j = 0; j < rows.length; j++) copyOf.set(rows[j], f.n + j);
  const n = f.n + rows.length;
  if (f.promptEmb && f.aEmb && f.bEmb) {
    const d = f.promptEmb.length / f.n;
    const grow = (src: Float32Array, out: Float32Array, j: number) => {
      const r = rows[j], at = (f.n + j) * d;
      for (let c = 0; c < d; c++) {
        out[at + c] = rng.next() < rate ? 0 : src[r * d + c] / (1 - rate);
      }
    };
    const p = new Float32Array(n * d), a = new Float32Array(n * d), b = new Float32Array(n * d);
    p.set(f.promptEmb), a.set(f.aEmb), b.set(f.bEmb);
    for (let j = 0; j < rows.length; j++) {
      grow(f.promptEmb, p, j), grow(f.aEmb, a, j), grow(f.bEmb, b, j);
    }
    return { features: { ...f, n, promptEmb: p, aEmb: a, bEmb: b }, copyOf };
  }
  const cols = [
    [f.promptOffsets, f.promptIds],
    [f.aOffsets, f.aIds],
    [f.bOffsets, f.bIds],
  ].map(([off, ids]) => ({
    off,
    ids,
    outOff: new Uint32Array(n + 1),
    out: [] as number[],
  }));
  for (const c of cols) c.outOff.set(c.off);
  for (let j = 0; j < rows.length; j++) {
    const r = rows[j];
    for (const c of cols) {
      for (let t = c.off[r]; t < c.off[r + 1]; t++) if (rng.next() >= rate) c.out.push(c.ids[t]);
      c.outOff[f.n + j + 1] = c.off[f.n] + c.out.length;
    }
  }
  const ids = cols.map((c) => {
    const all = new Uint32Array(c.off[f.n] + c.out.length);
    all.set(c.ids.subarray(0, c.off[f.n]));
    all.set(c.out, c.off[f.n]);
    return all;
  });
  return {
    features: {
      ...f,
      n,
      promptOffsets: cols[0].outOff,
      promptIds: ids[0],
      aOffsets: cols[1].outOff,
      aIds: ids[1],
      bOffsets: cols[2].outOff,
      bIds: ids[2],
    },
    copyOf,
  };
}

/**
 * Points a training set's self-labelled entries at their noised copies (human entries keep their
 * rows).
 *
 * @param set The training set.
 * @param isSelf Whether entry j is a self-label.
 * @param copyOf Row -> noised copy.
 * @returns The set with remapped indices.
 */
export function remapToCopies(
  set: TrainSet,
  isSelf: (j: number) => boolean,
  copyOf: Map<number, number>,
): TrainSet {
  const indices = Uint32Array.from(
    set.indices,
    (i, j) => isSelf(j) ? copyOf.get(i) ?? _missing(i) : i,
  );
  return { ...set, indices };
}

function _missing(row: number): never {
  throw new Error(`Cannot train on a noised copy of row ${row}: it has none`);
}

/**
 * Loads the clean features plus noised copies of the training set's self-labelled rows into the
 * backend, and returns the set pointed at the copies. The clean rows keep their indices, so
 * scoring and evaluation afterwards see clean inputs.
 *
 * @param backend The backend to load into.
 * @param features The clean features.
 * @param set The training set (human entries first, then self-labels from entry `firstSelf`).
 * @param firstSelf Index of the first self-labelled entry.
 * @param rate Dropout probability.
 * @param rng The draws.
 * @returns The set to train on.
 */
export async function loadNoisyTrainSet(
  backend: RewardBackend,
  features: PairFeatures,
  set: TrainSet,
  firstSelf: number,
  rate: number,
  rng: Rng,
): Promise<TrainSet> {
  const rows = [...new Set(set.indices.subarray(firstSelf))].sort((a, b) => a - b);
  if (rate <= 0 || rows.length === 0) return set;
  const { features: noisy, copyOf } = noisyCopies(features, rows, rate, rng);
  await backend.load(noisy);
  return remapToCopies(set, (j) => j >= firstSelf, copyOf);
}
