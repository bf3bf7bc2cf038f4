/**
 * Wrapper of `shaders/mlp_output.wgsl`: the reward `r = w2 . act(z) + b2` of every row.
 *
 * @module
 */
import type { GpuContext } from "./device.ts";
import { Kernel, type KernelCost, type UniformArena } from "./kernel.ts";
import type { BindingKind } from "./shader.ts";

const WG = 64;
/** Flops counted per activation (GELU's tanh approximation, about 8; ReLU 1). */
export const ACT_FLOPS = 8;

/** The buffers of one binding. */
export interface MlpOutputBuffers {
  /** f32 [rows, hidden] pre-activations. */
  z: GPUBuffer;
  /** f32 dense parameters [W1, b1, w2, b2]. */
  theta: GPUBuffer;
  /** f32 output, `rewards[outBase + row]`. */
  rewards: GPUBuffer;
}

/** One dispatch's shape. */
export interface MlpOutputShape {
  rows: number;
  hidden: number;
  features: number;
  activation: "gelu" | "relu";
  /** First output element written. */
  outBase: number;
}

/** The output-layer kernel. */
export class MlpOutputKernel {
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
  static async load(gpu: GpuContext): Promise<MlpOutputKernel> {
    const bindings: BindingKind[] = [
      "uniform", // params
      "read", // z
      "read", // theta
      "write", // rewards
    ];
    return new MlpOutputKernel(await Kernel.load(gpu, "mlp_output", bindings, { WG }));
  }

  /**
   * @param arena The recording's uniform arena.
   * @param b The buffers.
   * @returns The bind group.
   */
  bind(arena: UniformArena, b: MlpOutputBuffers): GPUBindGroup {
    return this.#k.bind(arena, [b.z, b.theta, b.rewards]);
  }

  /**
   * Records one dispatch: one invocation per row.
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
    s: MlpOutputShape,
  ): void {
    const act = s.activation === "gelu" ? 0 : 1;
    const offset = arena.push([s.rows, s.hidden, s.features, act, s.outBase]);
    this.#k.dispatchFlat(pass, group, offset, s.rows, WG);
  }
}

/**
 * Compulsory traffic and arithmetic of one dispatch.
 *
 * @param s The shape.
 * @returns Bytes moved and flops.
 * @example
 * ```ts
 * import { mlpOutputCost } from "./mlp_output.ts";
 * const c = mlpOutputCost({ rows: 2, hidden: 3, features: 4, activation: "relu", outBase: 0 });
 * if (c.bytes !== 4 * (2 * 3 + 3 + 1 + 2)) throw new Error();
 * ```
 */
export function mlpOutputCost(s: MlpOutputShape): KernelCost {
  const act = s.activation === "gelu" ? ACT_FLOPS : 1;
  return {
    bytes: 4 * (s.rows * s.hidden + s.hidden + 1 + s.rows),
    flops: s.rows * s.hidden * (2 + act) + s.rows,
  };
}
