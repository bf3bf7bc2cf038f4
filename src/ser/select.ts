/**
 * Self-label selection rules (docs/design.md, "The algorithm", step 3): pure functions over the
 * rewards of scored pairs. Each rule keeps the pairs the reward model is confident about and
 * labels them with the side it prefers (a swap when it prefers response b).
 *
 * - `pointwise` (learning status 1): `p_high > tau_high` and `p_low < tau_low`, where
 *   `p = sigmoid(r / T)` per response and `p_high` is the preferred response's.
 * - `pairwise` (learning status 2): `|p_a - p_b| > delta`.
 * - `either` (the reference code's rule): pointwise or pairwise.
 * - `top_k`: the `k` pairs with the largest `|r_a - r_b|` (ties broken by position).
 *
 * @module
 */

/** A rule that selects pairs from one scoring pass. */
export type SelectRule = "pointwise" | "pairwise" | "either" | "top_k";

/** Why a pair was kept: learning status 1 (pointwise), status 2 (pairwise), or rank (top_k). */
export type SelectReason = "status1" | "status2" | "top_k";

/** Thresholds of the selection rules. */
export interface RuleOptions {
  /** `p_high` must exceed this (pointwise). */
  tauHigh: number;
  /** `p_low` must be below this (pointwise). */
  tauLow: number;
  /** `|p_a - p_b|` must exceed this (pairwise). */
  delta: number;
  /** How many pairs `top_k` keeps. */
  k: number;
  /** Rewards are divided by this before `sigmoid` (1: the raw rewards; see `fitTemperature`). */
  temperature: number;
  /**
   * Subtracted from every reward before scaling: `p = sigmoid((r - offset) / T)`. Bradley-Terry
   * rewards are only defined up to a constant, so a pointwise rule needs a reference level
   * (e.g. the mean reward of the scored responses); 0 uses the raw rewards.
   */
  offset: number;
}

/** The defaults of `RuleOptions` (the paper's, docs/design.md: tau_high 0.55, tau_low 0.45, delta 0.3). */
export const DEFAULT_RULE_OPTIONS: RuleOptions = {
  tauHigh: 0.55,
  tauLow: 0.45,
  delta: 0.3,
  k: 1000,
  temperature: 1,
  offset: 0,
};

/** The pairs one rule kept, in ascending position order. */
export interface Selection {
  /** Positions into the scored arrays. */
  positions: Uint32Array;
  /** The self-label: 1 when the model prefers a, -1 when it prefers b. */
  labels: Int8Array;
  /** 1 where the model prefers b (the pair is swapped: b becomes the chosen response). */
  swapped: Uint8Array;
  /** The chosen side's reward lead `|r_a - r_b|` (float32). */
  margins: Float32Array;
  /** `sigmoid(r_a / T)` and `sigmoid(r_b / T)` of each kept pair (float32). */
  pA: Float32Array;
  pB: Float32Array;
  /** Why each pair was kept. */
  reasons: SelectReason[];
}

/** @returns `1 / (1 + exp(-x))`, computed without overflow. */
export function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

/**
 * Applies one selection rule to scored pairs.
 *
 * @param rule The rule.
 * @param rewardA Rewards of response a.
 * @param rewardB Rewards of response b (same length).
 * @param opts Thresholds (`DEFAULT_RULE_OPTIONS` for any not given).
 * @returns The kept pairs with their self-labels, in position order.
 * @example
 * ```ts
 * import { selectPairs } from "./select.ts";
 * const s = selectPairs("pairwise", new Float32Array([2, -1, 0.1]), new Float32Array([-2, 1, 0]));
 * // pair 0: the model prefers a; pair 1: it prefers b (a swap); pair 2 is too close to call.
 * if (s.positions.join() !== "0,1" || s.labels.join() !== "1,-1" || s.swapped[1] !== 1) {
 *   throw new Error("unexpected selection");
 * }
 * ```
 */
