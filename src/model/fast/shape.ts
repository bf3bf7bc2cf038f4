/**
 * The padded shapes of the CPU fast path: embedding rows padded to a multiple of 4 floats, the
 * MLP input and hidden widths to multiples of 8, so that every SIMD kernel runs on whole vectors.
 * Pads hold zeros in the weights and get zero gradients, so they never change the math.
 *
 * @module
 */
import { featureWidth, type ModelConfig } from "../types.ts";

/** Pairs per chunk: the unit of work given to a worker, fixed so results do not depend on workers. */
export const CHUNK_PAIRS = 64;

/**
 * Pairs per scoring chunk: a multiple of the GEMM's 6-row tiles. A pair's rewards do not depend
 * on the pairs scored with it, so this size changes speed only.
 */
export const SCORE_PAIRS = 96;

/** Padded widths and the column of each MLP input in the padded layout. */
export interface FastShape {
  dim: number;
  hidden: number;
  /** The model's MLP input width `F`. */
  features: number;
  /** `dim` rounded up to 4: the stride of embedding rows and of `p`, `q`, `p * q` in `x`. */
  dp: number;
  /** `3 * dp (+ 2)` rounded up to 8: the stride of `x` rows and of `W1` rows. */
  fp: number;
  /** `hidden` rounded up to 8. */
  hp: number;
  /** `colOf[k]`: the padded column of input `k` (0 <= k < F). */
  colOf: Int32Array;
  bag: boolean;
  dense: boolean;
}

const up = (n: number, m: number) => Math.ceil(n / m) * m;

/**
 * The padded shape of a model.
 *
 * @param cfg The model shape.
 * @returns Padded widths and the column map.
 * @example
 * ```ts
 * import { fastShape } from "./shape.ts";
 * import { DEFAULT_MODEL } from "../types.ts";
 * const s = fastShape({ ...DEFAULT_MODEL, dim: 5, hidden: 3 });
 * if (s.dp !== 8 || s.fp !== 32 || s.hp !== 8 || s.colOf[5] !== 8 || s.colOf[15] !== 24) throw new Error();
 * ```
 */
export function fastShape(cfg: ModelConfig): FastShape {
  const d = cfg.dim, dp = up(d, 4), f = featureWidth(cfg);
  const colOf = new Int32Array(f);
  for (let k = 0; k < f; k++) colOf[k] = Math.floor(k / d) * dp + (k % d);
  if (cfg.denseFeatures) colOf[3 * d] = 3 * dp, colOf[3 * d + 1] = 3 * dp + 1;
  return {
    dim: d,
    hidden: cfg.hidden,
    features: f,
    dp,
    fp: up(3 * dp + (cfg.denseFeatures ? 2 : 0), 8),
    hp: up(cfg.hidden, 8),
    colOf,
    bag: cfg.input === "bag",
    dense: cfg.denseFeatures,
  };
}
