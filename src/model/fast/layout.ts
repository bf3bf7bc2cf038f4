/**
 * Where everything of the CPU fast path lives in its shared memory: weights, per-worker scratch,
 * the loaded features, the current mini-batch and the scoring buffers. A plain object of element
 * offsets, so it can be posted to workers.
 *
 * @module
 */
import type { Arena, Region } from "./arena.ts";
import { CHUNK_PAIRS, type FastShape, SCORE_PAIRS } from "./shape.ts";

/** Scratch of one worker: MLP rows of one chunk (a rows first, then b rows). */
export interface Scratch {
  /** Inputs `[2C x fp]`. */
  x: number;
  /** Pre-activations, then activations `[2C x hp]`. */
  h: number;
  /** Activation derivatives `[2C x hp]`. */
  g: number;
  /** Gradients at the pre-activations `[2C x hp]` and transposed `[hp x 2C]`. */
  dz: number;
  dzt: number;
  /** Gradients at the inputs `[2C x fp]`. */
  dx: number;
  /** Rewards `[2C]`. */
  r: number;
  /**
   * Scoring inputs: rows of `scoreStride` floats, `SCORE_PAIRS` prompt rows, then as many `q_a`
   * and `q_b` rows (the pooled vectors, then with dense features log1p of the bag size).
   */
  sx: number;
}

/** Floats per scoring input row: the pooled vector and one dense feature, padded to 4. */
export function scoreStride(s: FastShape): number {
  return s.dp + 4;
}

/** Floats of the packed scoring weights (`packScoreWeights`). */
export function scoreWeightsSize(s: FastShape): number {
  return 3 * (s.dp + 1) * s.hp;
}

/** Element offsets (4-byte units) of every buffer. */
export interface Layout {
  /** Embedding table, moments and gradient `[buckets x dp]` (bag input; -1 otherwise). */
  emb: number;
  embM: number;
  embV: number;
  embG: number;
  /** Rows touched by the current mini-batch (u32, first-touch order). */
  touched: number;
  /** `W1` padded `[hp x fp]`, transposed `[fp x hp]`, `b1`, `w2` `[hp]`, `b2` `[1]`. */
  w1: number;
  w1t: number;
  b1: number;
  w2: number;
  b2: number;
  /** `W1`'s columns packed for scoring (`score_weights.ts`). */
  sw: number;
  scratch: Scratch[];
  /** Features: u32 CSR arrays (bag) or f32 `[n x dp]` vectors (embedding input). */
  feat: { pOff: number; pIds: number; aOff: number; aIds: number; bOff: number; bIds: number };
  /** The mini-batch: pair indices (u32), labels and weights (f32), pooled-vector gradients `[3 x dp]` each. */
  batch: {
    cap: number;
    idx: number;
    y: number;
    w: number;
    dv: number;
    grads: number;
    stats: number;
  };
  /** Scoring: pair indices (u32) and rewards (f32, a then b). */
  score: { cap: number; idx: number; out: number };
}

/** Floats of one chunk's dense gradients: `gW1 [hp x fp]`, `gb1`, `gw2` `[hp]`, `gb2` (4). */
export function chunkGradSize(s: FastShape): number {
  return s.hp * s.fp + 2 * s.hp + 4;
}

/**
 * Allocates the weights and `workers` scratch areas.
 *
 * @param a The arena.
 * @param s The padded shape.
 * @param buckets Rows of the embedding table.
 * @param workers Threads that compute chunks (each gets scratch).
 * @returns The layout, with empty feature, batch and score areas.
 * @example
 * ```ts
 * import { Arena } from "./arena.ts";
 * import { fastShape } from "./shape.ts";
 * import { allocLayout } from "./layout.ts";
 * import { DEFAULT_MODEL } from "../types.ts";
 * const l = allocLayout(new Arena(), fastShape(DEFAULT_MODEL), 16, 2);
 * if (l.scratch.length !== 2 || l.batch.cap !== 0) throw new Error();
 * ```
 */
export function allocLayout(a: Arena, s: FastShape, buckets: number, workers: number): Layout {
  const table = s.bag ? buckets * s.dp : 0, at = (r: Region) => r.at;
  const bag = (n: number) => (s.bag ? at(a.alloc(n)) : -1);
  const rows = 2 * CHUNK_PAIRS;
  return {
    emb: bag(table),
    embM: bag(table),
    embV: bag(table),
    embG: bag(table),
    touched: bag(buckets),
    w1: at(a.alloc(s.hp * s.fp)),
    w1t: at(a.alloc(s.fp * s.hp)),
    b1: at(a.alloc(s.hp)),
    w2: at(a.alloc(s.hp)),
    b2: at(a.alloc(4)),
    sw: at(a.alloc(scoreWeightsSize(s))),
    scratch: Array.from({ length: workers }, () => ({
      x: at(a.alloc(rows * s.fp)),
      h: at(a.alloc(rows * s.hp)),
      g: at(a.alloc(rows * s.hp)),
      dz: at(a.alloc(rows * s.hp)),
      dzt: at(a.alloc(rows * s.hp)),
      dx: at(a.alloc(rows * s.fp)),
      r: at(a.alloc(rows)),
      sx: at(a.alloc(3 * SCORE_PAIRS * scoreStride(s))),
    })),
    feat: { pOff: -1, pIds: -1, aOff: -1, aIds: -1, bOff: -1, bIds: -1 },
    batch: { cap: 0, idx: -1, y: -1, w: -1, dv: -1, grads: -1, stats: -1 },
    score: { cap: 0, idx: -1, out: -1 },
  };
}

/**
 * Makes room for mini-batches of `size` pairs (no-op when there is room already).
 *
 * @param a The arena.
 * @param l The layout (updated).
 * @param s The padded shape.
 * @param size Pairs per mini-batch.
 */
export function ensureBatch(a: Arena, l: Layout, s: FastShape, size: number): void {
  if (l.batch.cap >= size) return;
  const chunks = Math.ceil(size / CHUNK_PAIRS);
  l.batch = {
    cap: size,
    idx: a.alloc(size).at,
    y: a.alloc(size).at,
    w: a.alloc(size).at,
    dv: a.alloc(size * 3 * s.dp).at,
    grads: a.alloc(chunks * chunkGradSize(s)).at,
    stats: a.alloc(chunks * 4).at, // two float64 per chunk: loss sum, right count
  };
}

/**
 * Makes room for scoring `size` pairs at once.
 *
 * @param a The arena.
 * @param l The layout (updated).
 * @param size Pairs.
 */
export function ensureScore(a: Arena, l: Layout, size: number): void {
  if (l.score.cap >= size) return;
  l.score = { cap: size, idx: a.alloc(size).at, out: a.alloc(2 * size).at };
}
