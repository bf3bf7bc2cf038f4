/**
 * Records one epoch segment (many AdamW steps) into one command buffer: per step the forward
 * (pool, the fused MLP), the loss and backward (loss_grad, weight_grad and its split-K
 * reduction, pooled_grad, embedding_grad when a row is frequent) and the updates (embedding_adam per
 * touched chunk, adam_dense), then the step's loss and accuracy added to the epoch totals (step
 * by step, so the totals do not depend on where the epoch is cut). The touched-row lists come
 * either from the host planner (uploaded with the segment) or, for a `BatchSegment`, are built
 * on the GPU at the start of each step (`row_lists.ts`; only pair indices and targets are
 * uploaded, and embedding_adam's grids are indirect). Nothing is read back here.
 *
 * @module
 */
import { featureWidth, type ModelConfig, type TrainOptions } from "../model/types.ts";
import type { AdamStep } from "./adam_dense.ts";
import type { GpuContext } from "./device.ts";
import type { GpuFeatures } from "./gpu_features.ts";
import type { UniformArena } from "./kernel.ts";
import type { Kernels } from "./kernels.ts";
import type { ModelState } from "./model_state.ts";
import type { BatchSegment } from "./batch_plan.ts";
import { blockSlots, type GpuRowLists, type RowListGroups } from "./row_lists.ts";
import type { SegmentPlan } from "./train_plan.ts";
import { splitK } from "./weight_grad.ts";
import { pooledStride, type Workspace } from "./workspace.ts";
import type { ThreadCpuClock } from "../util/thread_cpu.ts";

/** What a recording works on. */
export interface RecordContext {
  gpu: GpuContext;
  cfg: ModelConfig;
  kernels: Kernels;
  state: ModelState;
  ws: Workspace;
  features: GpuFeatures;
  arena: UniformArena;
  /** The buffers of GPU-built lists (bag input). */
  lists?: GpuRowLists;
}

/**
 * Uploads a segment's lists and records its steps.
 *
 * @param c The context.
 * @param seg The segment.
 * @param opts Optimizer settings.
 * @param batchSize The mini-batch size (scratch is sized for it).
 * @param accumulate Add to the epoch totals (false for the first segment).
 * @param timestampWrites GPU timestamps at the start and end of the segment's pass (traced runs).
 * @param clock The calling thread's CPU clock (traced runs).
 * @returns The command buffer to submit; the wall time of the uploads and of the recording
 *   before `finish()`, and with a clock their CPU time; the bytes uploaded.
 */
