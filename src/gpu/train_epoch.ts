/**
 * Runs one training epoch on the GPU: segments of a few steps each, whose touched-row lists are
 * built on the GPU (`batch_plan.ts`, `row_lists.ts`: only pair indices and targets are uploaded)
 * or by a host planner (normally Workers, `plan_ahead.ts`) while this thread uploads, records
 * and submits the ones already planned; the 8-byte totals of loss and accuracy are read back once at the end (together with
 * the validation rewards when asked, so an epoch with validation is still one readback).
 *
 * @module
 */
import type { EpochStats, TrainOptions, TrainSet } from "../model/types.ts";
import { readBack } from "./buffers.ts";
import { addKernel, addReduce, addTrainStep, type CallCost, emptyCost } from "./cost.ts";
import { embeddingAdamCost } from "./embedding_adam.ts";
import { embeddingGradCost } from "./embedding_grad.ts";
import { rowListCost } from "./row_lists.ts";
import type { SegmentSource } from "./plan_ahead.ts";
import { wallMs } from "./plan_worker.ts";
import { SegmentStamps } from "./segment_stamps.ts";
import { hostTimes, type SegmentTiming } from "./timeline.ts";
import { ThreadCpuClock } from "../util/thread_cpu.ts";
import { type RecordContext, recordSegment } from "./train_recorder.ts";

/** What one epoch did. */
export interface EpochRun {
  stats: EpochStats;
  /** Optimizer steps taken. */
  steps: number;
  cost: CallCost;
  /** Per-segment host times. */
  timeline: SegmentTiming[];
}

/** Work to record after the epoch and read back with its totals (one map for both). */
export interface AfterEpoch {
  /** Records extra commands after the epoch; returns the ranges to read back with the totals. */
  record(encoder: GPUCommandEncoder): { buffer: GPUBuffer; offset?: number; bytes: number }[];
  /** Takes the read-back ranges. */
  take(parts: Float32Array[]): void;
}

/**
 * Trains one epoch (the set is already checked, the parameters already on the device).
 *
 * @param c The recording context.
 * @param source The planner of the loaded features.
 * @param set The examples.
 * @param order Positions into `set`, walked in chunks of `opts.batchSize`.
 * @param opts Optimizer settings.
 * @param firstStep The optimizer step count before the epoch.
 * @param after Work read back together with the epoch totals (e.g. validation scores).
 * @param trace Also time each segment on the device (GPU timestamps, when the device has the
 *   `timestamp-query` feature; read back with the totals).
 * @returns Mean loss and accuracy over the examples, steps taken, the work done and its timeline.
 * @throws RangeError when a mini-batch's scratch exceeds a storage binding.
 */
