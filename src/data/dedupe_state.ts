/**
 * Exact-duplicate detection by `pair_id`, kept across batches (and files), in a compact
 * open-addressing table of 64-bit keys (about 20 bytes per distinct pair), so deduplicating a
 * file of millions of pairs stays within tens of megabytes.
 *
 * @module
 */
import { contentHash } from "./hash.ts";

const HEX16 = /^[0-9a-f]{16}$/;
const EMPTY_VERDICT = 127; // marks a free slot

/** Remembers the pairs seen so far; the first copy of a pair wins. */
export class DedupeState {
  #keys = new Uint32Array(2 * 1024);
  #verdicts = new Int8Array(1024).fill(EMPTY_VERDICT);
  #size = 0;
  /** Copies removed so far. */
  duplicates = 0;
  /** Removed copies whose verdict disagreed with the kept copy's (the other response preferred). */
  conflicting = 0;

  /**
   * Records a pair and says whether it is new.
   *
   * @param pairId The pair's content hash (16 hex digits as made by `pairId`; any other string
   *   is hashed to that form first).
   * @param verdict Which response is preferred, independent of the a/b order (see
   *   {@linkcode canonicalVerdict}), to count copies that disagree.
   * @returns True the first time `pairId` is seen, false for a duplicate.
   * @example
   * ```ts
   * import { DedupeState } from "./dedupe_state.ts";
   * const d = new DedupeState();
   * if (!d.add("p", 1) || d.add("p", -1) || d.conflicting !== 1) throw new Error();
   * ```
   */
  add(pairId: string, verdict: number): boolean {
    const id = HEX16.test(pairId) ? pairId : contentHash("dedupe", pairId);
    const hi = parseInt(id.slice(0, 8), 16) >>> 0, lo = parseInt(id.slice(8, 16), 16) >>> 0;
    const mask = this.#verdicts.length - 1;
    let slot = (Math.imul(lo ^ hi, 0x9e3779b1) >>> 0) & mask;
    for (;;) {
      const v = this.#verdicts[slot];
      if (v === EMPTY_VERDICT) break;
      if (this.#keys[2 * slot] === hi && this.#keys[2 * slot + 1] === lo) {
        this.duplicates++;
        if (v !== verdict) this.conflicting++;
        return false;
      }
      slot = (slot + 1) & mask;
    }
    this.#keys[2 * slot] = hi;
    this.#keys[2 * slot + 1] = lo;
    this.#verdicts[slot] = verdict;
    if (++this.#size * 2 > this.#verdicts.length) this.#grow();
    return true;
  }

  /** @returns How many distinct pairs were seen. */
  get size(): number {
    return this.#size;
  }

  #grow(): void {
    const keys = this.#keys, verdicts = this.#verdicts;
    this.#keys = new Uint32Array(keys.length * 2);
    this.#verdicts = new Int8Array(verdicts.length * 2).fill(EMPTY_VERDICT);
    const mask = this.#verdicts.length - 1;
    for (let s = 0; s < verdicts.length; s++) {
      if (verdicts[s] === EMPTY_VERDICT) continue;
      const hi = keys[2 * s], lo = keys[2 * s + 1];
      let slot = (Math.imul(lo ^ hi, 0x9e3779b1) >>> 0) & mask;
      while (this.#verdicts[slot] !== EMPTY_VERDICT) slot = (slot + 1) & mask;
      this.#keys[2 * slot] = hi;
      this.#keys[2 * slot + 1] = lo;
      this.#verdicts[slot] = verdicts[s];
    }
  }
}

/**
 * A pair's verdict that does not depend on which response is shown as a: 1 when the preferred
 * response is the one that sorts first, -1 when it sorts second, 0 when unlabelled.
 *
 * @param a Response a.
 * @param b Response b.
 * @param label 1 (a preferred), -1 (b preferred) or null.
 * @returns 1, -1 or 0.
 * @example
 * ```ts
 * import { canonicalVerdict } from "./dedupe_state.ts";
 * if (canonicalVerdict("x", "y", 1) !== canonicalVerdict("y", "x", -1)) throw new Error();
 * ```
 */
export function canonicalVerdict(a: string, b: string, label: number | null): number {
  if (label !== 1 && label !== -1) return 0;
  const preferredFirst = label === 1 ? a <= b : b <= a;
  return preferredFirst ? 1 : -1;
}