export function selectPairs(
  rule: SelectRule,
  rewardA: ArrayLike<number>,
  rewardB: ArrayLike<number>,
  opts: Partial<RuleOptions> = {},
): Selection {
  const o = { ...DEFAULT_RULE_OPTIONS, ...opts };
  _checkOptions(rule, rewardA, rewardB, o);
  const n = rewardA.length;
  const kept: number[] = [];
  const reasons: SelectReason[] = [];
  if (rule === "top_k") {
    const order: number[] = [];
    for (let i = 0; i < n; i++) {
      const d = Math.abs(rewardA[i] - rewardB[i]);
      if (d > 0) order.push(i); // NaN and ties express no preference
    }
    order.sort((i, j) =>
      Math.abs(rewardB[j] - rewardA[j]) - Math.abs(rewardB[i] - rewardA[i]) || i - j
    );
    kept.push(...order.slice(0, o.k).sort((i, j) => i - j));
    for (let i = 0; i < kept.length; i++) reasons.push("top_k");
  } else {
    for (let i = 0; i < n; i++) {
      const pa = sigmoid((rewardA[i] - o.offset) / o.temperature);
      const pb = sigmoid((rewardB[i] - o.offset) / o.temperature);
      const high = Math.max(pa, pb), low = Math.min(pa, pb);
      const status1 = rule !== "pairwise" && high > o.tauHigh && low < o.tauLow;
      const status2 = rule !== "pointwise" && Math.abs(pa - pb) > o.delta;
      if (status1 || status2) {
        kept.push(i);
        reasons.push(status1 ? "status1" : "status2");
      }
    }
  }
  return _build(kept, reasons, rewardA, rewardB, o);
}

function _build(
  kept: number[],
  reasons: SelectReason[],
  rewardA: ArrayLike<number>,
  rewardB: ArrayLike<number>,
  o: RuleOptions,
): Selection {
  const m = kept.length;
  const s: Selection = {
    positions: Uint32Array.from(kept),
    labels: new Int8Array(m),
    swapped: new Uint8Array(m),
    margins: new Float32Array(m),
    pA: new Float32Array(m),
    pB: new Float32Array(m),
    reasons,
  };
  for (let j = 0; j < m; j++) {
    const i = kept[j];
    const prefersB = rewardB[i] > rewardA[i];
    s.labels[j] = prefersB ? -1 : 1;
    s.swapped[j] = prefersB ? 1 : 0;
    s.margins[j] = Math.abs(rewardA[i] - rewardB[i]);
    s.pA[j] = sigmoid((rewardA[i] - o.offset) / o.temperature);
    s.pB[j] = sigmoid((rewardB[i] - o.offset) / o.temperature);
  }
  return s;
}

function _checkOptions(
  rule: SelectRule,
  rewardA: ArrayLike<number>,
  rewardB: ArrayLike<number>,
  o: RuleOptions,
): void {
  if (rewardA.length !== rewardB.length) {
    throw new RangeError(
      `Cannot select pairs as the reward arrays differ in length: a has ${rewardA.length}, b has ${rewardB.length}`,
    );
  }
  for (const key of ["tauHigh", "tauLow", "delta"] as const) {
    if (!(o[key] >= 0 && o[key] <= 1)) {
      throw new RangeError(
        `Cannot select pairs with rule '${rule}' as '${key}' must be in [0, 1]: current value is ${
          o[key]
        }`,
      );
    }
  }
  if (!(o.temperature > 0) || !Number.isFinite(o.temperature)) {
    throw new RangeError(
      `Cannot select pairs as 'temperature' must be a positive finite number: current value is ${o.temperature}`,
    );
  }
  if (!Number.isFinite(o.offset)) {
    throw new RangeError(
      `Cannot select pairs as 'offset' must be a finite number: current value is ${o.offset}`,
    );
  }
  if (!Number.isInteger(o.k) || o.k < 0) {
    throw new RangeError(
      `Cannot select pairs as 'k' must be a non-negative integer: current value is ${o.k}`,
    );
  }
}
