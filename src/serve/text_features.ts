/**
 * Featurizes the texts of a micro-batch straight into `PairFeatures` (no Arrow batch in between):
 * the same ids as the `featurize` stage gives for the same texts and settings, with each distinct
 * prompt featurized once per batch (RLHF trainers send several responses per prompt).
 *
 * @module
 */
import type { Featurizer } from "../model/featurizer.ts";
import type { PairFeatures } from "../model/types.ts";

/** Pairs of texts: `prompts[i]` with responses `a[i]` and `b[i]`. */
export interface TextPairs {
  prompts: readonly string[];
  a: readonly string[];
  b: readonly string[];
}

class _Csr {
  offsets: Uint32Array;
  ids = new Uint32Array(4096);
  used = 0;
  constructor(n: number) {
    this.offsets = new Uint32Array(n + 1);
  }
  push(i: number, ids: Uint32Array): void {
    if (this.used + ids.length > this.ids.length) {
      const grown = new Uint32Array(Math.max(this.ids.length * 2, this.used + ids.length));
      grown.set(this.ids.subarray(0, this.used));
      this.ids = grown;
    }
    this.ids.set(ids, this.used);
    this.used += ids.length;
    this.offsets[i + 1] = this.used;
  }
  done(): Uint32Array {
    return this.ids.slice(0, this.used);
  }
}

/**
 * @param pairs The texts (all three arrays of the same length).
 * @param featurizer The checkpoint's featurizer.
 * @returns The features of the pairs, in order.
 * @example
 * ```ts
 * import { textPairFeatures } from "./text_features.ts";
 * import { DEFAULT_FEATURIZER, Featurizer } from "../model/featurizer.ts";
 * const f = textPairFeatures({ prompts: ["Hi", "Hi"], a: ["Hello there", "Go"], b: ["", ""] },
 *   new Featurizer(DEFAULT_FEATURIZER));
 * if (f.n !== 2 || f.aOffsets[1] !== 3 || f.bIds.length !== 0) throw new Error();
 * ```
 */
export function textPairFeatures(pairs: TextPairs, featurizer: Featurizer): PairFeatures {
  const n = pairs.prompts.length;
  const p = new _Csr(n), a = new _Csr(n), b = new _Csr(n);
  const seen = new Map<string, Uint32Array>();
  for (let i = 0; i < n; i++) {
    const text = pairs.prompts[i];
    let ids = seen.get(text);
    if (!ids) {
      ids = featurizer.textIds(text, "prompt").slice();
      seen.set(text, ids);
    }
    p.push(i, ids);
    a.push(i, featurizer.textIds(pairs.a[i], "response"));
    b.push(i, pairs.b[i] ? featurizer.textIds(pairs.b[i], "response") : new Uint32Array(0));
  }
  return {
    n,
    promptOffsets: p.offsets,
    promptIds: p.done(),
    aOffsets: a.offsets,
    aIds: a.done(),
    bOffsets: b.offsets,
    bIds: b.done(),
  };
}
