/**
 * Runs one training epoch on the GPU: plans it on the host, submits each segment's recorded
 * steps (normally one submission for the whole epoch) and reads back only the 8-byte totals of
 * loss and accuracy at the end.
 *
 * @module
 */
import type { EpochStats, TrainOptions, TrainSet } from "../model/types.ts";
import { readBack } from "./buffers.ts";
import { addReduce, addTrainStep, type CallCost, emptyCost } from "./cost.ts";
import type { TrainPlanner } from "./train_plan.ts";
import { type RecordContext, recordSegment } from "./train_recorder.ts";

/** What one epoch did. */
export interface EpochRun {
  stats: EpochStats;
  /** Optimizer steps taken. */
  steps: number;
  cost: CallCost;
}

/**
 * Trains one epoch (the set is already checked, the parameters already on the device).
 *
 * @param c The recording context.
 * @param planner The planner of the loaded features.
 * @param set The examples.
 * @param order Positions into `set`, walked in chunks of `opts.batchSize`.
 * @param opts Optimizer settings.
 * @param firstStep The optimizer step count before the epoch.
 * @returns Mean loss and accuracy over the examples, steps taken and the work done.
 * @throws RangeError when a mini-batch's scratch exceeds a storage binding.
 */
export async function trainEpochOnGpu(
  c: RecordContext,
  planner: TrainPlanner,
  set: TrainSet,
  order: Uint32Array,
  opts: TrainOptions,
  firstStep: number,
): Promise<EpochRun> {
  const total = order.length, cost = emptyCost();
  if (total === 0) return { stats: { loss: 0, accuracy: 0 }, steps: 0, cost };
  const batch = Math.min(opts.batchSize, total);
  const cap = c.ws.maxChunkPairs(Infinity);
  if (batch > cap) {
    throw new RangeError(
      `Cannot train with mini-batches of ${batch} pairs as their scratch exceeds a storage ` +
        `binding of ${c.gpu.maxBindingBytes} bytes on '${c.gpu.adapterName}': lower train.batch ` +
        `to at most ${cap}`,
    );
  }
  let steps = 0;
  await c.gpu.validated("record and submit a training epoch", () => {
    let first = true;
    for (const seg of planner.segments(set, order, opts.batchSize, firstStep)) {
      c.gpu.device.queue.submit([recordSegment(c, seg, opts, batch, !first)]);
      first = false;
      steps += seg.steps.length;
      cost.submissions++;
      cost.uploadBytes += seg.pairs.byteLength + seg.targets.byteLength + seg.rows.byteLength +
        seg.blocks.byteLength + seg.contribs.byteLength;
      for (const st of seg.steps) {
        addTrainStep(cost, c.cfg, {
          pairs: st.n,
          tokens: st.contributions,
          touched: st.touched,
          tableChunks: st.chunks.length,
          blocks: st.blocks.count,
          blockedContributions: st.blockedContributions,
        });
      }
      addReduce(cost, seg.pairs.length);
    }
  });
  const totals = c.ws.totals.ensure(8);
  const [sums] = await readBack(c.gpu, [{ buffer: totals, offset: 0, bytes: 8 }]);
  cost.submissions++;
  cost.readbackBytes += 8;
  return { stats: { loss: sums[0] / total, accuracy: sums[1] / total }, steps, cost };
}
