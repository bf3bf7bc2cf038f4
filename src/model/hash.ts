/**
 * Seeded 32-bit hashing for features: the MurmurHash3 (x86, 32-bit) block mix and finalizer,
 * fed one UTF-16 code unit (or one 32-bit token hash) at a time so that no string is allocated
 * per n-gram. Fast and well mixed; not cryptographic.
 *
 * @module
 */

const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;

/**
 * Mixes one 32-bit value into the running hash `h` (one MurmurHash3 block step).
 *
 * @param h The running hash (start with a seed).
 * @param k The value to mix in (a code unit or another hash).
 * @returns The new running hash, as an unsigned 32-bit integer.
 * @example
 * ```ts
 * import { fmix32, mixStep } from "./hash.ts";
 * const h = fmix32(mixStep(mixStep(7, 104), 105) ^ 2);
 * if (h !== fmix32(mixStep(mixStep(7, 104), 105) ^ 2)) throw new Error("not deterministic");
 * ```
 */
export function mixStep(h: number, k: number): number {
  k = Math.imul(k, C1);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, C2);
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) >>> 0;
}

/**
 * The MurmurHash3 finalizer: spreads every input bit over the whole word.
 *
 * @param h A running hash (usually xor-ed with the input length first).
 * @returns The finished hash, as an unsigned 32-bit integer.
 * @example
 * ```ts
 * import { fmix32 } from "./hash.ts";
 * if (fmix32(0) !== 0 || fmix32(1) === 1) throw new Error();
 * ```
 */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * Hashes the code units `s[start, end)` with `seed`, without allocating.
 *
 * @param s The text.
 * @param start First code unit (inclusive).
 * @param end Last code unit (exclusive).
 * @param seed The namespace seed.
 * @returns An unsigned 32-bit hash.
 * @example
 * ```ts
 * import { hashRange } from "./hash.ts";
 * if (hashRange("a cat", 2, 5, 1) !== hashRange("cat", 0, 3, 1)) throw new Error();
 * if (hashRange("cat", 0, 3, 1) === hashRange("cat", 0, 3, 2)) throw new Error();
 * ```
 */
export function hashRange(s: string, start: number, end: number, seed: number): number {
  let h = seed >>> 0;
  for (let i = start; i < end; i++) h = mixStep(h, s.charCodeAt(i));
  return fmix32(h ^ (end - start));
}
