/**
 * Records one epoch segment (many AdamW steps) into one command buffer: per step the forward
 * (pool, the fused MLP), the loss and backward (loss_grad, weight_grad and its split-K
 * reduction, pooled_grad, embedding_grad when a row is frequent) and the updates (embedding_adam per
 * touched chunk, adam_dense), then the step's loss and accuracy added to the epoch totals (step
 * by step, so the totals do not depend on where the epoch is cut). Nothing is read back here.
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
import type { SegmentPlan } from "./train_plan.ts";
import { splitK } from "./weight_grad.ts";
import { pooledStride, type Workspace } from "./workspace.ts";

/** What a recording works on. */
export interface RecordContext {
  gpu: GpuContext;
  cfg: ModelConfig;
  kernels: Kernels;
  state: ModelState;
  ws: Workspace;
  features: GpuFeatures;
  arena: UniformArena;
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
 * @returns The command buffer to submit, and the time and bytes of the list uploads.
 */
export function recordSegment(
  c: RecordContext,
  seg: SegmentPlan,
  opts: TrainOptions,
  batchSize: number,
  accumulate: boolean,
  timestampWrites?: GPUComputePassTimestampWrites,
): { commands: GPUCommandBuffer; uploadMs: number; uploadBytes: number } {
  const t0 = performance.now();
  const { cfg, kernels: k, state, ws, arena } = c;
  const bag = cfg.input === "bag";
  const examples = seg.pairs.length;
  const pairs = ws.pairs.write(seg.pairs);
  const targets = ws.targets.write(seg.targets);
  const rows = bag ? ws.rows.write(seg.rows) : null;
  const contribs = bag ? ws.contribs.write(seg.contribs) : null;
  const blocks = bag ? ws.blocks.write(seg.blocks) : null;
  const uploadMs = performance.now() - t0;
  let uploadBytes = seg.pairs.byteLength + seg.targets.byteLength;
  if (bag) uploadBytes += seg.rows.byteLength + seg.contribs.byteLength + seg.blocks.byteLength;
  const partial = ws.partial.ensure(4 * (seg.blocks.length / 2) * cfg.dim);
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

  const perStep = 7 + (bag ? 1 : 0);
  const slots = seg.steps.reduce(
    (s, st) => s + perStep + st.chunks.length + (st.blocks.count > 0 ? 1 : 0),
    0,
  );
  arena.reset(slots);
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
    embeddingGrad: bag
      ? k.embeddingGrad.bind(arena, { blocks: blocks!, contribs: contribs!, gtok: b.gtok, partial })
      : null,
    embeddingAdam: bag
      ? state.table!.buffers.map((table, i) =>
        k.embeddingAdam.bind(arena, {
          rows: rows!,
          contribs: contribs!,
          gtok: b.gtok,
          partial,
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
  const pass = encoder.beginComputePass({ label: "train segment", timestampWrites });
  for (const st of seg.steps) {
    const n = st.n;
    const mlp = { n, dim, hidden, features, stride };
    const adam: AdamStep = { ...opts, t: st.t };
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
      if (st.blocks.count > 0) {
        const shape = { count: st.blocks.count, dim, blockBase: st.blocks.base };
        k.embeddingGrad.record(pass, g.embeddingGrad!, arena, shape);
      }
      for (const r of st.chunks) {
        const shape = {
          count: r.count,
          dim,
          rowBase: r.rowBase,
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
  return { commands: encoder.finish(), uploadMs, uploadBytes };
}
