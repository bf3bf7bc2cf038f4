/**
 * Random featurized pairs, training sets and parameter comparisons for the backend tests.
 *
 * @module
 */
import type { ModelConfig, ModelParams, PairFeatures, TrainSet } from "../../src/model/types.ts";
import { DEFAULT_MODEL } from "../../src/model/types.ts";
import type { Rng } from "../../src/contracts/rng.ts";
import { assertClose } from "./_harness.ts";

/** A small model (buckets 4096, dim 12, hidden 24) that keeps llvmpipe tests quick. */
export const SMALL: ModelConfig = { ...DEFAULT_MODEL, buckets: 4096, dim: 12, hidden: 24 };

/** Random bags of 0..maxBag ids (some empty, some repeated ids, edge rows included). */
export function randomPairs(rng: Rng, n: number, buckets: number, maxBag = 9): PairFeatures {
  const bag = () => {
    const offsets = new Uint32Array(n + 1), ids: number[] = [];
    for (let i = 0; i < n; i++) {
      const size = i % 11 === 5 ? 0 : rng.int(maxBag + 1);
      for (let t = 0; t < size; t++) {
        const r = rng.next();
        ids.push(
          r < 0.05
            ? 0
            : r < 0.1
            ? buckets - 1
            : r < 0.2 && t > 0
            ? ids[ids.length - 1]
            : rng.int(buckets),
        );
      }
      offsets[i + 1] = ids.length;
    }
    return [offsets, new Uint32Array(ids)] as const;
  };
  const [promptOffsets, promptIds] = bag(), [aOffsets, aIds] = bag(), [bOffsets, bIds] = bag();
  return { n, promptOffsets, promptIds, aOffsets, aIds, bOffsets, bIds };
}

/** `f` with `copies` occurrences of `token` prepended to every bag (a frequent row). */
export function withHotToken(f: PairFeatures, token: number, copies: number): PairFeatures {
  const bag = (o: Uint32Array, ids: Uint32Array) => {
    const offsets = new Uint32Array(f.n + 1), out: number[] = [];
    for (let i = 0; i < f.n; i++) {
      for (let c = 0; c < copies; c++) out.push(token);
      out.push(...ids.subarray(o[i], o[i + 1]));
      offsets[i + 1] = out.length;
    }
    return [offsets, new Uint32Array(out)] as const;
  };
  const [promptOffsets, promptIds] = bag(f.promptOffsets, f.promptIds);
  const [aOffsets, aIds] = bag(f.aOffsets, f.aIds), [bOffsets, bIds] = bag(f.bOffsets, f.bIds);
  return { n: f.n, promptOffsets, promptIds, aOffsets, aIds, bOffsets, bIds };
}

/** Precomputed-embedding features of `n` pairs of width `dim`. */
export function randomEmbeddings(rng: Rng, n: number, dim: number): PairFeatures {
  const v = () => Float32Array.from({ length: n * dim }, () => rng.normal() * 0.5);
  const empty = new Uint32Array(0);
  return {
    n,
    promptOffsets: empty,
    promptIds: empty,
    aOffsets: empty,
    aIds: empty,
    bOffsets: empty,
    bIds: empty,
    promptEmb: v(),
    aEmb: v(),
    bEmb: v(),
  };
}

/** All `n` pairs as examples with random labels and weights in [0.5, 1.5). */
export function randomSet(rng: Rng, n: number): TrainSet {
  return {
    indices: Uint32Array.from({ length: n }, (_, i) => i),
    labels: Int8Array.from({ length: n }, () => (rng.next() < 0.5 ? 1 : -1)),
    weights: Float32Array.from({ length: n }, () => 0.5 + rng.next()),
  };
}

/** Asserts every parameter group of `a` is within tolerance of `b`. */
export function assertParamsClose(
  a: ModelParams,
  b: ModelParams,
  what: string,
  atol = 1e-5,
  rtol = 1e-3,
): void {
  for (const g of ["embedding", "w1", "b1", "w2", "b2"] as const) {
    if (a[g].length !== b[g].length) {
      throw new Error(`${what}.${g}: ${a[g].length} values, expected ${b[g].length}`);
    }
    assertClose(a[g], b[g], `${what}.${g}`, atol, rtol);
  }
}

/**
 * Asserts weights trained on the GPU match the reference's. AdamW divides by `sqrt(v) + eps`, so
 * an element whose gradient is within float32 rounding of `eps` (sums that cancel) may move by a
 * visible fraction of `lr` differently on the two backends: every element must be within
 * `0.05 lr` per step, and all but 0.5% of them within `atol 1e-5, rtol 1e-3`.
 */
export function assertTrainedClose(
  a: ModelParams,
  b: ModelParams,
  lr: number,
  steps: number,
): void {
  let loose = 0, total = 0, worst = 0;
  for (const g of ["embedding", "w1", "b1", "w2", "b2"] as const) {
    if (a[g].length !== b[g].length) {
      throw new Error(`${g}: ${a[g].length} values, expected ${b[g].length}`);
    }
    for (let i = 0; i < a[g].length; i++) {
      const d = Math.abs(a[g][i] - b[g][i]);
      if (!(d <= 0.05 * lr * steps)) {
        throw new Error(`${g}[${i}] = ${a[g][i]}, expected ${b[g][i]}`);
      }
      if (d > 1e-5 + 1e-3 * Math.abs(b[g][i])) loose++;
      worst = Math.max(worst, d);
      total++;
    }
  }
  if (loose > 0.005 * total) {
    throw new Error(`${loose} of ${total} weights differ by more than 1e-5 (worst ${worst})`);
  }
}

/** True when every group of `a` equals `b` bit for bit. */
export function paramsIdentical(a: ModelParams, b: ModelParams): boolean {
  for (const g of ["embedding", "w1", "b1", "w2", "b2"] as const) {
    const x = new Uint32Array(a[g].buffer, a[g].byteOffset, a[g].length);
    const y = new Uint32Array(b[g].buffer, b[g].byteOffset, b[g].length);
    if (x.length !== y.length || x.some((v, i) => v !== y[i])) return false;
  }
  return true;
}
