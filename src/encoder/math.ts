/**
 * Scalar functions of the encoder: the exact (erf) GELU of BERT and a double-precision erf.
 *
 * @module
 */

const TWO_OVER_SQRT_PI = 1.1283791670955126;

/**
 * The error function to double precision (Taylor series below |x| = 3, a continued fraction for
 * erfc above).
 *
 * @param x Any number.
 * @returns erf(x).
 * @example
 * ```ts
 * import { erf } from "./math.ts";
 * if (Math.abs(erf(1) - 0.8427007929497149) > 1e-15) throw new Error();
 * ```
 */
export function erf(x: number): number {
  const a = Math.abs(x);
  if (a >= 6) return Math.sign(x);
  if (a < 3) {
    let term = x, sum = x;
    for (let n = 1; n < 200; n++) {
      term *= -x * x / n;
      const t = term / (2 * n + 1);
      sum += t;
      if (Math.abs(t) < 1e-17 * Math.abs(sum)) break;
    }
    return TWO_OVER_SQRT_PI * sum;
  }
  // erfc(a) = exp(-a^2) / sqrt(pi) * 1 / (a + 1/2 / (a + 1 / (a + 3/2 / (a + ...)))).
  let f = a;
  for (let k = 60; k >= 1; k--) f = a + (k / 2) / f;
  const erfc = Math.exp(-a * a) / Math.sqrt(Math.PI) / f;
  return Math.sign(x) * (1 - erfc);
}

/**
 * GELU with the exact erf: `x / 2 * (1 + erf(x / sqrt(2)))` (`hidden_act: "gelu"`).
 *
 * @param x The input.
 * @returns GELU(x).
 * @example
 * ```ts
 * import { gelu } from "./math.ts";
 * if (Math.abs(gelu(1) - 0.8413447460685429) > 1e-12) throw new Error();
 * ```
 */
export function gelu(x: number): number {
  return 0.5 * x * (1 + erf(x * Math.SQRT1_2));
}
