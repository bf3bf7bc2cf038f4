/**
 * Wrapper of `shaders/embedding_grad.wgsl`: sums the blocks of contributions of frequent
 * embedding rows (first level of their deterministic two-level gradient sum).
 *
 * @module
 */
import type { GpuContext } from "./device.ts";
import { Kernel, type KernelCost, type UniformArena } from "./kernel.ts";
import type { BindingKind } from "./shader.ts";

const WG = 64;

/** The buffers of one binding. */
export interface EmbeddingGradBuffers {
  /** u32 [*, 2] (first, end) per block. */
  blocks: GPUBuffer;
  /** u32 bag slots (3 i + k) per contribution. */
  contribs: GPUBuffer;
  /** f32 [3 n, dim] per-token gradients. */
  gtok: GPUBuffer;
  /** f32 [*, dim] block sums (output). */
  partial: GPUBuffer;
}

/** One dispatch's shape. */
export interface EmbeddingGradShape {
  /** Blocks to sum. */
  count: number;
  dim: number;
  /** First block. */
  blockBase: number;
}

/** The block-sum kernel. */
export class EmbeddingGradKernel {
  readonly #k: Kernel;
  private constructor(k: Kernel) {
    this.#k = k;
  }

  /**
   * Compiles the kernel (cached per device).
   *
   * @param gpu The device.
   * @returns The kernel.
   */
  static async load(gpu: GpuContext): Promise<EmbeddingGradKernel> {
    const bindings: BindingKind[] = [
      "uniform", // params
      "read", // blocks
      "read", // contribs
      "read", // gtok
      "write", // partial
    ];
    return new EmbeddingGradKernel(await Kernel.load(gpu, "embedding_grad", bindings, { WG }));
  }

  /**
   * @param arena The recording's uniform arena.
   * @param b The buffers.
   * @returns The bind group.
   */
  bind(arena: UniformArena, b: EmbeddingGradBuffers): GPUBindGroup {
    return this.#k.bind(arena, [b.blocks, b.contribs, b.gtok, b.partial]);
  }

  /**
   * Records one dispatch: `count * dim` invocations.
   *
   * @param pass The compute pass.
   * @param group A bind group from `bind()`.
   * @param arena The arena the params go to.
   * @param s The shape.
   */
  record(
    pass: GPUComputePassEncoder,
    group: GPUBindGroup,
    arena: UniformArena,
    s: EmbeddingGradShape,
  ): void {
    const offset = arena.push([s.count, s.dim, s.blockBase]);
    this.#k.dispatchFlat(pass, group, offset, s.count * s.dim, WG);
  }
}

/**
 * Compulsory traffic and arithmetic of one dispatch.
 *
 * @param blocks Blocks summed.
 * @param contributions Contributions in those blocks.
 * @param dim Embedding width.
 * @returns Bytes moved and flops.
 * @example
 * ```ts
 * import { embeddingGradCost } from "./embedding_grad.ts";
 * if (embeddingGradCost(2, 100, 8).flops !== 800) throw new Error();
 * ```
 */
export function embeddingGradCost(blocks: number, contributions: number, dim: number): KernelCost {
  return {
    bytes: 4 * (2 * blocks + contributions + contributions * dim + blocks * dim),
    flops: contributions * dim,
  };
}
