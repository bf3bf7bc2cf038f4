/**
 * The synthetic world's vocabulary: pronounceable pseudo-words (so no real word's meaning leaks
 * in) and Zipf-distributed word choice (a few common words, a long tail of rare ones).
 *
 * @module
 */
import type { Rng } from "../../contracts/rng.ts";

const ONSETS = [
  "b",
  "c",
  "d",
  "f",
  "g",
  "h",
  "j",
  "k",
  "l",
  "m",
  "n",
  "p",
  "r",
  "s",
  "t",
  "v",
  "w",
  "z",
  "br",
  "cl",
  "dr",
  "fl",
  "gr",
  "pl",
  "pr",
  "sk",
  "st",
  "tr",
  "sh",
  "th",
];
const VOWELS = ["a", "e", "i", "o", "u", "ai", "ea", "io", "ou"];
const CODAS = ["", "", "", "n", "r", "s", "l", "m", "x", "nd", "st"];

/**
 * Draws `count` distinct pseudo-words of 1 to 3 syllables, none of them in `taken` (which is
 * updated), so word families never share a word.
 *
 * @param count How many words.
 * @param rng The generator.
 * @param taken Words already used by other families.
 * @returns The words, in draw order.
 * @example
 * ```ts
 * import { pseudoWords } from "./vocab.ts";
 * import { Rng } from "../../contracts/rng.ts";
 * const taken = new Set<string>();
 * const a = pseudoWords(50, new Rng(1), taken), b = pseudoWords(50, new Rng(1), taken);
 * if (a.some((w) => b.includes(w)) || taken.size !== 100) throw new Error();
 * ```
 */
export function pseudoWords(count: number, rng: Rng, taken: Set<string>): string[] {
  const out: string[] = [];
  let tries = 0;
  while (out.length < count) {
    if (++tries > count * 1000 + 10000) {
      throw new RangeError(
        `Cannot draw ${count} distinct pseudo-words: the vocabulary is too large`,
      );
    }
    const syllables = 1 + rng.int(3) + (rng.next() < 0.3 ? 1 : 0);
    let w = "";
    for (let s = 0; s < syllables; s++) {
      w += ONSETS[rng.int(ONSETS.length)] + VOWELS[rng.int(VOWELS.length)];
      if (s === syllables - 1 || rng.next() < 0.3) w += CODAS[rng.int(CODAS.length)];
    }
    if (w.length < 3 || taken.has(w)) continue;
    taken.add(w);
    out.push(w);
  }
  return out;
}

/** Draws ranks 0..n-1 with probability proportional to `1 / (rank + 1)^exponent`. */
export class Zipf {
  #cdf: Float64Array;

  /**
   * @param n How many ranks.
   * @param exponent The Zipf exponent (1 is classic Zipf; larger makes the tail rarer).
   * @example
   * ```ts
   * import { Zipf } from "./vocab.ts";
   * const z = new Zipf(100, 1.1);
   * if (!(z.probability(0) > 10 * z.probability(50))) throw new Error("head must dominate");
   * ```
   */
  constructor(n: number, exponent: number) {
    if (!(n >= 1)) {
      throw new RangeError(`Cannot build Zipf sampler as 'n' must be >= 1: current value is ${n}`);
    }
    this.#cdf = new Float64Array(n);
    let sum = 0;
    for (let k = 0; k < n; k++) this.#cdf[k] = sum += 1 / Math.pow(k + 1, exponent);
    for (let k = 0; k < n; k++) this.#cdf[k] /= sum;
  }

  /** @returns The probability of rank `k`. */
  probability(k: number): number {
    return this.#cdf[k] - (k > 0 ? this.#cdf[k - 1] : 0);
  }

  /** @returns A rank drawn with `rng`. */
  sample(rng: Rng): number {
    const u = rng.next();
    let lo = 0, hi = this.#cdf.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.#cdf[mid] > u) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }
}

/**
 * A Poisson draw (Knuth's method for small means, a rounded normal for large ones).
 *
 * @param mean The mean (>= 0).
 * @param rng The generator.
 * @returns A non-negative integer.
 * @example
 * ```ts
 * import { poisson } from "./vocab.ts";
 * import { Rng } from "../../contracts/rng.ts";
 * const rng = new Rng(3);
 * let s = 0;
 * for (let i = 0; i < 2000; i++) s += poisson(4, rng);
 * if (Math.abs(s / 2000 - 4) > 0.2) throw new Error();
 * ```
 */
export function poisson(mean: number, rng: Rng): number {
  if (mean <= 0) return 0;
  if (mean > 30) return Math.max(0, Math.round(mean + Math.sqrt(mean) * rng.normal()));
  const limit = Math.exp(-mean);
  let k = 0, p = rng.next();
  while (p > limit) {
    k++;
    p *= rng.next();
  }
  return k;
}
