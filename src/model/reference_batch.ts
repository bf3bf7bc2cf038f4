/**
 * Mini-batch helpers over the reference math: the mean loss, its dense gradient with respect to
 * every parameter (float64, full embedding table), and scoring. Meant for tests and for checking
 * other backends (finite differences, GPU kernels); the CPU backend has its own sparse loop.
 *
 * @module
 */
import { pairLoss, pairLossGrad } from "./math.ts";
import { scatterBag } from "./bag.ts";
import { pairBackward, pairForward, type ParamsLike, Workspace } from "./reference.ts";
import type { ModelConfig, PairFeatures, Scores, TrainSet } from "./types.ts";

/** Float64 parameters or gradients (the embedding is full-size). */
export interface Grads {
  embedding: Float64Array;
  w1: Float64Array;
  b1: Float64Array;
  w2: Float64Array;
  b2: Float64Array;
}

/**
 * The mean loss of the examples at `positions` (positions into `set`), as `trainEpoch` defines it.
 *
 * @param params The weights.
 * @param cfg The model shape.
 * @param f The loaded features.
 * @param set The training examples.
 * @param positions Which examples form the mini-batch.
 * @param margin The Bradley-Terry margin.
 * @returns The mean of `w * softplus(m - y (rA - rB))` over the mini-batch.
 * @example
 * ```ts
 * import { batchLoss } from "./reference_batch.ts";
 * import { zeroParams } from "./params.ts";
 * import { DEFAULT_MODEL } from "./types.ts";
 * const cfg = { ...DEFAULT_MODEL, buckets: 8, dim: 2, hidden: 3 };
 * const z = new Uint32Array([0, 1]), f = { n: 1, promptOffsets: z, promptIds: new Uint32Array([3]),
 *   aOffsets: z, aIds: new Uint32Array([4]), bOffsets: z, bIds: new Uint32Array([5]) };
 * const set = { indices: new Uint32Array([0]), labels: new Int8Array([1]), weights: new Float32Array([1]) };
 * if (Math.abs(batchLoss(zeroParams(cfg), cfg, f, set, [0], 0) - Math.LN2) > 1e-12) throw new Error();
 * ```
 */
export function batchLoss(
  params: ParamsLike,
  cfg: ModelConfig,
  f: PairFeatures,
  set: TrainSet,
  positions: ArrayLike<number>,
  margin: number,
): number {
  const ws = new Workspace(cfg);
  let sum = 0;
  for (let t = 0; t < positions.length; t++) {
    const pos = positions[t];
    const [ra, rb] = pairForward(params, cfg, f, set.indices[pos], ws);
    sum += pairLoss(ra, rb, set.labels[pos], set.weights[pos], margin);
  }
  return sum / Math.max(positions.length, 1);
}

/**
 * The mean loss of a mini-batch and its gradient with respect to every parameter.
 *
 * @param params The weights.
 * @param cfg The model shape.
 * @param f The loaded features.
 * @param set The training examples.
 * @param positions Which examples form the mini-batch.
 * @param margin The Bradley-Terry margin.
 * @returns The loss and float64 gradients shaped like the parameters.
 */
export function batchGradients(
  params: ParamsLike,
  cfg: ModelConfig,
  f: PairFeatures,
  set: TrainSet,
  positions: ArrayLike<number>,
  margin: number,
): { loss: number; grads: Grads } {
  const grads: Grads = {
    embedding: new Float64Array(params.embedding.length),
    w1: new Float64Array(params.w1.length),
    b1: new Float64Array(params.b1.length),
    w2: new Float64Array(params.w2.length),
    b2: new Float64Array(1),
  };
  const ws = new Workspace(cfg);
  const n = positions.length, scale = 1 / Math.max(n, 1), d = cfg.dim, pl = cfg.pooling;
  let sum = 0;
  for (let t = 0; t < n; t++) {
    const pos = positions[t], i = set.indices[pos], y = set.labels[pos], w = set.weights[pos];
    const [ra, rb] = pairForward(params, cfg, f, i, ws);
    sum += pairLoss(ra, rb, y, w, margin);
    const dra = pairLossGrad(ra, rb, y, w, margin) * scale;
    pairBackward(params, cfg, ws, dra, -dra, grads);
    if (cfg.input === "bag") {
      const g = grads.embedding;
      scatterBag(g, d, f.promptIds, f.promptOffsets[i], f.promptOffsets[i + 1], pl, ws.dp);
      scatterBag(g, d, f.aIds, f.aOffsets[i], f.aOffsets[i + 1], pl, ws.dqa);
      scatterBag(g, d, f.bIds, f.bOffsets[i], f.bOffsets[i + 1], pl, ws.dqb);
    }
  }
  return { loss: sum * scale, grads };
}

/**
 * Rewards of the pairs at `indices` under the reference math.
 *
 * @param params The weights.
 * @param cfg The model shape.
 * @param f The loaded features.
 * @param indices Pair indices into `f`.
 * @returns Float32 rewards of responses a and b, in the order of `indices`.
 */
export function scoreReference(
  params: ParamsLike,
  cfg: ModelConfig,
  f: PairFeatures,
  indices: ArrayLike<number>,
): Scores {
  const ws = new Workspace(cfg);
  const rewardA = new Float32Array(indices.length), rewardB = new Float32Array(indices.length);
  for (let t = 0; t < indices.length; t++) {
    const [ra, rb] = pairForward(params, cfg, f, indices[t], ws);
    rewardA[t] = ra;
    rewardB[t] = rb;
  }
  return { rewardA, rewardB };
}
