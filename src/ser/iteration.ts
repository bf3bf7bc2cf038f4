/**
 * One iteration of the SER loop, composed from its steps: score the unlabelled pairs, select
 * confident ones, retrain on the seed plus the self-labels (or, with `train.retrain:
 * incremental`, continue on the new self-labels plus a replay of the seed), evaluate, commit.
 *
 * @module
 */
import { initParams } from "../model/params.ts";
import { trainingRewardStats } from "../model/reward_stats.ts";
import type { PairFeatures, RewardBackend, Scores, TrainSet } from "../model/types.ts";
import type { Logger } from "../contracts/types.ts";
import type { HeadroomResult, IterationRecord, RunMetrics, TuneResult } from "../report/metrics.ts";
import { Rng } from "../contracts/rng.ts";
import { fitTemperature } from "./calibrate.ts";
import type { LoopOptions } from "./config.ts";
import type { SerData } from "./dataset.ts";
import { evaluateSplits, selfLabelPrecision } from "./evaluate.ts";
import { applyPolicy, type IterationStatus } from "./policy.ts";
import type { Selection } from "./select.ts";
import type { LabelChange, ScoreSummary, SerStore } from "./store.ts";
import { meanReward, summarizeScores } from "./score_summary.ts";
import { buildTrainSet, newSelfLabels, replaySample, type SelfLabels } from "./train_set.ts";
import { trainStep } from "./train.ts";
import { committeeScore, type CommitteeScores, filterSelection } from "./committee.ts";
import { precisionMargin } from "./precision.ts";
import { applyVerdict, type Candidates, type Verdict } from "./verdict.ts";
import { loadNoisyTrainSet } from "./noise.ts";
import { type CoView, trainCharView } from "./cotrain.ts";

