/**
 * One iteration of the SER loop, composed from its steps: score the unlabelled pairs, select
 * confident ones, retrain on the seed plus the self-labels, evaluate, commit.
 *
 * @module
 */
import { initParams } from "../model/params.ts";
import { trainingRewardStats } from "../model/reward_stats.ts";
import type { RewardBackend } from "../model/types.ts";
import type { Logger } from "../contracts/types.ts";
import type { IterationRecord, RunMetrics } from "../report/metrics.ts";
import { Rng } from "../contracts/rng.ts";
import { fitTemperature } from "./calibrate.ts";
import type { LoopOptions } from "./config.ts";
import type { SerData } from "./dataset.ts";
import { evaluateRows, selfLabelPrecision } from "./evaluate.ts";
import { applyPolicy, type IterationStatus } from "./policy.ts";
import type { Selection } from "./select.ts";
import type { LabelChange, ScoreSummary, SerStore } from "./store.ts";
import { meanReward, summarizeScores } from "./score_summary.ts";
import { buildTrainSet, type SelfLabels } from "./train_set.ts";
import { trainStep } from "./train.ts";
import { applyVerdict, type Candidates, type Verdict } from "./verdict.ts";

/** What every iteration works with. */
export interface LoopContext {
  data: SerData;
  /** The backend, with `data`'s features loaded. */
  backend: RewardBackend;
  opts: LoopOptions;
  /** Seeds the initial weights and each iteration's shuffles. */
  seed: number;
  store: SerStore;
  signal?: AbortSignal;
  log?: Logger;
  /** Told what the loop is doing (a phase text per iteration). */
  onPhase?: (iteration: number, phase: string) => void;
  /**
   * Sees each iteration's candidate self-labels before they are kept, and decides each one's
   * label (the `ser` stage runs its `on_selected` stages here). Must be deterministic.
   */
  onSelected?: (c: Candidates) => Promise<Verdict>;
  /**
   * Sees the state after each iteration (and, on `--resume`, after the last committed one again),
   * and may stop the loop: returns a stop reason, or null to go on (the `ser` stage runs its
   * `on_iteration` stages here). Must be deterministic.
   */
  onIteration?: (state: LoopState, replayed: boolean) => Promise<string | null>;
}

/** The loop's state after an iteration. */
export interface LoopState {
  iteration: number;
  /** The learning status the next iteration starts in (`auto`). */
  status: 1 | 2;
  selfLabels: SelfLabels;
  /** Records so far; `stopReason` and `final` are set when the loop ends. */
  metrics: RunMetrics;
}

/** The outcome of one step: the new state and what it labelled. */
export interface StepResult {
  state: LoopState;
  /** The record this step added (null when it only decided to stop). */
  record: IterationRecord | null;
  labels: LabelChange[];
}

/** The generator of iteration `k`'s shuffles: derived from the seed and `k` only. */
export function iterationRng(seed: number, k: number): Rng {
  return new Rng((seed ^ Math.imul(k + 1, 0x9e3779b9)) >>> 0);
}

/** The generator of the initial weights (the same for every from-scratch retraining). */
export function initRng(seed: number): Rng {
  return new Rng(seed).fork("init");
}

async function _trainAndRecord(
  ctx: LoopContext,
  k: number,
  status: IterationStatus,
  selfLabels: SelfLabels,
  fresh: boolean,
  extra: {
    scored: number;
    selected: number;
    newPairs: number;
    temperature: number;
    onSelected?: { dropped: number; flipped: number };
  },
  precision: number | null,
  labels: LabelChange[],
  scores: ScoreSummary | null,
  started: number,
): Promise<IterationRecord> {
  const { data, backend, opts } = ctx;
  const set = buildTrainSet(data, selfLabels, opts.mode, opts.train);
  if (fresh) await backend.setParams(initParams(opts.model, initRng(ctx.seed)));
  ctx.onPhase?.(k, `training on ${set.indices.length} pairs`);
  const early = {
    indices: data.validation,
    labels: _labelsOf(data, data.validation),
    patience: opts.train.epochPatience,
  };
  const trained = await trainStep(
    backend,
    set,
    opts.train,
    iterationRng(ctx.seed, k),
    early,
    ctx.signal,
  );
  ctx.onPhase?.(k, "evaluating");
  const val = await evaluateRows(backend, data, data.validation);
  const test = await evaluateRows(backend, data, data.test);
  const byRule: Record<string, number> = { human: set.indices.length - selfLabels.size };
  if (opts.mode === "ser") {
    for (const s of selfLabels.values()) byRule[s.reason] = (byRule[s.reason] ?? 0) + 1;
  }
  const record: IterationRecord = {
    iteration: k,
    status,
    ...extra,
    poolSize: set.indices.length,
    poolByRule: byRule,
    trainEpochs: trained.keptEpoch,
    trainLoss: trained.loss,
    validationAccuracy: val?.accuracy ?? null,
    testAccuracy: test?.accuracy ?? null,
    testLoss: test?.loss ?? null,
    testMargin: test?.marginMean ?? null,
    ece: test?.ece ?? null,
    reliability: test?.bins ?? [],
    selfLabelPrecision: precision,
  };
  const rewardStats = await trainingRewardStats(backend, set.indices);
  const { params, optimizer } = await backend.getParams();
  const durationMs = performance.now() - started;
  await ctx.store.commit({
    iteration: k,
    record,
    labels,
    params,
    optimizer,
    scores,
    rewardStats,
    durationMs,
  });
  return record;
}

