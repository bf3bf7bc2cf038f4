/**
 * Wrapper of `shaders/output_grad.wgsl`: the gradients of b1, w2 and b2, one workgroup per unit
 * with a fixed reduction tree (deterministic).
 *
 * @module
 */
import type { GpuContext } from "./device.ts";
import { Kernel, type KernelCost, type UniformArena } from "./kernel.ts";
import { ACT_FLOPS } from "./mlp_forward.ts";
import type { BindingKind } from "./shader.ts";

/** The buffers of one binding. */
export interface OutputGradBuffers {
  /** f32 [rows, hidden] pre-activations. */
  z: GPUBuffer;
  /** f32 [rows, hidden] dL/dz. */
  gz: GPUBuffer;
  /** f32 [rows] dL/dr. */
  gr: GPUBuffer;
  /** f32 dense gradient [W1, b1, w2, b2]; this kernel writes b1, w2, b2. */
  grad: GPUBuffer;
}

/** One dispatch's shape. */
export interface OutputGradShape {
  rows: number;
  hidden: number;
  features: number;
  activation: "gelu" | "relu";
}

/** The bias and output-weight gradient kernel. */
export class OutputGradKernel {
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
  static async load(gpu: GpuContext): Promise<OutputGradKernel> {
    const bindings: BindingKind[] = [
      "uniform", // params
      "read", // z
      "read", // gz
      "read", // gr
      "write", // grad
    ];
    return new OutputGradKernel(await Kernel.load(gpu, "output_grad", bindings));
  }

  /**
   * @param arena The recording's uniform arena.
   * @param b The buffers.
   * @returns The bind group.
   */
  bind(arena: UniformArena, b: OutputGradBuffers): GPUBindGroup {
    return this.#k.bind(arena, [b.z, b.gz, b.gr, b.grad]);
  }

  /**
   * Records one dispatch: `hidden + 1` workgroups.
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
    s: OutputGradShape,
  ): void {
    const act = s.activation === "gelu" ? 0 : 1;
    const offset = arena.push([s.rows, s.hidden, s.features, act]);
    this.#k.dispatch(pass, group, offset, s.hidden + 1);
  }
}

/**
 * Compulsory traffic and arithmetic of one dispatch.
 *
 * @param s The shape.
 * @returns Bytes moved and flops.
 * @example
 * ```ts
 * import { outputGradCost } from "./output_grad.ts";
 * const c = outputGradCost({ rows: 4, hidden: 3, features: 6, activation: "relu" });
 * if (c.bytes !== 4 * (2 * 4 * 3 + 4 + 2 * 3 + 1)) throw new Error();
 * ```
 */
export function outputGradCost(s: OutputGradShape): KernelCost {
  const act = s.activation === "gelu" ? ACT_FLOPS : 1;
  return {
    bytes: 4 * (2 * s.rows * s.hidden + s.rows + 2 * s.hidden + 1),
    flops: s.rows * s.hidden * (act + 3) + s.rows,
  };
}
