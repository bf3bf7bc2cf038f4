/**
 * A small reference learner for data tests: logistic regression on the difference of the two
 * responses' hashed word counts (Bradley-Terry with a linear reward), trained by AdaGrad.
 */
import type { PairRow } from "../../src/data/schema.ts";
import { hashString } from "../../src/contracts/rng.ts";

const BUCKETS = 1 << 18;

function _bag(text: string): Map<number, number> {
  const out = new Map<number, number>();
  for (const w of text.toLowerCase().split(/[^\p{L}\p{N}]+/u)) {
    if (!w) continue;
    const id = hashString(w) & (BUCKETS - 1);
    out.set(id, (out.get(id) ?? 0) + 1);
  }
  return out;
}

/** `bag(a) - bag(b)` as sparse ids and values. */
function _diff(r: PairRow): { ids: Int32Array; vals: Float32Array } {
  const d = _bag(r.response_a);
  for (const [id, v] of _bag(r.response_b)) d.set(id, (d.get(id) ?? 0) - v);
  const ids = new Int32Array(d.size), vals = new Float32Array(d.size);
  let k = 0;
  for (const [id, v] of d) (ids[k] = id), (vals[k++] = v);
  return { ids, vals };
}

/** Trains on `train` (rows with labels) and returns the accuracy on `test` (their labels). */
export function logregAccuracy(
  train: readonly PairRow[],
  test: readonly PairRow[],
  opts: { epochs?: number; lr?: number; l2?: number } = {},
): number {
  const epochs = opts.epochs ?? 5, lr = opts.lr ?? 0.1, l2 = opts.l2 ?? 1e-4;
  const w = new Float64Array(BUCKETS), g2 = new Float64Array(BUCKETS).fill(1e-8);
  const xs = train.map(_diff);
  for (let e = 0; e < epochs; e++) {
    // A fixed interleaving per epoch (deterministic, no shuffling needed for this check).
    for (let j = 0; j < xs.length; j++) {
      const i = (j * 7919 + e * 104729) % xs.length;
      const { ids, vals } = xs[i];
      const y = train[i].label!;
      let z = 0;
      for (let k = 0; k < ids.length; k++) z += w[ids[k]] * vals[k];
      const q = -y / (1 + Math.exp(y * z));
      for (let k = 0; k < ids.length; k++) {
        const g = q * vals[k] + l2 * w[ids[k]];
        g2[ids[k]] += g * g;
        w[ids[k]] -= (lr * g) / Math.sqrt(g2[ids[k]]);
      }
    }
  }
  let right = 0;
  for (const r of test) {
    const { ids, vals } = _diff(r);
    let z = 0;
    for (let k = 0; k < ids.length; k++) z += w[ids[k]] * vals[k];
    right += z === 0 ? 0.5 : Math.sign(z) === r.label ? 1 : 0;
  }
  return right / test.length;
}