export function recordSegment(
  c: RecordContext,
  seg: SegmentPlan | BatchSegment,
  opts: TrainOptions,
  batchSize: number,
  accumulate: boolean,
  timestampWrites?: GPUComputePassTimestampWrites,
  clock?: ThreadCpuClock,
): {
  commands: GPUCommandBuffer;
  uploadMs: number;
  encodeMs: number;
  cpu?: { upload: number; encode: number };
  uploadBytes: number;
} {
  const t0 = performance.now(), cpu0 = clock?.ms() ?? 0;
  const { cfg, kernels: k, state, ws, arena } = c;
  const bag = cfg.input === "bag";
  const onGpu = "gpuLists" in seg && bag;
  if (onGpu && !c.lists) throw new Error("Cannot record GPU-built lists without their buffers");
  const examples = seg.pairs.length;
  const pairs = ws.pairs.write(seg.pairs);
  const targets = ws.targets.write(seg.targets);
  let uploadBytes = seg.pairs.byteLength + seg.targets.byteLength;
  // Host-built lists: uploaded, with each table chunk's (count, first entry) per step.
  let host: { rows: GPUBuffer; contribs: GPUBuffer; blocks: GPUBuffer; ranges: GPUBuffer } | null =
    null;
  if (bag && !("gpuLists" in seg)) {
    const ranges = new Uint32Array(
      2 * Math.max(1, seg.steps.reduce((s, st) => s + st.chunks.length, 0)),
    );
    let r = 0;
    for (const st of seg.steps) {
      for (const ch of st.chunks) {
        ranges[2 * r] = ch.count;
        ranges[2 * r++ + 1] = ch.rowBase;
      }
    }
    host = {
      rows: ws.rows.write(seg.rows),
      contribs: ws.contribs.write(seg.contribs),
      blocks: ws.blocks.write(seg.blocks),
      ranges: ws.ranges.write(ranges),
    };
    uploadBytes += seg.rows.byteLength + seg.contribs.byteLength + seg.blocks.byteLength +
      ranges.byteLength;
  }
  const uploadMs = performance.now() - t0, cpu1 = clock?.ms() ?? 0;
  const stats = ws.stats.ensure(8 * examples);
  const totals = ws.totals.ensure(8);
  const b = ws.chunk(batchSize, true);
  const widest = splitK({
    n: batchSize,
    dim: cfg.dim,
    hidden: cfg.hidden,
    features: featureWidth(cfg),
    stride: pooledStride(cfg),
    activation: cfg.activation,
  }, c.gpu.maxBindingBytes);
  const gradPartial = ws.gradPartial.ensure(4 * widest.chunks * widest.count);

  const chunks = bag ? state.table!.buffers.length : 0;
  const perStep = 7 + (bag ? 1 : 0);
  const slots = "gpuLists" in seg
    ? seg.steps.reduce(
      (s, st) => s + perStep + (onGpu && st.tokens > 0 ? c.lists!.slots(st) + 1 + chunks : 0),
      0,
    )
    : seg.steps.reduce(
      (s, st) => s + perStep + st.chunks.length + (st.blocks.count > 0 ? 1 : 0),
      0,
    );
  arena.reset(slots);
  let lists: RowListGroups | null = null;
  if (onGpu) {
    const steps = (seg as BatchSegment).steps;
    const maxTokens = steps.reduce((m, st) => Math.max(m, st.tokens), 0);
    lists = c.lists!.bind(
      k.rowLists,
      arena,
      {
        pairs,
        offsets: c.features.offsets,
        ids: c.features.ids,
        pairsTotal: c.features.n,
      },
      batchSize,
      maxTokens,
    );
  }
  const partial = host
    ? ws.partial.ensure(4 * ((seg as SegmentPlan).blocks.length / 2) * cfg.dim)
    : lists?.partial ?? ws.partial.ensure(4);
  const embedding = host ? { ...host, partial } : lists
    ? {
      rows: lists.rowsBuffer,
      contribs: lists.contribs,
      blocks: lists.blocks,
      ranges: lists.rangesBuffer,
      partial,
    }
    : null;
  const tables = bag ? state.table!.buffers : c.features.vectors!.buffers;
  const g = {
    bag: k.bag.bind(arena, {
      pairs,
      offsets: c.features.offsets,
      ids: c.features.ids,
      tables,
      pooled: b.pooled,
    }),
    forward: k.forward.bind(arena, {
      pooled: b.pooled,
      theta: state.theta,
      z: b.z,
      rewards: b.rewards,
    }),
    loss: k.loss.bind(arena, {
      rewards: b.rewards,
      z: b.z,
      theta: state.theta,
      targets,
      gz: b.gz,
      gr: b.gr,
      stats,
    }),
    weightGrad: k.weightGrad.bind(arena, {
      pooled: b.pooled,
      gz: b.gz,
      z: b.z,
      gr: b.gr,
      partial: gradPartial,
    }),
    gradReduce: k.gradReduce.bind(arena, { partial: gradPartial, grad: state.grad }),
    pooledGrad: bag
      ? k.pooledGrad.bind(arena, { pooled: b.pooled, gz: b.gz, theta: state.theta, gtok: b.gtok })
      : null,
    embeddingGrad: embedding
      ? k.embeddingGrad.bind(arena, {
        blocks: embedding.blocks,
        contribs: embedding.contribs,
        gtok: b.gtok,
        partial,
      })
      : null,
    embeddingAdam: embedding
      ? state.table!.buffers.map((table, i) =>
        k.embeddingAdam.bind(arena, {
          ...embedding,
          gtok: b.gtok,
          table,
          m: state.tableM!.buffers[i],
          v: state.tableV!.buffers[i],
        })
      )
      : [],
    adamDense: k.adamDense.bind(arena, {
      grad: state.grad,
      theta: state.theta,
      m: state.m,
      v: state.v,
    }),
    reduce: k.reduce.bind(arena, { stats, totals }),
  };

  const dim = cfg.dim,
    hidden = cfg.hidden,
    features = featureWidth(cfg),
    stride = pooledStride(cfg);
  const { activation, pooling } = cfg;
  const layout = { hidden, features };
  const encoder = c.gpu.device.createCommandEncoder({ label: "train segment" });
  // The epoch's list counts start from zero (read back with the totals).
  if (onGpu && !accumulate) encoder.clearBuffer(c.lists!.lists);
  const pass = encoder.beginComputePass({ label: "train segment", timestampWrites });
  let range = 0;
  for (const st of seg.steps) {
    const n = st.n;
    const mlp = { n, dim, hidden, features, stride };
    const adam: AdamStep = { ...opts, t: st.t };
    if (lists && "tokens" in st) c.lists!.record(k.rowLists, pass, lists, arena, st, c.features.n);
    k.bag.record(pass, g.bag, arena, {
      n,
      dim,
      pairBase: st.pos,
      pairsTotal: c.features.n,
      rowsPerChunk: bag ? state.plan.rowsPerChunk : c.features.vectors!.plan.rowsPerChunk,
      stride,
      pooling,
      direct: !bag,
    });
    k.forward.record(pass, g.forward, arena, { ...mlp, activation, outBase: 0 });
    k.loss.record(pass, g.loss, arena, {
      n,
      hidden,
      features,
      activation,
      posBase: st.pos,
      margin: opts.margin,
    });
    const split = splitK({ ...mlp, activation }, c.gpu.maxBindingBytes);
    k.weightGrad.record(pass, g.weightGrad, arena, { ...mlp, activation }, split);
    k.gradReduce.record(pass, g.gradReduce, arena, split);
    if (g.pooledGrad) {
      k.pooledGrad.record(pass, g.pooledGrad, arena, { n, dim, hidden, features, stride, pooling });
    }
    if ("tokens" in st) {
      if (lists && st.tokens > 0) {
        // Every block slot (empty ones sum nothing), then each chunk with the grid
        // chunk_ranges wrote.
        const shape = { count: blockSlots(st.tokens), dim, blockBase: 0 };
        k.embeddingGrad.record(pass, g.embeddingGrad!, arena, shape);
        for (let ch = 0; ch < chunks; ch++) {
          const s = { count: 0, dim, range: ch, chunkStart: state.table!.chunkStart(ch) };
          k.embeddingAdam.recordIndirect(
            pass,
            g.embeddingAdam[ch],
            arena,
            s,
            adam,
            lists.args,
            12 * ch,
          );
        }
      }
    } else if (g.embeddingGrad) {
      if (st.blocks.count > 0) {
        const shape = { count: st.blocks.count, dim, blockBase: st.blocks.base };
        k.embeddingGrad.record(pass, g.embeddingGrad, arena, shape);
      }
      for (const r of st.chunks) {
        const shape = {
          count: r.count,
          dim,
          range: range++,
          chunkStart: state.table!.chunkStart(r.chunk),
        };
        k.embeddingAdam.record(pass, g.embeddingAdam[r.chunk], arena, shape, adam);
      }
    }
    k.adamDense.record(pass, g.adamDense, arena, layout, adam);
    k.reduce.record(pass, g.reduce, arena, n, accumulate || st !== seg.steps[0], st.pos);
  }
  pass.end();
  arena.upload();
  uploadBytes += arena.usedBytes;
  const encodeMs = performance.now() - t0 - uploadMs;
  const cpu = clock ? { upload: cpu1 - cpu0, encode: clock.ms() - cpu1 } : undefined;
  return { commands: encoder.finish(), uploadMs, encodeMs, cpu, uploadBytes };
}
