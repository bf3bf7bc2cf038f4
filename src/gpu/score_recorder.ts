/**
 * Scoring on the GPU: records pool, hidden and output layer per chunk of pairs into one command
 * buffer, every reward written to one buffer (row 2 i: response a, 2 i + 1: b), and reads them
 * back once per pass (a pass holds up to a storage binding's worth of rewards).
 *
 * @module
 */
import { featureWidth, type PairFeatures, type Scores } from "../model/types.ts";
import { readBack } from "./buffers.ts";
import { addForward, type CallCost, emptyCost } from "./cost.ts";
import type { RecordContext } from "./train_recorder.ts";
import { pooledStride } from "./workspace.ts";

/**
 * Scores pairs (indices already checked against the loaded features).
 *
 * @param c The recording context.
 * @param host The loaded features (for token counts in the cost record).
 * @param indices Pair indices.
 * @param chunk Pairs per chunk of dispatches.
 * @returns The rewards, in the order of `indices`, and the work done.
 */
export async function scoreOnGpu(
  c: RecordContext,
  host: PairFeatures,
  indices: Uint32Array,
  chunk: number,
): Promise<{ scores: Scores; cost: CallCost }> {
  const n = indices.length, cost = emptyCost();
  const scores = { rewardA: new Float32Array(n), rewardB: new Float32Array(n) };
  const perPass = Math.floor(c.gpu.maxBindingBytes / 8);
  for (let start = 0; start < n; start += perPass) {
    const part = indices.subarray(start, Math.min(n, start + perPass));
    const { encoder, rewards } = await c.gpu.validated(
      "record pair scoring",
      () => recordScore(c, part, chunk),
    );
    const range = { buffer: rewards, offset: 0, bytes: 8 * part.length };
    const [r] = await readBack(c.gpu, [range], encoder);
    for (let i = 0; i < part.length; i++) {
      scores.rewardA[start + i] = r[2 * i];
      scores.rewardB[start + i] = r[2 * i + 1];
    }
    addScoreCost(cost, c, host, part, chunk);
    cost.submissions++;
    cost.readbacks++;
    cost.uploadBytes += part.byteLength;
    cost.readbackBytes += 8 * part.length;
  }
  return { scores, cost };
}

/**
 * Adds the forward passes of scoring `indices` in chunks of `chunk` to `cost`.
 *
 * @param cost The record to add to.
 * @param c The recording context.
 * @param host The loaded features (token counts).
 * @param indices The pairs scored.
 * @param chunk Pairs per chunk.
 */
export function addScoreCost(
  cost: CallCost,
  c: RecordContext,
  host: PairFeatures,
  indices: Uint32Array,
  chunk: number,
): void {
  for (let s = 0; s < indices.length; s += chunk) {
    const pairs = Math.min(chunk, indices.length - s);
    addForward(cost, c.cfg, {
      pairs,
      tokens: _tokens(c, host, indices.subarray(s, s + pairs)),
      touched: 0,
      tableChunks: 0,
      blocks: 0,
      blockedContributions: 0,
    });
  }
}

function _tokens(c: RecordContext, f: PairFeatures, idx: Uint32Array): number {
  if (c.cfg.input !== "bag") return 0;
  let t = 0;
  for (const i of idx) {
    t += f.promptOffsets[i + 1] - f.promptOffsets[i] + f.aOffsets[i + 1] - f.aOffsets[i] +
      f.bOffsets[i + 1] - f.bOffsets[i];
  }
  return t;
}

/**
 * Uploads the pair indices and records their scoring.
 *
 * @param c The context.
 * @param indices Pair indices (checked against the loaded features).
 * @param chunk Pairs per chunk (scratch is sized for it).
 * @param encoder Where to record (a new encoder by default).
 * @returns The command encoder (the caller adds the readback copy) and the rewards buffer.
 */
export function recordScore(
  c: RecordContext,
  indices: Uint32Array,
  chunk: number,
  encoder: GPUCommandEncoder = c.gpu.device.createCommandEncoder({ label: "score" }),
): { encoder: GPUCommandEncoder; rewards: GPUBuffer } {
  const { cfg, kernels: k, state, ws, arena } = c;
  const bag = cfg.input === "bag";
  const pairs = ws.pairs.write(indices);
  const rewards = ws.scores.ensure(8 * indices.length);
  const b = ws.chunk(Math.min(chunk, indices.length), false);
  const chunks = Math.ceil(indices.length / chunk);
  arena.reset(2 * chunks);
  const tables = bag ? state.table!.buffers : c.features.vectors!.buffers;
  const gBag = k.bag.bind(arena, {
    pairs,
    offsets: c.features.offsets,
    ids: c.features.ids,
    tables,
    pooled: b.pooled,
  });
  const gForward = k.forward.bind(arena, { pooled: b.pooled, theta: state.theta, z: b.z, rewards });

  const dim = cfg.dim,
    hidden = cfg.hidden,
    features = featureWidth(cfg),
    stride = pooledStride(cfg);
  const rowsPerChunk = bag ? state.plan.rowsPerChunk : c.features.vectors!.plan.rowsPerChunk;
  const pass = encoder.beginComputePass({ label: "score" });
  for (let start = 0; start < indices.length; start += chunk) {
    const n = Math.min(chunk, indices.length - start);
    k.bag.record(pass, gBag, arena, {
      n,
      dim,
      pairBase: start,
      pairsTotal: c.features.n,
      rowsPerChunk,
      stride,
      pooling: cfg.pooling,
      direct: !bag,
    });
    k.forward.record(pass, gForward, arena, {
      n,
      dim,
      hidden,
      features,
      stride,
      activation: cfg.activation,
      outBase: 2 * start,
    });
  }
  pass.end();
  arena.upload();
  return { encoder, rewards };
}
