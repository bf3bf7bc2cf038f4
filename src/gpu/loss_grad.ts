/**
 * Wrapper of `shaders/loss_grad.wgsl`: the Bradley-Terry loss of each pair, its statistics, and
 * the gradient down to the hidden pre-activations (`gz`) and rewards (`gr`).
 *
 * @module
 */
import type { GpuContext } from "./device.ts";
import { Kernel, type KernelCost, type UniformArena } from "./kernel.ts";
import { ACT_FLOPS } from "./mlp_forward.ts";
import type { BindingKind } from "./shader.ts";

const WG = 64;

/** The buffers of one binding. */
export interface LossGradBuffers {
  /** f32 [2 n] rewards. */
  rewards: GPUBuffer;
  /** f32 [2 n, hidden] pre-activations. */
  z: GPUBuffer;
  /** f32 dense parameters [W1, b1, w2, b2]. */
  theta: GPUBuffer;
  /** f32 [*, 2] (label, weight) per epoch position. */
  targets: GPUBuffer;
  /** f32 [2 n, hidden] output dL/dz. */
  gz: GPUBuffer;
  /** f32 [2 n] output dL/dr. */
  gr: GPUBuffer;
  /** f32 [*, 2] output (loss, correct) per epoch position. */
  stats: GPUBuffer;
}

/** One dispatch's shape. */
export interface LossGradShape {
  /** Pairs in the mini-batch. */
  n: number;
  hidden: number;
  features: number;
  activation: "gelu" | "relu";
  /** First entry of `targets`/`stats` used. */
  posBase: number;
  /** Bradley-Terry margin. */
  margin: number;
}

/** The loss and output-gradient kernel. */
export class LossGradKernel {
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
  static async load(gpu: GpuContext): Promise<LossGradKernel> {
    const bindings: BindingKind[] = [
      "uniform", // params
      "read", // rewards
      "read", // z
      "read", // theta
      "read", // targets
      "write", // gz
      "write", // gr
      "write", // stats
    ];
    return new LossGradKernel(await Kernel.load(gpu, "loss_grad", bindings, { WG }));
  }

  /**
   * @param arena The recording's uniform arena.
   * @param b The buffers.
   * @returns The bind group.
   */
  bind(arena: UniformArena, b: LossGradBuffers): GPUBindGroup {
    return this.#k.bind(arena, [b.rewards, b.z, b.theta, b.targets, b.gz, b.gr, b.stats]);
  }

  /**
   * Records one dispatch: `n * hidden` invocations.
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
    s: LossGradShape,
  ): void {
    const act = s.activation === "gelu" ? 0 : 1;
    const offset = arena.push(
      [s.n, s.hidden, s.features, act, s.posBase],
      [s.margin, 1 / Math.max(1, s.n)],
    );
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
 * import { lossGradCost } from "./loss_grad.ts";
 * const c = lossGradCost({ n: 4, hidden: 8, features: 5, activation: "relu", posBase: 0, margin: 0 });
 * if (c.bytes <= 0 || c.flops <= 0) throw new Error();
 * ```
 */
export function lossGradCost(s: LossGradShape): KernelCost {
  const act = s.activation === "gelu" ? 2 * ACT_FLOPS : 1;
  return {
    bytes: 4 * (2 * s.n + s.hidden + 2 * s.n + 4 * s.n * s.hidden + 2 * s.n + 2 * s.n),
    flops: 2 * s.n * s.hidden * (act + 2) + 20 * s.n,
  };
}
