/**
 * The `ser` stage's `on_iteration` hook: runs the configured stages on a one-row batch of each
 * iteration's metrics; a stage that passes no row stops the loop.
 *
 * @module
 */
import { relative } from "node:path";
import { Bool, Float64, Int32, Utf8, vectorFromArray } from "apache-arrow";
import type { Batch, StageContext, StageRef } from "../contracts/types.ts";
import { batchFromVectors } from "../data/schema.ts";
import { attachMetrics } from "../report/metrics.ts";
import { iterationCheckpointPath } from "../ser/checkpoints.ts";
import type { LoopState } from "../ser/iteration.ts";
import { bestIteration } from "../ser/stop.ts";
import { nestedContext, runNested } from "./nested.ts";

/**
 * The batch `on_iteration` stages see: one row with the last iteration's metrics, its
 * checkpoint, and the model kept so far (best validation accuracy); the run metrics so far in
 * the schema metadata (`metricsOf`).
 *
 * @param state The loop state after the iteration.
 * @param runDir The run directory (checkpoint paths are relative to it).
 * @param replayed True when the iteration was restored on `--resume`, not run now.
 * @returns The one-row batch.
 */
export function iterationBatch(state: LoopState, runDir: string, replayed: boolean): Batch {
  const m = state.metrics, r = m.iterations.at(-1)!;
  const kept = bestIteration(m.iterations);
  const ckpt = (k: number) => relative(runDir, iterationCheckpointPath(runDir, k));
  const int = (v: number) => vectorFromArray([v], new Int32());
  const num = (v: number | null) => vectorFromArray([v], new Float64());
  const str = (v: string) => vectorFromArray([v], new Utf8());
  const cols = {
    iteration: int(r.iteration),
    status: str(r.status),
    scored: int(r.scored),
    selected: int(r.selected),
    new_pairs: int(r.newPairs),
    pool_size: int(r.poolSize),
    train_loss: num(r.trainLoss),
    validation_accuracy: num(r.validationAccuracy),
    test_accuracy: num(r.testAccuracy),
    test_loss: num(r.testLoss),
    ece: num(r.ece),
    self_label_precision: num(r.selfLabelPrecision),
    checkpoint: str(ckpt(r.iteration)),
    kept_iteration: int(kept),
    kept_checkpoint: str(ckpt(kept)),
    replayed: vectorFromArray([replayed], new Bool()),
  };
  return attachMetrics(batchFromVectors(Object.keys(cols), cols), m);
}

/**
 * @param refs The `on_iteration` stages, in order.
 * @param ctx The `ser` stage's context.
 * @returns The loop's `onIteration` callback: a stop reason (`on_iteration:<id>`) or null.
 */
export function onIterationHook(
  refs: readonly StageRef[],
  ctx: StageContext,
): (state: LoopState, replayed: boolean) => Promise<string | null> {
  return async (state, replayed) => {
    const k = state.metrics.iterations.at(-1)!.iteration;
    let batches = [iterationBatch(state, ctx.runDir, replayed)];
    for (const ref of refs) {
      try {
        batches = await runNested(ref, batches, nestedContext(ctx, ref, `iteration-${k}`));
      } catch (e) {
        throw new Error(
          `Cannot run on_iteration stage '${ref.id}' of stage '${ctx.stageId}' (iteration ${k}): ${
            (e as Error).message
          }`,
          { cause: e },
        );
      }
      if (batches.every((b) => b.numRows === 0)) {
        ctx.log.info(`on_iteration stage '${ref.id}' stops the loop`, { iteration: k });
        return `on_iteration:${ref.id}`;
      }
    }
    return null;
  };
}
