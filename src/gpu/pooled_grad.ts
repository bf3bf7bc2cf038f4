/**
 * Wrapper of `shaders/pooled_grad.wgsl`: the gradient each token of each bag receives (the
 * gradient wrt the pooled vectors times the bag's pooling scale).
 *
 * @module
 */
import type { GpuContext } from "./device.ts";
import { Kernel, type KernelCost, type UniformArena } from "./kernel.ts";
import type { BindingKind } from "./shader.ts";

const WG = 64;

/** The buffers of one binding. */
export interface PooledGradBuffers {
  /** f32 [n, stride] pooled vectors and counts. */
  pooled: GPUBuffer;
  /** f32 [2 n, hidden] dL/dz. */
  gz: GPUBuffer;
  /** f32 dense parameters [W1, b1, w2, b2]. */
  theta: GPUBuffer;
  /** f32 [3 n, dim] output: per-token gradient of each bag slot. */
  gtok: GPUBuffer;
}

/** One dispatch's shape. */
export interface PooledGradShape {
  /** Pairs. */
  n: number;
  dim: number;
  hidden: number;
  features: number;
  stride: number;
  pooling: "mean" | "sqrtn";
}

/** The pooled-gradient kernel. */
export class PooledGradKernel {
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
  static async load(gpu: GpuContext): Promise<PooledGradKernel> {
    const bindings: BindingKind[] = [
      "uniform", // params
      "read", // pooled
      "read", // gz
      "read", // theta
      "write", // gtok
    ];
    return new PooledGradKernel(await Kernel.load(gpu, "pooled_grad", bindings, { WG }));
  }

  /**
   * @param arena The recording's uniform arena.
   * @param b The buffers.
   * @returns The bind group.
   */
  bind(arena: UniformArena, b: PooledGradBuffers): GPUBindGroup {
    return this.#k.bind(arena, [b.pooled, b.gz, b.theta, b.gtok]);
  }

  /**
   * Records one dispatch: `n * dim` invocations.
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
    s: PooledGradShape,
  ): void {
    const pooling = s.pooling === "mean" ? 0 : 1;
    const offset = arena.push([s.n, s.dim, s.hidden, s.features, s.stride, pooling]);
    this.#k.dispatchFlat(pass, group, offset, s.n * s.dim, WG);
  }
}

/**
 * Compulsory traffic and arithmetic of one dispatch.
 *
 * @param s The shape.
 * @returns Bytes moved and flops.
 * @example
 * ```ts
 * import { pooledGradCost } from "./pooled_grad.ts";
 * const c = pooledGradCost({ n: 2, dim: 4, hidden: 8, features: 14, stride: 15, pooling: "mean" });
 * if (c.flops !== 2 * 4 * (12 * 8 + 12)) throw new Error();
 * ```
 */
export function pooledGradCost(s: PooledGradShape): KernelCost {
  return {
    bytes: 4 * (s.n * s.stride + 2 * s.n * s.hidden + 3 * s.dim * s.hidden + 3 * s.n * s.dim),
    flops: s.n * s.dim * (12 * s.hidden + 12),
  };
}
