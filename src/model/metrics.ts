/**
 * Pairwise metrics of a reward model on labelled pairs: accuracy (ties count half), mean
 * Bradley-Terry loss, the reward margin of the chosen over the rejected response, and the
 * expected calibration error of `p(chosen) = sigmoid(r_chosen - r_rejected)` with its
 * reliability diagram.
 *
 * Calibration is measured on the model's predicted preference (the usual top-label ECE): a
 * pair's confidence is `max(p, 1 - p)` with `p = sigmoid(r_a - r_b)`, and it is right when the
 * preferred response is the labelled one (a tie is half right, at confidence 0.5). Confidences
 * fall into 10 equal-width bins over [0, 1] (the last bin includes 1), so only bins 5-9 fill;
 * `ece = sum over bins of count / n * |accuracy - confidence|`.
 *
 * @module
 */
import { sigmoid, softplus } from "./math.ts";

/** One bin of the reliability diagram. */
export interface ReliabilityBin {
  /** The bin covers confidences in [lo, hi) (the last one [0.9, 1]). */
  lo: number;
  hi: number;
  count: number;
  /** Mean confidence and share right in the bin; null when it is empty. */
  confidence: number | null;
  accuracy: number | null;
}

/** Metrics over n labelled pairs (all NaN, and empty bins, when n is 0). */
export interface PairMetrics {
  n: number;
  /** Share of pairs whose labelled response gets the higher reward (ties count 0.5). */
  accuracy: number;
  /** Mean of `softplus(-(r_chosen - r_rejected))`. */
  loss: number;
  /** Mean and population standard deviation of `r_chosen - r_rejected`. */
  marginMean: number;
  marginStd: number;
  /** Expected calibration error over the 10 bins. */
  ece: number;
  bins: ReliabilityBin[];
}

const BINS = 10;

/**
 * Computes pairwise metrics.
 *
 * @param rewardA Rewards of response a.
 * @param rewardB Rewards of response b.
 * @param labels 1 where a is preferred, -1 where b is (filter unlabelled pairs out first).
 * @returns Accuracy, loss, margin statistics, ECE and the reliability bins.
 * @throws {RangeError} When the lengths differ or a label is not 1 or -1.
 * @example
 * ```ts
 * import { evaluatePairs } from "./metrics.ts";
 * const m = evaluatePairs([2, 0, 1], [0, 1, 1], [1, 1, -1]);
 * if (m.accuracy !== 0.5) throw new Error(); // right, wrong, tie
 * ```
 */
export function evaluatePairs(
  rewardA: ArrayLike<number>,
  rewardB: ArrayLike<number>,
  labels: ArrayLike<number>,
): PairMetrics {
  const n = labels.length;
  if (rewardA.length !== n || rewardB.length !== n) {
    throw new RangeError(
      `Cannot evaluate pairs as rewardA, rewardB and labels have different lengths ` +
        `(${rewardA.length}, ${rewardB.length}, ${n})`,
    );
  }
  const count = new Float64Array(BINS),
    conf = new Float64Array(BINS),
    right = new Float64Array(BINS);
  let acc = 0, loss = 0, sum = 0, sumSq = 0;
  for (let i = 0; i < n; i++) {
    const y = labels[i];
    if (y !== 1 && y !== -1) {
      throw new RangeError(
        `Cannot evaluate pair ${i} as its label must be 1 or -1: current value is ${y}`,
      );
    }
    const d = y * (rewardA[i] - rewardB[i]);
    const ok = d > 0 ? 1 : d === 0 ? 0.5 : 0;
    acc += ok;
    loss += softplus(-d);
    sum += d;
    sumSq += d * d;
    const c = sigmoid(Math.abs(d));
    const b = Math.min(BINS - 1, Math.floor(c * BINS));
    count[b]++;
    conf[b] += c;
    right[b] += ok;
  }
  const bins: ReliabilityBin[] = [];
  let ece = 0;
  for (let b = 0; b < BINS; b++) {
    const k = count[b];
    const bin: ReliabilityBin = {
      lo: b / BINS,
      hi: (b + 1) / BINS,
      count: k,
      confidence: k > 0 ? conf[b] / k : null,
      accuracy: k > 0 ? right[b] / k : null,
    };
    if (k > 0) ece += (k / n) * Math.abs(bin.accuracy! - bin.confidence!);
    bins.push(bin);
  }
  const mean = sum / n;
  return {
    n,
    accuracy: acc / n,
    loss: loss / n,
    marginMean: mean,
    marginStd: Math.sqrt(Math.max(0, sumSq / n - mean * mean)),
    ece: n > 0 ? ece : NaN,
    bins,
  };
}
