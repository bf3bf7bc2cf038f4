/**
 * A small, fast, seeded pseudo-random generator (SplitMix32 seeding a xoshiro128** state).
 * Every stage gets its own `Rng` derived from the pipeline seed and its stage id, so adding a
 * stage never changes the random stream of another one.
 *
 * @module
 */

/** A seeded random generator. Deterministic for a given seed on every platform. */
export class Rng {
  #s = new Uint32Array(4);

  /**
   * @param seed Any 32-bit integer (fractional and negative values are folded in).
   * @example
   * ```ts
   * import { Rng } from "./rng.ts";
   * const a = new Rng(7), b = new Rng(7);
   * if (a.next() !== b.next()) throw new Error("not deterministic");
   * ```
   */
  constructor(seed: number) {
    let x = (seed >>> 0) ^ 0x9e3779b9;
    for (let i = 0; i < 4; i++) {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      this.#s[i] = (z ^ (z >>> 16)) >>> 0;
    }
  }

  /** @returns The next uniformly distributed 32-bit unsigned integer. */
  nextU32(): number {
    const s = this.#s;
    const result = Math.imul(rotl(Math.imul(s[1], 5) >>> 0, 7), 9) >>> 0;
    const t = (s[1] << 9) >>> 0;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return result;
  }

  /** @returns A float uniformly distributed in [0, 1). */
  next(): number {
    return this.nextU32() / 4294967296;
  }

  /** @returns An integer uniformly distributed in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** @returns A standard normal sample (Box-Muller). */
  normal(): number {
    const u = 1 - this.next();
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** Shuffles `a` in place (Fisher-Yates) and returns it. */
  shuffle<T extends { length: number; [i: number]: unknown }>(a: T): T {
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
    return a;
  }

  /** @returns A new generator whose stream is derived from this seed and `key`. */
  fork(key: string): Rng {
    return new Rng(hashString(key) ^ this.nextU32());
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/**
 * FNV-1a 32-bit hash of a string's UTF-16 code units: stable, for seeds and keys (not for features).
 *
 * @example
 * ```ts
 * import { hashString } from "./rng.ts";
 * if (hashString("a") !== hashString("a")) throw new Error();
 * ```
 */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** @returns The generator a stage gets: derived from the pipeline seed and the stage id. */
export function stageRng(seed: number, stageId: string): Rng {
  return new Rng((seed ^ hashString(stageId)) >>> 0);
}
