/**
 * Wrapper of `shaders/weight_grad.wgsl`: W1's gradient `sum_rows gz^T x`, one invocation per
 * (unit, column group), summed in pair order (deterministic).
 *
 * @module
 */
import type { GpuContext } from "./device.ts";
import { Kernel, type KernelCost, type UniformArena } from "./kernel.ts";
import type { MlpShape } from "./mlp_forward.ts";
import type { BindingKind } from "./shader.ts";

const WG = 64;

/** The buffers of one binding. */
export interface WeightGradBuffers {
  /** f32 [n, stride] pooled vectors. */
  pooled: GPUBuffer;
  /** f32 [2 n, hidden] dL/dz. */
  gz: GPUBuffer;
  /** f32 dense gradient [W1, b1, w2, b2]; this kernel writes the W1 part. */
  grad: GPUBuffer;
}

/** The W1-gradient kernel. */
export class WeightGradKernel {
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
  static async load(gpu: GpuContext): Promise<WeightGradKernel> {
    const bindings: BindingKind[] = [
      "uniform", // params
      "read", // pooled
      "read", // gz
      "write", // grad
    ];
    return new WeightGradKernel(await Kernel.load(gpu, "weight_grad", bindings, { WG }));
  }

  /**
   * @param arena The recording's uniform arena.
   * @param b The buffers.
   * @returns The bind group.
   */
  bind(arena: UniformArena, b: WeightGradBuffers): GPUBindGroup {
    return this.#k.bind(arena, [b.pooled, b.gz, b.grad]);
  }

  /**
   * Records one dispatch: `hidden * (dim + 1 if dense features else dim)` invocations.
   *
   * @param pass The compute pass.
   * @param group A bind group from `bind()`.
   * @param arena The arena the params go to.
   * @param s The shape (as for mlp_forward).
   */
  record(pass: GPUComputePassEncoder, group: GPUBindGroup, arena: UniformArena, s: MlpShape): void {
    const offset = arena.push([s.n, s.dim, s.hidden, s.features, s.stride]);
    const groups = s.dim + (s.features > 3 * s.dim ? 1 : 0);
    this.#k.dispatchFlat(pass, group, offset, s.hidden * groups, WG);
  }
}

/**
 * Compulsory traffic and arithmetic of one dispatch.
 *
 * @param s The shape.
 * @returns Bytes moved and flops.
 * @example
 * ```ts
 * import { weightGradCost } from "./weight_grad.ts";
 * const c = weightGradCost({ n: 2, dim: 2, hidden: 3, features: 6, stride: 9 });
 * if (c.flops !== 2 * 4 * 3 * 6) throw new Error();
 * ```
 */
export function weightGradCost(s: MlpShape): KernelCost {
  return {
    bytes: 4 * (s.n * s.stride + 2 * s.n * s.hidden + s.hidden * s.features),
    flops: 2 * 2 * s.n * s.hidden * s.features,
  };
}