/** What every iteration works with. */
export interface LoopContext {
  data: SerData;
  /** The backend, with `data`'s features loaded. */
  backend: RewardBackend;
  /** The features loaded into `backend` (needed by `train.self_noise`, which adds noised copies). */
  features?: PairFeatures;
  /** The character view of `select.cotrain`. */
  coView?: CoView;
  opts: LoopOptions;
  /** Seeds the initial weights and each iteration's shuffles. */
  seed: number;
  store: SerStore;
  signal?: AbortSignal;
  log?: Logger;
  /** The `train.auto` search's result (its choice is already in `opts`). */
  tuning?: TuneResult;
  /** The headroom check's result, when it ran before the loop. */
  headroom?: HeadroomResult;
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
  /** `select.cotrain`: the character view's self-labels (chosen by the word view). */
  coLabels?: SelfLabels;
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
    cotrain?: IterationRecord["cotrain"];
  },
  precision: number | null,
  labels: LabelChange[],
  scores: ScoreSummary | null,
  started: number,
  temps: (iteration: number) => number = () => 1,
  newLabels: SelfLabels | null = null,
): Promise<IterationRecord> {
  const { data, backend, opts } = ctx;
  const set = _trainSet(ctx, selfLabels, temps);
  // Incremental retraining: only the new self-labels plus a replay sample of the seed.
  const replayed = newLabels
    ? replaySample(data.seed, opts.train.replay, new Rng(ctx.seed).fork(`replay-${k}`))
    : data.seed;
  const trainSet = newLabels ? _trainSet(ctx, newLabels, temps, replayed) : set;
  if (fresh) await backend.setParams(initParams(opts.model, initRng(ctx.seed)));
  // Noisy student: self-labelled entries (after the human ones) train on noised copies.
  const trainOn = ctx.features && opts.mode === "ser"
    ? await loadNoisyTrainSet(
      backend,
      ctx.features,
      trainSet,
      replayed.length,
      opts.train.selfNoise,
      new Rng(ctx.seed).fork(`noise-${k}`),
    )
    : trainSet;
  ctx.onPhase?.(k, `training on ${trainSet.indices.length} pairs`);
  const early = {
    indices: data.validation,
    labels: _labelsOf(data, data.validation),
    patience: opts.train.epochPatience,
  };
  const trained = await trainStep(
    backend,
    trainOn,
    newLabels ? { ...opts.train, epochs: opts.train.incrementalEpochs } : opts.train,
    iterationRng(ctx.seed, k),
    early,
    ctx.signal,
  );
  ctx.onPhase?.(k, "evaluating");
  const { validation: val, test, temperature: calT, calibratedTest } = await evaluateSplits(
    backend,
    data,
  );
  const self = opts.mode === "ser" ? selfLabels.size : 0;
  const human = opts.mode === "ser" ? data.seed.length : set.indices.length;
  const byRule: Record<string, number> = { human };
  if (opts.mode === "ser") {
    for (const s of selfLabels.values()) byRule[s.reason] = (byRule[s.reason] ?? 0) + 1;
  }
  const record: IterationRecord = {
    iteration: k,
    status,
    ...extra,
    poolSize: human + self,
    poolByRule: byRule,
    trainEpochs: trained.keptEpoch,
    trainLoss: trained.loss,
    validationAccuracy: val?.accuracy ?? null,
    testAccuracy: test?.accuracy ?? null,
    testLoss: test?.loss ?? null,
    testMargin: test?.marginMean ?? null,
    ece: test?.ece ?? null,
    calibration: calT,
    calibratedEce: calibratedTest?.ece ?? null,
    calibratedTestLoss: calibratedTest?.loss ?? null,
    reliability: test?.bins ?? [],
    selfLabelPrecision: precision,
    ...(newLabels ? { replayed: replayed.length } : {}),
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
  if (ctx.coView) ctx.onPhase?.(0, "training the character view");
  const cotrain = ctx.coView ? await trainCharView(ctx, 0, new Map(), () => 1) : undefined;
  const record = await _trainAndRecord(
    ctx,
    0,
    "seed",
    selfLabels,
    true,
    { scored: 0, selected: 0, newPairs: 0, temperature: 1, ...(cotrain ? { cotrain } : {}) },
    null,
    labels,
    null,
    started,
  );
  const state: LoopState = {
    iteration: 0,
    status: 1,
    selfLabels,
    ...(ctx.coView ? { coLabels: new Map() } : {}),
    metrics: _append(metrics, record),
  };
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
  const valLabels = _labelsOf(data, data.validation);
  const needVal = (sel.policy === "calibrated" || sel.policy === "precision") &&
    data.validation.length > 0;
  const rowSets = needVal ? [candidates, data.validation] : [candidates];
  const temps = _labelTemperatures(s, ctx.coView !== undefined);
  const scored = sel.committee > 1
    ? await committeeScore(ctx, _trainSet(ctx, s.selfLabels, temps), k, rowSets)
    : await Promise.all(rowSets.map((r) => backend.score(r)));
  const pick = (sc: Scores[], now: SelfLabels) =>
    _pick(ctx, s.status, candidates, sc, needVal ? valLabels : null, now);
  // Co-training: the word model's labels come from the character view, and the other way round.
  let coNext: SelfLabels | undefined;
  if (ctx.coView) {
    const forChars = pick(scored, s.coLabels ?? new Map());
    const rows = Uint32Array.from(forChars.selection.positions, (p) => candidates[p]);
    coNext = applyVerdict(s.coLabels ?? new Map(), rows, forChars.selection, null, k, sel.relabel)
      .next;
  }
  const mine = ctx.coView
    ? pick(await Promise.all(rowSets.map((r) => ctx.coView!.backend.score(r))), s.selfLabels)
    : pick(scored, s.selfLabels);
  const { out, selection, temperature, rule, rewardA, rewardB } = mine;
  if (out.exhausted) return _stopped(s, "no-new-pairs");
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
  if (ctx.coView) ctx.onPhase?.(k, "training the character view");
  const cotrain = ctx.coView
    ? await trainCharView(ctx, k, coNext!, _labelTemperatures(s, false))
    : undefined;
  const incremental = opts.train.retrain === "incremental";
  const record = await _trainAndRecord(
    ctx,
    k,
    out.status,
    next,
    !opts.train.warmStart && !incremental,
    {
      scored: candidates.length,
      selected: rows.length,
      newPairs: fresh,
      temperature,
      ...(verdict ? { onSelected: { dropped, flipped } } : {}),
      ...(cotrain ? { cotrain } : {}),
    },
    selfLabelPrecision(data, rows, Int8Array.from(keptLabels)),
    labels,
    summarizeScores(rewardA, rewardB, rule),
    started,
    temps,
    incremental ? newSelfLabels(s.selfLabels, next) : null,
  );
  const state = {
    iteration: k,
    status: out.nextStatus,
    selfLabels: next,
    ...(coNext ? { coLabels: coNext } : {}),
    metrics: _append(s.metrics, record),
  };
  return { state, record, labels };
}

/**
 * Soft targets: iteration k's self-labels come from iteration k - 1's calibrated model (with
 * `byCharView`, the character view's model: co-training's labels for the word model).
 */
function _labelTemperatures(s: LoopState, byCharView: boolean): (iteration: number) => number {
  const its = s.metrics.iterations;
  return (k) => {
    const r = its.find((r) => r.iteration === k - 1);
    return (byCharView ? r?.cotrain?.calibration : r?.calibration) ?? 1;
  };
}

/** Applies the selection policy to one model's scores of the candidates (and of validation). */
function _pick(
  ctx: LoopContext,
  status: 1 | 2,
  candidates: Uint32Array,
  scored: Scores[],
  valLabels: Int8Array | null,
  now: SelfLabels,
) {
  const sel = ctx.opts.select;
  const { rewardA, rewardB } = scored[0];
  let temperature = 1, minMargin = Infinity;
  if (sel.policy === "calibrated" && valLabels) {
    temperature = fitTemperature(scored[1].rewardA, scored[1].rewardB, valLabels);
  }
  if (sel.policy === "precision" && valLabels) {
    minMargin = precisionMargin(
      scored[1].rewardA,
      scored[1].rewardB,
      valLabels,
      sel.precision,
      sel.precisionMinPairs,
    );
  }
  const offset = sel.center ? meanReward(rewardA, rewardB) : 0;
  const rule = { ...sel, temperature, offset, minMargin, minNewPairs: ctx.opts.stop.minNewPairs };
  // A pair is new when it had no self-label, or (with relabel) had the opposite one.
  const isNew = (sl: Selection) =>
    sl.positions.reduce(
      (n, p, j) => n + (now.get(candidates[p])?.label === sl.labels[j] ? 0 : 1),
      0,
    );
  const agree = "agree" in scored[0] ? (scored[0] as CommitteeScores).agree : null;
  const out = applyPolicy(
    sel.policy,
    status,
    rewardA,
    rewardB,
    rule,
    agree ? (sl) => isNew(filterSelection(sl, (p) => agree[p] === 1)) : isNew,
  );
  const selection = agree ? filterSelection(out.selection, (p) => agree[p] === 1) : out.selection;
  return { out, selection, temperature, rule, rewardA, rewardB };
}

function _trainSet(
  ctx: LoopContext,
  selfLabels: SelfLabels,
  temps: (iteration: number) => number,
  human: Uint32Array = ctx.data.seed,
): TrainSet {
  return buildTrainSet(ctx.data, selfLabels, ctx.opts.mode, {
    ...ctx.opts.train,
    labelTemperature: temps,
  }, human);
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
