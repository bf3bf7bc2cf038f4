/**
 * Selection policies over iterations, including the paper's learning-status identification
 * (`auto`): begin in status 1 (pointwise: tell good from bad answers); once status 1 yields fewer
 * than `minNewPairs` new pairs, move to status 2 (pairwise: tell better from worse); stop when
 * status 2 does too.
 *
 * @module
 */
import { type RuleOptions, type Selection, selectPairs } from "./select.ts";

/** A selection policy as named in pipeline files (`select.policy`). */
export type SelectPolicy =
  | "pointwise"
  | "pairwise"
  | "either"
  | "auto"
  | "top_k"
  | "calibrated"
  | "precision";

/** The policies, in documentation order. */
export const SELECT_POLICIES: readonly SelectPolicy[] = [
  "auto",
  "either",
  "pointwise",
  "pairwise",
  "top_k",
  "calibrated",
  "precision",
];

/**
 * The learning status an iteration ran in, as recorded in metrics: `seed` for iteration 0,
 * `status1`/`status2` for the pointwise/pairwise rules, or the rule name for `either`/`top_k`.
 */
export type IterationStatus = "seed" | "status1" | "status2" | "either" | "top_k" | "precision";

/** What a policy decided for one iteration. */
export interface PolicyOutcome {
  selection: Selection;
  /** The status this iteration ran in. */
  status: IterationStatus;
  /** The learning status the next iteration starts in (only `auto` moves it). */
  nextStatus: 1 | 2;
  /** True when the policy found fewer than `minNewPairs` new pairs: the loop stops. */
  exhausted: boolean;
}

/**
 * Applies a policy to one scoring pass.
 *
 * `calibrated` is the `either` rule on temperature-scaled probabilities: pass the temperature
 * fitted on the validation pairs (`fitTemperature`) in `opts.temperature`. `precision` keeps the
 * pairs with `|r_a - r_b| >= opts.minMargin` (from `precisionMargin`).
 *
 * @param policy The policy.
 * @param status The learning status this iteration starts in (1 at first; `auto` only).
 * @param rewardA Rewards of response a of the scored pairs.
 * @param rewardB Rewards of response b.
 * @param opts Rule thresholds and `minNewPairs`.
 * @param countNew How many of a selection's pairs are new (default: all of them).
 * @returns The selection, the status it ran in, and whether the policy is exhausted.
 * @example
 * ```ts
 * import { applyPolicy } from "./policy.ts";
 * // No pair passes status 1 (p_low < 0.45 fails), two pass status 2: auto moves on.
 * const ra = new Float32Array([3, 0.2, 2.5]), rb = new Float32Array([0.5, 0.1, 0.3]);
 * const out = applyPolicy("auto", 1, ra, rb, { minNewPairs: 2 });
 * if (out.status !== "status2" || out.nextStatus !== 2 || out.exhausted) throw new Error();
 * ```
 */
export function applyPolicy(
  policy: SelectPolicy,
  status: 1 | 2,
  rewardA: ArrayLike<number>,
  rewardB: ArrayLike<number>,
  opts: Partial<RuleOptions> & { minNewPairs: number },
  countNew: (s: Selection) => number = (s) => s.positions.length,
): PolicyOutcome {
  const min = opts.minNewPairs;
  if (!Number.isInteger(min) || min < 1) {
    throw new RangeError(
      `Cannot apply selection policy '${policy}' as 'min_new_pairs' must be an integer >= 1: current value is ${min}`,
    );
  }
  const run = (rule: Parameters<typeof selectPairs>[0]) =>
    selectPairs(rule, rewardA, rewardB, opts);
  if (policy === "auto") {
    if (status === 1) {
      const s1 = run("pointwise");
      if (countNew(s1) >= min) {
        return { selection: s1, status: "status1", nextStatus: 1, exhausted: false };
      }
    }
    const s2 = run("pairwise");
    return { selection: s2, status: "status2", nextStatus: 2, exhausted: countNew(s2) < min };
  }
  const rule = policy === "calibrated" ? "either" : policy === "precision" ? "margin" : policy;
  const selection = run(rule);
  const named: Record<typeof rule, IterationStatus> = {
    pointwise: "status1",
    pairwise: "status2",
    either: "either",
    top_k: "top_k",
    margin: "precision",
  };
  return {
    selection,
    status: named[rule],
    nextStatus: status,
    exhausted: countNew(selection) < min,
  };
}