/**
 * Iteration 0: trains from the initial weights on the human seed (in `all-labels` mode, on the
 * seed plus the unlabelled split's gold labels), evaluates and commits.
 *
 * @param ctx The loop context.
 * @param metrics The empty run metrics (mode and human label count set).
 * @returns The state after iteration 0.
 */
export async function firstIteration(ctx: LoopContext, metrics: RunMetrics): Promise<StepResult> {
  const started = performance.now();
  const { data, opts } = ctx;
  if (data.seed.length === 0) {
    throw new RangeError(
      "Cannot run the SER loop as no seed pair has a human label: raise the split stage's " +
        "'seed_fraction' or check that the input has labels",
    );
  }
  const human = (row: number, label: number, rule: "seed" | "gold"): LabelChange => ({
    row,
    label: label as 1 | -1,
    origin: "human",
    rule,
    iteration: 0,
    pA: null,
    pB: null,
    margin: null,
    swapped: false,
  });
  const labels = [...data.seed].map((i) => human(i, data.label[i], "seed"));
  if (opts.mode === "all-labels") {
    for (const i of data.unlabelled) {
      if (data.gold[i] !== 0) labels.push(human(i, data.gold[i], "gold"));
    }
  }
  const selfLabels: SelfLabels = new Map();
  const record = await _trainAndRecord(
    ctx,
    0,
    "seed",
    selfLabels,
    true,
    { scored: 0, selected: 0, newPairs: 0, temperature: 1 },
    null,
    labels,
    null,
    started,
  );
  const state = { iteration: 0, status: 1 as const, selfLabels, metrics: _append(metrics, record) };
  return { state, record, labels };
}

/**
 * Iteration `k > 0`: scores the candidate pairs with the current model, selects, retrains,
 * evaluates and commits. Returns a state with `metrics.stopReason` set (and nothing committed)
 * when there is nothing left to label or the policy finds too few new pairs.
 *
 * @param ctx The loop context.
 * @param s The state after iteration `k - 1` (its model is the backend's current one).
 * @returns The state after iteration `k`.
 */
export async function nextIteration(ctx: LoopContext, s: LoopState): Promise<StepResult> {
  const started = performance.now();
  const { data, backend, opts } = ctx;
  const k = s.iteration + 1;
  const sel = opts.select;
  const candidates = sel.relabel
    ? data.unlabelled
    : data.unlabelled.filter((i) => !s.selfLabels.has(i));
  if (candidates.length === 0) return _stopped(s, "no-unlabelled");
  ctx.onPhase?.(k, `scoring ${candidates.length} pairs`);
  const { rewardA, rewardB } = await backend.score(candidates);
  let temperature = 1;
  if (sel.policy === "calibrated" && data.validation.length > 0) {
    const v = await backend.score(data.validation);
    temperature = fitTemperature(v.rewardA, v.rewardB, _labelsOf(data, data.validation));
  }
  const offset = sel.center ? meanReward(rewardA, rewardB) : 0;
  const rule = { ...sel, temperature, offset, minNewPairs: opts.stop.minNewPairs };
  // A pair is new when it had no self-label, or (with relabel) had the opposite one.
  const isNew = (sl: Selection) =>
    sl.positions.reduce(
      (n, p, j) => n + (s.selfLabels.get(candidates[p])?.label === sl.labels[j] ? 0 : 1),
      0,
    );
  const out = applyPolicy(sel.policy, s.status, rewardA, rewardB, rule, isNew);
  if (out.exhausted) return _stopped(s, "no-new-pairs");
  const selection = out.selection;
  const picked = Uint32Array.from(selection.positions, (p) => candidates[p]);
  const verdict = ctx.onSelected
    ? await ctx.onSelected({
      iteration: k,
      rows: picked,
      labels: selection.labels,
      pA: selection.pA,
      pB: selection.pB,
      margins: selection.margins,
      reasons: [...selection.reasons],
    })
    : null;
  const { next, labels, kept, keptLabels, dropped, flipped, fresh } = applyVerdict(
    s.selfLabels,
    picked,
    selection,
    verdict,
    k,
    sel.relabel,
  );
  const rows = Uint32Array.from(kept);
  const record = await _trainAndRecord(
    ctx,
    k,
    out.status,
    next,
    !opts.train.warmStart,
    {
      scored: candidates.length,
      selected: rows.length,
      newPairs: fresh,
      temperature,
      ...(verdict ? { onSelected: { dropped, flipped } } : {}),
    },
    selfLabelPrecision(data, rows, Int8Array.from(keptLabels)),
    labels,
    summarizeScores(rewardA, rewardB, rule),
    started,
  );
  const state = {
    iteration: k,
    status: out.nextStatus,
    selfLabels: next,
    metrics: _append(s.metrics, record),
  };
  return { state, record, labels };
}

function _labelsOf(data: SerData, rows: Uint32Array): Int8Array {
  return Int8Array.from(rows, (i) => data.label[i]);
}

function _append(m: RunMetrics, r: IterationRecord): RunMetrics {
  return { ...m, iterations: [...m.iterations, r] };
}

function _stopped(s: LoopState, reason: string): StepResult {
  return {
    state: { ...s, metrics: { ...s.metrics, stopReason: reason } },
    record: null,
    labels: [],
  };
}
