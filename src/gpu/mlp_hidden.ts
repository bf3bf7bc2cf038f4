/**
 * Wrapper of `shaders/mlp_hidden.wgsl`: `z = W1 x + b1` for both rows (responses a and b) of
 * every pair, with x read from the pooled vectors; one invocation per (pair, unit).
 *
 * @module
 */
import type { GpuContext } from "./device.ts";
import { Kernel, type KernelCost, type UniformArena } from "./kernel.ts";
import type { BindingKind } from "./shader.ts";

const WG = 64;

/** The buffers of one binding. */
export interface MlpHiddenBuffers {
  /** f32 [n, stride] pooled vectors. */
  pooled: GPUBuffer;
  /** f32 dense parameters [W1, b1, w2, b2]. */
  theta: GPUBuffer;
  /** f32 [2 n, hidden] output. */
  z: GPUBuffer;
}

/** One dispatch's shape. */
export interface MlpShape {
  /** Pairs (two rows each: response a, response b). */
  n: number;
  dim: number;
  hidden: number;
  /** MLP input width (3 dim, + 2 with dense features). */
  features: number;
  /** Floats per pair in `pooled`. */
  stride: number;
}

/** The hidden-layer kernel. */
export class MlpHiddenKernel {
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
  static async load(gpu: GpuContext): Promise<MlpHiddenKernel> {
    const bindings: BindingKind[] = [
      "uniform", // params
      "read", // pooled
      "read", // theta
      "write", // z
    ];
    return new MlpHiddenKernel(await Kernel.load(gpu, "mlp_hidden", bindings, { WG }));
  }

  /**
   * @param arena The recording's uniform arena.
   * @param b The buffers.
   * @returns The bind group.
   */
  bind(arena: UniformArena, b: MlpHiddenBuffers): GPUBindGroup {
    return this.#k.bind(arena, [b.pooled, b.theta, b.z]);
  }

  /**
   * Records one dispatch: `n * hidden` invocations.
   *
   * @param pass The compute pass.
   * @param group A bind group from `bind()`.
   * @param arena The arena the params go to.
   * @param s The shape.
   */
  record(pass: GPUComputePassEncoder, group: GPUBindGroup, arena: UniformArena, s: MlpShape): void {
    const offset = arena.push([s.n, s.dim, s.hidden, s.features, s.stride]);
    this.#k.dispatchFlat(pass, group, offset, s.n * s.hidden, WG);
  }
}

/**
 * Compulsory traffic and arithmetic of one dispatch.
 *
 * @param s The shape.
 * @returns Bytes moved and flops.
 * @example
 * ```ts
 * import { mlpHiddenCost } from "./mlp_hidden.ts";
 * const c = mlpHiddenCost({ n: 2, dim: 2, hidden: 3, features: 6, stride: 9 });
 * if (c.flops !== 2 * 4 * 3 * 6 + 4 * 3 + 4 * 2) throw new Error();
 * ```
 */
export function mlpHiddenCost(s: MlpShape): KernelCost {
  const rows = 2 * s.n;
  return {
    bytes: 4 * (s.n * s.stride + s.hidden * (s.features + 1) + rows * s.hidden),
    flops: 2 * rows * s.hidden * s.features + rows * s.hidden + rows * s.dim,
  };
}
