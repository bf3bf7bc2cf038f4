/**
 * The SER loop as an RxJS stream: `expand` over the loop state, one emission per iteration, so
 * that a stage can forward each iteration's labels and metrics downstream as soon as they exist.
 *
 * @module
 */
import { defer, EMPTY, expand, from, type Observable } from "rxjs";
import type { RunMetrics } from "../report/metrics.ts";
import {
  firstIteration,
  type LoopContext,
  type LoopState,
  nextIteration,
  type StepResult,
} from "./iteration.ts";
import { bestIteration, stopAfter } from "./stop.ts";
import type { LabelChange } from "./store.ts";

/** One emission of the loop. */
export interface LoopEvent {
  state: LoopState;
  /** Labels this iteration added (all labels in force, for an event replayed on resume). */
  labels: LabelChange[];
  /** True for the iterations restored from the store on `--resume` (not recomputed). */
  replayed: boolean;
  /** True for the last emission (`state.metrics.stopReason` and `final` are set). */
  done: boolean;
}

/**
 * Runs the SER loop: iteration 0, then self-labelling iterations until a stop rule fires. On
 * resume (a store with committed iterations), the backend gets the last committed model and the
 * loop continues after it, giving the same labels and metrics as an uninterrupted run.
 *
 * The stream completes early, without a `done` event, when `ctx.signal` aborts.
 *
 * @param ctx The loop context (backend loaded with `ctx.data`'s features).
 * @returns One event per iteration; the last has `done: true`.
 */
export function serLoop(ctx: LoopContext): Observable<LoopEvent> {
  const empty: RunMetrics = {
    stopReason: null,
    mode: ctx.opts.mode,
    humanLabels: _humanLabels(ctx),
    iterations: [],
    final: null,
    ...(ctx.tuning ? { tuning: ctx.tuning } : {}),
    ...(ctx.headroom ? { headroom: ctx.headroom } : {}),
  };
  const start = async (): Promise<LoopEvent> => {
    const restored = await ctx.store.restore();
    if (restored === null) return _decide(ctx, await firstIteration(ctx, empty), false);
    if (ctx.coView) {
      // The character view's model and labels are not in the pool.
      throw new Error(
        "Cannot resume a run with select.cotrain (its character view is not stored): " +
          "run again without --resume",
      );
    }
    await ctx.backend.setParams(restored.params, restored.optimizer);
    const last = restored.records[restored.records.length - 1];
    const status = last.status === "status2" && ctx.opts.select.policy === "auto" ? 2 : 1;
    const state: LoopState = {
      iteration: last.iteration,
      status,
      selfLabels: restored.selfLabels,
      metrics: { ...empty, iterations: restored.records },
    };
    ctx.log?.info(`resuming after iteration ${last.iteration}`, {
      selfLabels: restored.selfLabels.size,
    });
    const labels: LabelChange[] = [...restored.selfLabels].map(([row, s]) => ({
      row,
      origin: "self",
      rule: s.reason,
      ...s,
    }));
    return _decide(ctx, { state, record: null, labels }, true);
  };
  const step = async (e: LoopEvent): Promise<LoopEvent> =>
    _decide(ctx, await nextIteration(ctx, e.state), false);
  return defer(() => from(start())).pipe(
    expand((e) => e.done || ctx.signal?.aborted ? EMPTY : defer(() => from(step(e)))),
  );
}

/** Sets the stop reason (when a rule fires) and the kept iteration, and reports the end. */
async function _decide(ctx: LoopContext, r: StepResult, replayed: boolean): Promise<LoopEvent> {
  let m = r.state.metrics;
  // Derived from the records, so a resumed run lists the same ones; only a new one warns.
  const regressions = m.iterations
    .map((_, i) => moreLabelsWorse(m.iterations.slice(0, i + 1)))
    .filter((w): w is [number, number] => w !== null);
  const worse = r.record ? moreLabelsWorse(m.iterations) : null;
  if (worse !== null) {
    const [k, j] = worse;
    const it = m.iterations;
    ctx.log?.warn(
      `iteration ${k} trained on more labels (${it[k].poolSize}) than iteration ${j} ` +
        `(${it[j].poolSize}) but is worse on validation ` +
        `(${_pct(it[k].validationAccuracy)} vs ${_pct(it[j].validationAccuracy)})`,
    );
  }
  if (regressions.length > 0) {
    m = { ...m, regressions };
    r = { ...r, state: { ...r.state, metrics: m } };
  }
  let reason = m.stopReason ??
    (ctx.opts.mode !== "ser" ? ctx.opts.mode : stopAfter(m.iterations, ctx.opts.stop));
  // The hook sees every iteration that ran, and the last committed one again on resume (so a
  // decision to stop that a kill interrupted is made again, the same way).
  if (ctx.onIteration && (r.record !== null || replayed)) {
    const stop = await ctx.onIteration(r.state, replayed);
    reason ??= stop;
  }
  if (reason === null) return { state: r.state, labels: r.labels, replayed, done: false };
  const best = bestIteration(m.iterations);
  const kept = m.iterations.find((it) => it.iteration === best)!;
  const measured = m.headroom && ctx.opts.mode === "all-labels"
    ? { headroom: { ...m.headroom, measuredAllLabels: kept.testAccuracy } }
    : {};
  const metrics: RunMetrics = {
    ...m,
    ...measured,
    stopReason: reason,
    final: {
      iteration: best,
      iterations: r.state.iteration,
      testAccuracy: kept.testAccuracy,
      validationAccuracy: kept.validationAccuracy,
      selfLabels: kept.poolSize - (kept.poolByRule.human ?? 0),
    },
  };
  await ctx.store.finish(metrics);
  return { state: { ...r.state, metrics }, labels: r.labels, replayed, done: true };
}

/**
 * Whether the last iteration's model, trained on more labels than an earlier one, is worse on
 * validation: the earlier iteration with fewer labels and the highest validation accuracy above
 * the last one's.
 *
 * @param iterations The records so far, the last one just added.
 * @returns `[last iteration, earlier iteration]`, or null when no earlier model with fewer labels
 *   beats it.
 * @example
 * ```ts
 * import { moreLabelsWorse } from "./loop.ts";
 * const it = (iteration: number, poolSize: number, validationAccuracy: number) =>
 *   ({ iteration, poolSize, validationAccuracy });
 * if (moreLabelsWorse([it(0, 100, 0.7), it(1, 300, 0.65)])?.join() !== "1,0") throw new Error();
 * if (moreLabelsWorse([it(0, 100, 0.7), it(1, 300, 0.72)]) !== null) throw new Error();
 * ```
 */
export function moreLabelsWorse(
  iterations: readonly { iteration: number; poolSize: number; validationAccuracy: number | null }[],
): [number, number] | null {
  const last = iterations.at(-1);
  if (!last || last.validationAccuracy === null) return null;
  let best: (typeof iterations)[number] | null = null;
  for (const e of iterations.slice(0, -1)) {
    if (e.poolSize >= last.poolSize || e.validationAccuracy === null) continue;
    if (e.validationAccuracy <= last.validationAccuracy) continue;
    if (best === null || e.validationAccuracy > best.validationAccuracy!) best = e;
  }
  return best ? [last.iteration, best.iteration] : null;
}

const _pct = (v: number | null) => v === null ? "n/a" : `${(v * 100).toFixed(2)}%`;

function _humanLabels(ctx: LoopContext): number {
  const { data, opts } = ctx;
  if (opts.mode !== "all-labels") return data.seed.length;
  let n = data.seed.length;
  for (const i of data.unlabelled) if (data.gold[i] !== 0) n++;
  return n;
}
