/**
 * Wrapper of `shaders/mlp_forward.wgsl`: the MLP on both rows (responses a and b) of every pair
 * as a tiled GEMM with the output layer fused: `z = W1 x + b1` (kept for the backward pass) and
 * `r = w2 . act(z) + b2`, x read from the pooled vectors; 8 pairs per workgroup of 64 units.
 *
 * @module
 */
import type { GpuContext } from "./device.ts";
import { flatGrid, Kernel, type KernelCost, type UniformArena } from "./kernel.ts";
import type { BindingKind } from "./shader.ts";

/** Pair slots per workgroup (the shader's TS). */
const SLOTS_PER_GROUP = 8;
/** Flops counted per activation (GELU's tanh approximation, about 8; ReLU 1). */
export const ACT_FLOPS = 8;

/** The buffers of one binding. */
export interface MlpForwardBuffers {
  /** f32 [n, stride] pooled vectors. */
  pooled: GPUBuffer;
  /** f32 dense parameters [W1, b1, w2, b2]. */
  theta: GPUBuffer;
  /** f32 [2 n, hidden] pre-activations (output). */
  z: GPUBuffer;
  /** f32 [outBase + 2 n] rewards (output). */
  rewards: GPUBuffer;
}

/** The MLP's shape over a chunk of pairs (shared with the backward kernels). */
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

/** One dispatch's shape. */
export interface MlpForwardShape extends MlpShape {
  activation: "gelu" | "relu";
  /** First element of `rewards` written (row j goes to `outBase + j`). */
  outBase: number;
}

/** The fused forward kernel. */
export class MlpForwardKernel {
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
  static async load(gpu: GpuContext): Promise<MlpForwardKernel> {
    const bindings: BindingKind[] = [
      "uniform", // params
      "read", // pooled
      "read", // theta
      "write", // z
      "write", // rewards
    ];
    return new MlpForwardKernel(await Kernel.load(gpu, "mlp_forward", bindings));
  }

  /**
   * @param arena The recording's uniform arena.
   * @param b The buffers.
   * @returns The bind group.
   */
  bind(arena: UniformArena, b: MlpForwardBuffers): GPUBindGroup {
    return this.#k.bind(arena, [b.pooled, b.theta, b.z, b.rewards]);
  }

  /**
   * Records one dispatch: one workgroup per 8 pairs.
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
    s: MlpForwardShape,
  ): void {
    const offset = arena.push([
      s.n,
      s.dim,
      s.hidden,
      s.features,
      s.stride,
      s.activation === "relu" ? 1 : 0,
      s.outBase,
    ]);
    const groups = Math.ceil(s.n / SLOTS_PER_GROUP);
    const [x, y] = flatGrid(groups, 1, this.#k.gpu.device.limits.maxComputeWorkgroupsPerDimension);
    this.#k.dispatch(pass, group, offset, x, y);
  }
}

/**
 * Compulsory traffic and arithmetic of one dispatch.
 *
 * @param s The shape.
 * @returns Bytes moved and flops.
 * @example
 * ```ts
 * import { mlpForwardCost } from "./mlp_forward.ts";
 * const c = mlpForwardCost({ n: 2, dim: 2, hidden: 3, features: 6, stride: 9,
 *   activation: "relu", outBase: 0 });
 * if (c.flops !== 2 * 4 * 3 * 6 + 4 * 3 + 4 * 2 + 4 * 3 * 3 + 4) throw new Error();
 * ```
 */
export function mlpForwardCost(s: MlpForwardShape): KernelCost {
  const rows = 2 * s.n, act = s.activation === "gelu" ? ACT_FLOPS : 1;
  return {
    bytes: 4 * (s.n * s.stride + s.hidden * (s.features + 2) + 1 + rows * s.hidden + rows),
    // W1 x, + b1, p * q; then w2 . act(z) + b2.
    flops: 2 * rows * s.hidden * s.features + rows * s.hidden + rows * s.dim +
      rows * s.hidden * (2 + act) + rows,
  };
}