export async function trainEpochOnGpu(
  c: RecordContext,
  source: SegmentSource,
  set: TrainSet,
  order: Uint32Array,
  opts: TrainOptions,
  firstStep: number,
  after?: AfterEpoch,
  trace = false,
): Promise<EpochRun> {
  const total = order.length, cost = emptyCost();
  const timeline: SegmentTiming[] = [];
  if (total === 0) return { stats: { loss: 0, accuracy: 0 }, steps: 0, cost, timeline };
  const batch = Math.min(opts.batchSize, total);
  const cap = c.ws.maxChunkPairs(Infinity);
  if (batch > cap) {
    throw new RangeError(
      `Cannot train with mini-batches of ${batch} pairs as their scratch exceeds a storage ` +
        `binding of ${c.gpu.maxBindingBytes} bytes on '${c.gpu.adapterName}': lower train.batch ` +
        `to at most ${cap}`,
    );
  }
  let steps = 0, gpuLists = false;
  const stamps = trace ? SegmentStamps.open(c.gpu, Math.ceil(total / batch)) : null;
  // Traced: the submitting thread's CPU time too (what it computed, not what it waited for).
  const clock = trace ? ThreadCpuClock.open() : null;
  await c.gpu.validated("record and submit a training epoch", async () => {
    let first = true;
    const it = source.segments(set, order, opts.batchSize, firstStep);
    while (true) {
      const waitStart = wallMs(), cpuWaitStart = clock?.ms() ?? 0;
      const next = await it.next();
      if (next.done) break;
      const { seg, planStart, planEnd } = next.value;
      const waitEnd = wallMs(), cpuWaitEnd = clock?.ms() ?? 0;
      const rec = recordSegment(
        c,
        seg,
        opts,
        batch,
        !first,
        stamps?.writes(timeline.length),
        clock ?? undefined,
      );
      const recordEnd = wallMs(), cpuRecordEnd = clock?.ms() ?? 0;
      c.gpu.device.queue.submit([rec.commands]);
      const submitEnd = wallMs();
      const timing: SegmentTiming = {
        steps: seg.steps.length,
        pairs: seg.pairs.length,
        planStart,
        planEnd,
        waitStart,
        waitEnd,
        uploadEnd: waitEnd + rec.uploadMs,
        encodeEnd: waitEnd + rec.uploadMs + rec.encodeMs,
        recordEnd,
        submitEnd,
        uploadBytes: rec.uploadBytes,
      };
      if (clock && rec.cpu) {
        timing.cpu = {
          wait: cpuWaitEnd - cpuWaitStart,
          upload: rec.cpu.upload,
          encode: rec.cpu.encode,
          finish: cpuRecordEnd - cpuWaitEnd - rec.cpu.upload - rec.cpu.encode,
          submit: clock.ms() - cpuRecordEnd,
        };
      }
      timeline.push(timing);
      first = false;
      steps += seg.steps.length;
      cost.submissions++;
      cost.uploadBytes += rec.uploadBytes;
      if ("gpuLists" in seg) {
        gpuLists ||= c.cfg.input === "bag";
        for (const st of seg.steps) _addGpuListStep(cost, c, st.n, st.tokens);
      } else {
        for (const st of seg.steps) {
          addTrainStep(cost, c.cfg, {
            pairs: st.n,
            tokens: st.contributions,
            touched: st.touched,
            tableChunks: st.chunks.length,
            blocks: st.blocks.count,
            blockedContributions: st.blockedContributions,
          });
          addReduce(cost, st.n);
        }
      }
    }
  }).finally(() => clock?.close());
  const totals = c.ws.totals.ensure(8);
  const encoder = c.gpu.device.createCommandEncoder({ label: "after epoch" });
  const extra = after?.record(encoder) ?? [];
  const times = stamps?.resolve(encoder, timeline.length);
  // The GPU-built lists' counts of the epoch (touched rows, blocks, ...) come with the totals.
  const counts = gpuLists ? [{ buffer: c.lists!.lists, offset: 16, bytes: 16 }] : [];
  const parts = await readBack(
    c.gpu,
    [{ buffer: totals, offset: 0, bytes: 8 }, ...extra, ...(times ? [times] : []), ...counts],
    encoder,
  ).finally(() => stamps?.destroy());
  after?.take(parts.slice(1, 1 + extra.length));
  if (stamps && times) stamps.place(timeline, parts[1 + extra.length]);
  if (gpuLists) {
    const p = parts[parts.length - 1];
    _addGpuListTotals(cost, c, new Uint32Array(p.buffer, p.byteOffset, p.length));
  }
  cost.submissions++;
  cost.readbacks++;
  cost.readbackBytes += 8 + extra.reduce((s, r) => s + r.bytes, 0) + (gpuLists ? 16 : 0);
  cost.host = hostTimes(timeline, source.offThread);
  const sums = parts[0];
  return {
    stats: { loss: sums[0] / total, accuracy: sums[1] / total },
    steps,
    cost,
    timeline,
  };
}

/**
 * One step with GPU-built lists: what is known before it runs (its kernels, with the touched
 * rows and blocks counted once the epoch's counts are read back).
 */
function _addGpuListStep(cost: CallCost, c: RecordContext, n: number, tokens: number): void {
  const bag = c.cfg.input === "bag";
  const chunks = bag && tokens > 0 ? c.state.table!.buffers.length : 0;
  addTrainStep(cost, c.cfg, {
    pairs: n,
    tokens,
    touched: 0,
    tableChunks: chunks,
    blocks: 0,
    blockedContributions: 0,
  });
  addReduce(cost, n);
  if (!bag || tokens === 0) return;
  addKernel(cost, "embedding_grad", { bytes: 0, flops: 0 }, 1);
  const lists = rowListCost({ pos: 0, n, tokens }, c.cfg.buckets);
  addKernel(cost, "bag_keys", lists.keys.cost, lists.keys.dispatches);
  addKernel(cost, "radix_sort", lists.sort.cost, lists.sort.dispatches);
  addKernel(cost, "row_lists", lists.segment.cost, lists.segment.dispatches + 1);
}

/** The touched rows and blocks of the epoch (read back): their share of the embedding kernels. */
function _addGpuListTotals(cost: CallCost, c: RecordContext, counts: Uint32Array): void {
  const [touched, blocks, blocked] = counts, dim = c.cfg.dim;
  // embedding_adam was counted with every contribution summed directly: blocked ones are
  // summed as their blocks instead (the costs are linear in both counts).
  addKernel(cost, "embedding_adam", embeddingAdamCost(touched, blocks - blocked, dim), 0);
  addKernel(cost, "embedding_grad", embeddingGradCost(blocks, blocked, dim), 0);
}
