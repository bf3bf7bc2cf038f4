/**
 * The reward model's kernels, compiled together (each cached per device).
 *
 * @module
 */
import { AdamDenseKernel } from "./adam_dense.ts";
import type { ModelConfig } from "../model/types.ts";
import type { GpuContext } from "./device.ts";
import { EmbeddingAdamKernel } from "./embedding_adam.ts";
import { EmbeddingBagKernel } from "./embedding_bag.ts";
import { EmbeddingGradKernel } from "./embedding_grad.ts";
import { LossGradKernel } from "./loss_grad.ts";
import { MlpForwardKernel } from "./mlp_forward.ts";
import { GradReduceKernel } from "./grad_reduce.ts";
import { PooledGradKernel } from "./pooled_grad.ts";
import { ReduceStatsKernel } from "./reduce_stats.ts";
import { WeightGradKernel } from "./weight_grad.ts";
import { RowListKernels } from "./row_lists.ts";

/** Every kernel the backend records. */
export interface Kernels {
  bag: EmbeddingBagKernel;
  forward: MlpForwardKernel;
  loss: LossGradKernel;
  weightGrad: WeightGradKernel;
  gradReduce: GradReduceKernel;
  pooledGrad: PooledGradKernel;
  embeddingGrad: EmbeddingGradKernel;
  embeddingAdam: EmbeddingAdamKernel;
  adamDense: AdamDenseKernel;
  reduce: ReduceStatsKernel;
  /** Building the touched-row lists on the GPU (radix sort and segmentation). */
  rowLists: RowListKernels;
}

/**
 * Compiles all kernels.
 *
 * @param gpu The device.
 * @param cfg The model shape (the embedding width picks embedding_bag's variant).
 * @returns The kernels.
 * @throws Error naming the shader when one does not compile.
 */
export async function loadKernels(gpu: GpuContext, cfg: ModelConfig): Promise<Kernels> {
  const load = {
    bag: EmbeddingBagKernel.load(gpu, cfg.dim),
    forward: MlpForwardKernel.load(gpu),
    loss: LossGradKernel.load(gpu),
    weightGrad: WeightGradKernel.load(gpu),
    gradReduce: GradReduceKernel.load(gpu),
    pooledGrad: PooledGradKernel.load(gpu),
    embeddingGrad: EmbeddingGradKernel.load(gpu),
    embeddingAdam: EmbeddingAdamKernel.load(gpu),
    adamDense: AdamDenseKernel.load(gpu),
    reduce: ReduceStatsKernel.load(gpu),
    rowLists: RowListKernels.load(gpu),
  };
  const done = await Promise.all(Object.values(load));
  return Object.fromEntries(Object.keys(load).map((k, i) => [k, done[i]])) as unknown as Kernels;
}
