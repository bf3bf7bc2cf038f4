/**
 * Bytes and flops of whole backend calls, summed from the kernels' own counts, so benchmarks can
 * report GB/s and GFLOP/s per kernel against the device's limits.
 *
 * @module
 */
import { featureWidth, type ModelConfig } from "../model/types.ts";
import { adamDenseCost } from "./adam_dense.ts";
import { embeddingAdamCost } from "./embedding_adam.ts";
import { embeddingBagCost } from "./embedding_bag.ts";
import { embeddingGradCost } from "./embedding_grad.ts";
import type { KernelCost } from "./kernel.ts";
import { lossGradCost } from "./loss_grad.ts";
import { mlpForwardCost } from "./mlp_forward.ts";
import { gradReduceCost } from "./grad_reduce.ts";
import { pooledGradCost } from "./pooled_grad.ts";
import { reduceStatsCost } from "./reduce_stats.ts";
import type { HostTimes } from "./timeline.ts";
import { splitK, weightGradCost } from "./weight_grad.ts";

/** Work of one backend call: per kernel, and how it was recorded. */
export interface CallCost {
  /** Bytes and flops per kernel name (summed over its dispatches). */
  kernels: Record<string, KernelCost>;
  dispatches: number;
  /** Command submissions (readbacks included). */
  submissions: number;
  /** Buffer maps (`mapAsync` waits; each costs milliseconds in Deno whatever its size). */
  readbacks: number;
  /** Host -> device bytes written with `writeBuffer` (lists and params). */
  uploadBytes: number;
  /** Device -> host bytes read back. */
  readbackBytes: number;
  /** Host time of a training epoch (planning, waiting, uploads, encoding, submits). */
  host?: HostTimes;
}

/** What one pass over a chunk of pairs involves (a training step or a scoring chunk). */
export interface ChunkWork {
  pairs: number;
  /** Token ids in the chunk's bags. */
  tokens: number;
  /** Distinct embedding rows touched (training). */
  touched: number;
  /** Table chunks with touched rows (training; one dispatch each). */
  tableChunks: number;
  /** Blocks of frequent rows, and the contributions they hold (training). */
  blocks: number;
  blockedContributions: number;
}

/**
 * An empty cost record.
 *
 * @returns Zero counts.
 * @example
 * ```ts
 * import { emptyCost } from "./cost.ts";
 * if (emptyCost().dispatches !== 0) throw new Error();
 * ```
 */
export function emptyCost(): CallCost {
  return {
    kernels: {},
    dispatches: 0,
    submissions: 0,
    readbacks: 0,
    uploadBytes: 0,
    readbackBytes: 0,
  };
}

/**
 * Adds one kernel's work to `c`.
 *
 * @param c The record.
 * @param name Kernel name.
 * @param k Its bytes and flops.
 * @param dispatches Dispatches recorded.
 * @example
 * ```ts
 * import { addKernel, emptyCost } from "./cost.ts";
 * const c = emptyCost();
 * addKernel(c, "radix_sort", { bytes: 8, flops: 0 }, 3);
 * if (c.dispatches !== 3 || c.kernels.radix_sort.bytes !== 8) throw new Error();
 * ```
 */
export function addKernel(c: CallCost, name: string, k: KernelCost, dispatches = 1): void {
  _add(c, name, k, dispatches);
}

function _add(c: CallCost, name: string, k: KernelCost, dispatches = 1): void {
  const e = c.kernels[name] ??= { bytes: 0, flops: 0 };
  e.bytes += k.bytes;
  e.flops += k.flops;
  c.dispatches += dispatches;
}

/**
 * Adds the forward pass of a chunk (pool, then the fused MLP) to `c`.
 *
 * @param c The record to add to.
 * @param cfg The model shape.
 * @param w The chunk.
 */
export function addForward(c: CallCost, cfg: ModelConfig, w: ChunkWork): void {
  const dim = cfg.dim, hidden = cfg.hidden, features = featureWidth(cfg), stride = 3 * dim + 3;
  const bag = {
    n: w.pairs,
    dim,
    pairBase: 0,
    pairsTotal: 0,
    rowsPerChunk: 0,
    stride,
    pooling: cfg.pooling,
    direct: cfg.input !== "bag",
  };
  _add(c, "embedding_bag", embeddingBagCost(bag, w.tokens));
  const mlp = { n: w.pairs, dim, hidden, features, stride, activation: cfg.activation, outBase: 0 };
  _add(c, "mlp_forward", mlpForwardCost(mlp));
}

/**
 * Adds one training step (forward, backward, updates) to `c`.
 *
 * @param c The record to add to.
 * @param cfg The model shape.
 * @param w The mini-batch.
 */
export function addTrainStep(c: CallCost, cfg: ModelConfig, w: ChunkWork): void {
  addForward(c, cfg, w);
  const dim = cfg.dim, hidden = cfg.hidden, features = featureWidth(cfg), stride = 3 * dim + 3;
  const n = w.pairs, activation = cfg.activation;
  _add(c, "loss_grad", lossGradCost({ n, hidden, features, activation, posBase: 0, margin: 0 }));
  const wg = { n, dim, hidden, features, stride, activation }, split = splitK(wg, Infinity);
  _add(c, "weight_grad", weightGradCost(wg, split));
  _add(c, "grad_reduce", gradReduceCost(split));
  if (cfg.input === "bag") {
    _add(
      c,
      "pooled_grad",
      pooledGradCost({ n, dim, hidden, features, stride, pooling: cfg.pooling }),
    );
    if (w.blocks > 0) {
      _add(c, "embedding_grad", embeddingGradCost(w.blocks, w.blockedContributions, dim));
    }
    const direct = w.tokens - w.blockedContributions + w.blocks;
    _add(c, "embedding_adam", embeddingAdamCost(w.touched, direct, dim), w.tableChunks);
  }
  _add(c, "adam_dense", adamDenseCost({ hidden, features }));
}

/**
 * Adds the end-of-segment reduction of `n` examples to `c`.
 *
 * @param c The record to add to.
 * @param n Examples.
 */
export function addReduce(c: CallCost, n: number): void {
  _add(c, "reduce_stats", reduceStatsCost(n));
}

/**
 * Totals over all kernels.
 *
 * @param c The record.
 * @returns Summed bytes and flops.
 * @example
 * ```ts
 * import { addReduce, emptyCost, totalCost } from "./cost.ts";
 * const c = emptyCost();
 * addReduce(c, 10);
 * if (totalCost(c).flops !== 20) throw new Error();
 * ```
 */
export function totalCost(c: CallCost): KernelCost {
  let bytes = 0, flops = 0;
  for (const k of Object.values(c.kernels)) {
    bytes += k.bytes;
    flops += k.flops;
  }
  return { bytes, flops };
}
