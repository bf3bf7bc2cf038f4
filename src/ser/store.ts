/**
 * Where the SER loop commits each iteration (labels, metrics, model) and from where `--resume`
 * restores the last committed one. The `ser` stage uses the pool-backed store
 * (`pool_store.ts`); `MemoryStore` keeps everything in memory (tests, and runs that resume
 * nothing).
 *
 * @module
 */
import type { RewardStats } from "../model/reward_stats.ts";
import type { ModelParams, OptimizerState } from "../model/types.ts";
import type { IterationRecord, RunMetrics } from "../report/metrics.ts";
import type { SelectReason } from "./select.ts";
import type { SelfLabels } from "./train_set.ts";

/** One label written in an iteration, by row position. */
export interface LabelChange {
  row: number;
  /** 1 / -1; null withdraws an earlier self-label (with `relabel`, a pair no longer selected). */
  label: 1 | -1 | null;
  origin: "human" | "self";
  /**
   * `seed` or `gold` for human labels; the selection reason for self-labels; `withdrawn`; or the
   * id of the `on_selected` stage that flipped the label or dropped the pair (`label` null).
   */
  rule: "seed" | "gold" | "withdrawn" | SelectReason | string;
  iteration: number;
  pA: number | null;
  pB: number | null;
  margin: number | null;
  swapped: boolean;
}

/** Everything one iteration commits, atomically. */
export interface IterationCommit {
  iteration: number;
  record: IterationRecord;
  /** The labels this iteration added or changed. */
  labels: LabelChange[];
  /** The model after this iteration's training, and its optimizer state. */
  params: ModelParams;
  optimizer: OptimizerState;
  /** Summary of the scores of the pairs scored for self-labelling (null for iteration 0). */
  scores: ScoreSummary | null;
  /** Mean and std of the new model's rewards over its training set (for reward normalisation). */
  rewardStats?: RewardStats;
  /** Wall time of the iteration (kept out of `record`, which must not depend on speed). */
  durationMs?: number;
}

/** A summary of one scoring pass over candidate pairs. */
export interface ScoreSummary {
  pairs: number;
  meanAbsDiff: number;
  meanPA: number;
  meanPB: number;
  /** Share of the pairs passing the status 1 / status 2 rule at the thresholds used. */
  status1Share: number;
  status2Share: number;
}

/** What `restore` gives back: the state right after the last committed iteration. */
export interface Restored {
  /** Records of iterations 0..n in order. */
  records: IterationRecord[];
  /** The self-labels in force after iteration n. */
  selfLabels: SelfLabels;
  params: ModelParams;
  optimizer: OptimizerState;
}

/** Persistence of the SER loop. */
export interface SerStore {
  /** The state after the last committed iteration, or null when none was committed. */
  restore(): Promise<Restored | null>;
  /** Commits one iteration atomically (all of it or nothing). */
  commit(c: IterationCommit): Promise<void>;
  /** Records the end of the loop (stop reason and kept iteration). */
  finish(metrics: RunMetrics): Promise<void>;
}

/**
 * A store that keeps commits in memory: `restore` replays them like the pool would.
 *
 * @example
 * ```ts
 * import { MemoryStore } from "./store.ts";
 * const s = new MemoryStore();
 * if ((await s.restore()) !== null) throw new Error();
 * ```
 */
export class MemoryStore implements SerStore {
  /** The commits so far, in order. */
  readonly commits: IterationCommit[] = [];
  /** The metrics passed to `finish`, if it was called. */
  finished: RunMetrics | null = null;

  /** @returns The state after the last commit, rebuilt from the label changes. */
  restore(): Promise<Restored | null> {
    const last = this.commits[this.commits.length - 1];
    if (!last) return Promise.resolve(null);
    const selfLabels: SelfLabels = new Map();
    for (const c of this.commits) {
      for (const l of c.labels) {
        if (l.origin !== "self") continue;
        if (l.label === null) selfLabels.delete(l.row);
        else {
          selfLabels.set(l.row, {
            label: l.label,
            iteration: l.iteration,
            margin: l.margin!,
            pA: l.pA!,
            pB: l.pB!,
            reason: l.rule as SelectReason,
            swapped: l.swapped,
          });
        }
      }
    }
    return Promise.resolve({
      records: structuredClone(this.commits.map((c) => c.record)),
      selfLabels,
      params: structuredClone(last.params),
      optimizer: structuredClone(last.optimizer),
    });
  }

  /** Keeps a deep copy of the commit. */
  commit(c: IterationCommit): Promise<void> {
    this.commits.push(structuredClone(c));
    return Promise.resolve();
  }

  /** Keeps the final metrics. */
  finish(metrics: RunMetrics): Promise<void> {
    this.finished = structuredClone(metrics);
    return Promise.resolve();
  }
}
