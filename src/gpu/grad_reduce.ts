/**
 * Wrapper of `shaders/grad_reduce.wgsl`: the second pass of weight_grad's split-K, adding the
 * chunks' partial sums of every gradient element in chunk order.
 *
 * @module
 */
import type { GpuContext } from "./device.ts";
import { Kernel, type KernelCost, type UniformArena } from "./kernel.ts";
import type { BindingKind } from "./shader.ts";
import type { SplitK } from "./weight_grad.ts";

const WG = 64;

/** The buffers of one binding. */
export interface GradReduceBuffers {
  /** f32 [chunks, count] partial sums. */
  partial: GPUBuffer;
  /** f32 [count] gradient (output). */
  grad: GPUBuffer;
}

/** The reduction kernel. */
export class GradReduceKernel {
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
  static async load(gpu: GpuContext): Promise<GradReduceKernel> {
    const bindings: BindingKind[] = [
      "uniform", // params
      "read", // partial
      "write", // grad
    ];
    return new GradReduceKernel(await Kernel.load(gpu, "grad_reduce", bindings, { WG }));
  }

  /**
   * @param arena The recording's uniform arena.
   * @param b The buffers.
   * @returns The bind group.
   */
  bind(arena: UniformArena, b: GradReduceBuffers): GPUBindGroup {
    return this.#k.bind(arena, [b.partial, b.grad]);
  }

  /**
   * Records one dispatch: one invocation per gradient element.
   *
   * @param pass The compute pass.
   * @param group A bind group from `bind()`.
   * @param arena The arena the params go to.
   * @param k The split.
   */
  record(pass: GPUComputePassEncoder, group: GPUBindGroup, arena: UniformArena, k: SplitK): void {
    const offset = arena.push([k.count, k.chunks]);
    this.#k.dispatchFlat(pass, group, offset, k.count, WG);
  }
}

/**
 * Compulsory traffic and arithmetic of one dispatch.
 *
 * @param k The split.
 * @returns Bytes moved and flops.
 * @example
 * ```ts
 * import { gradReduceCost } from "./grad_reduce.ts";
 * if (gradReduceCost({ chunk: 64, chunks: 3, count: 10 }).flops !== 30) throw new Error();
 * ```
 */
export function gradReduceCost(k: SplitK): KernelCost {
  return { bytes: 4 * (k.chunks + 1) * k.count, flops: k.chunks * k.count };
}
