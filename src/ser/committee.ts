/**
 * A committee of reward models for self-labelling: the iteration's model plus `K - 1` models
 * trained on bootstrap resamples of its training set, each from its own initial weights. The
 * features stay loaded once (all members share the backend and its featurization); a resample is
 * expressed as per-pair weights (a pair drawn c times weighs c), so a member trains only on the
 * ~63% of distinct pairs its resample holds (with early stopping on the validation split, as
 * the iteration's model). The policy then sees the members' mean rewards, and
 * a pair is kept only where every member prefers the same side.
 *
 * @module
 */
import { initParams } from "../model/params.ts";
import type { Scores, TrainSet } from "../model/types.ts";
import { Rng } from "../contracts/rng.ts";
import type { LoopContext } from "./iteration.ts";
import type { Selection } from "./select.ts";
import { trainStep } from "./train.ts";

/** The committee's view of one set of pairs. */
export interface CommitteeScores extends Scores {
  /** 1 where every member prefers the side the mean prefers. */
  agree: Uint8Array;
  /** Standard deviation of the members' `r_a - r_b` (the committee's uncertainty). */
  spread: Float32Array;
}

/**
 * A bootstrap resample of a training set as weights: `n` draws with replacement; a drawn example
 * keeps its weight times the number of draws, undrawn examples are left out.
 *
 * @param set The training set.
 * @param rng The draws.
 * @returns The resampled set (indices in the original order).
 * @example
 * ```ts
 * import { bootstrapSet } from "./committee.ts";
 * import { Rng } from "../contracts/rng.ts";
 * const set = { indices: new Uint32Array([5, 6, 7, 8]), labels: new Int8Array([1, 1, -1, 1]),
 *   weights: new Float32Array([1, 1, 1, 0.5]) };
 * const b = bootstrapSet(set, new Rng(1));
 * let total = 0;
 * b.indices.forEach((i, j) => total += b.weights[j] / set.weights[set.indices.indexOf(i)]);
 * if (Math.round(total) !== 4) throw new Error(); // four draws
 * ```
 */
export function bootstrapSet(set: TrainSet, rng: Rng): TrainSet {
  const n = set.indices.length;
  const count = new Uint32Array(n);
  for (let i = 0; i < n; i++) count[rng.int(n)]++;
  const keep: number[] = [];
  for (let i = 0; i < n; i++) if (count[i] > 0) keep.push(i);
  return {
    indices: Uint32Array.from(keep, (i) => set.indices[i]),
    labels: Int8Array.from(keep, (i) => set.labels[i]),
    weights: Float32Array.from(keep, (i) => set.weights[i] * count[i]),
  };
}

/**
 * Scores sets of pairs with a committee. The backend's current model is member 0 and is the
 * backend's model again when this returns.
 *
 * @param ctx The loop context.
 * @param set The training set the current model was trained on.
 * @param k The iteration being prepared (seeds the members).
 * @param rowSets The pairs to score, one array per set.
 * @returns The committee's mean rewards, agreement and spread, per set.
 */
export async function committeeScore(
  ctx: LoopContext,
  set: TrainSet,
  k: number,
  rowSets: Uint32Array[],
): Promise<CommitteeScores[]> {
  const { backend, opts } = ctx;
  const members = opts.select.committee;
  const diffs: Float32Array[][] = rowSets.map(() => []);
  const sums = rowSets.map((r) => ({
    a: new Float64Array(r.length),
    b: new Float64Array(r.length),
  }));
  const add = async () => {
    for (let s = 0; s < rowSets.length; s++) {
      const sc = await backend.score(rowSets[s]);
      for (let i = 0; i < sc.rewardA.length; i++) {
        sums[s].a[i] += sc.rewardA[i];
        sums[s].b[i] += sc.rewardB[i];
      }
      diffs[s].push(sc.rewardA.map((a, i) => a - sc.rewardB[i]));
    }
  };
  await add();
  const saved = await backend.getParams();
  const early = {
    indices: ctx.data.validation,
    labels: Int8Array.from(ctx.data.validation, (i) => ctx.data.label[i]),
    patience: opts.train.epochPatience,
  };
  try {
    for (let m = 1; m < members; m++) {
      ctx.signal?.throwIfAborted();
      ctx.onPhase?.(k, `training committee member ${m + 1} of ${members}`);
      const rng = new Rng(ctx.seed).fork(`committee-${k}-${m}`);
      await backend.setParams(initParams(opts.model, rng.fork("init")));
      await trainStep(backend, bootstrapSet(set, rng.fork("bootstrap")), opts.train, rng, early);
      await add();
    }
  } finally {
    await backend.setParams(saved.params, saved.optimizer);
  }
  return rowSets.map((rows, s) => {
    const n = rows.length;
    const out: CommitteeScores = {
      rewardA: new Float32Array(n),
      rewardB: new Float32Array(n),
      agree: new Uint8Array(n),
      spread: new Float32Array(n),
    };
    for (let i = 0; i < n; i++) {
      out.rewardA[i] = sums[s].a[i] / members;
      out.rewardB[i] = sums[s].b[i] / members;
      const mean = out.rewardA[i] - out.rewardB[i];
      let same = 1, sq = 0;
      for (const d of diffs[s]) {
        if (Math.sign(d[i]) !== Math.sign(mean) || mean === 0) same = 0;
        sq += (d[i] - mean) ** 2;
      }
      out.agree[i] = same;
      out.spread[i] = Math.sqrt(sq / members);
    }
    return out;
  });
}

/**
 * The part of a selection at the positions `keep` accepts.
 *
 * @param s The selection.
 * @param keep Whether to keep the pair at a position.
 * @returns The filtered selection.
 * @example
 * ```ts
 * import { filterSelection } from "./committee.ts";
 * const s = { positions: new Uint32Array([1, 4]), labels: new Int8Array([1, -1]),
 *   swapped: new Uint8Array([0, 1]), margins: new Float32Array([1, 2]),
 *   pA: new Float32Array([0.7, 0.2]), pB: new Float32Array([0.4, 0.8]),
 *   reasons: ["status1" as const, "status2" as const] };
 * if (filterSelection(s, (p) => p === 4).labels.join() !== "-1") throw new Error();
 * ```
 */
export function filterSelection(s: Selection, keep: (position: number) => boolean): Selection {
  const js: number[] = [];
  for (let j = 0; j < s.positions.length; j++) if (keep(s.positions[j])) js.push(j);
  return {
    positions: Uint32Array.from(js, (j) => s.positions[j]),
    labels: Int8Array.from(js, (j) => s.labels[j]),
    swapped: Uint8Array.from(js, (j) => s.swapped[j]),
    margins: Float32Array.from(js, (j) => s.margins[j]),
    pA: Float32Array.from(js, (j) => s.pA[j]),
    pB: Float32Array.from(js, (j) => s.pB[j]),
    reasons: js.map((j) => s.reasons[j]),
  };
}
