/**
 * Wrapper of `shaders/adam_dense.wgsl`: AdamW on the dense parameters `[W1, b1, w2, b2]`, with
 * weight decay on W1 and w2 only.
 *
 * @module
 */
import type { GpuContext } from "./device.ts";
import { Kernel, type KernelCost, type UniformArena } from "./kernel.ts";
import type { BindingKind } from "./shader.ts";

const WG = 64;
/** Flops of one AdamW element update. */
export const ADAM_FLOPS = 16;

/** One optimizer step's settings: `t` is the global step, counted from 1. */
export interface AdamStep {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
  t: number;
}

/**
 * The f32 params tail shared by both AdamW kernels: lr, beta1, beta2, eps, weight decay and the
 * bias corrections `1 - beta^t`, computed in double precision.
 *
 * @param s The step.
 * @returns The seven f32 fields, in struct order.
 * @example
 * ```ts
 * import { adamFloats } from "./adam_dense.ts";
 * const f = adamFloats({ lr: 0.1, beta1: 0.9, beta2: 0.99, eps: 1e-8, weightDecay: 0, t: 1 });
 * if (Math.abs(f[5] - 0.1) > 1e-12) throw new Error();
 * ```
 */
export function adamFloats(s: AdamStep): number[] {
  if (!(s.t >= 1)) {
    throw new RangeError(`Cannot step AdamW as 't' must be >= 1: current value is ${s.t}`);
  }
  return [s.lr, s.beta1, s.beta2, s.eps, s.weightDecay, 1 - s.beta1 ** s.t, 1 - s.beta2 ** s.t];
}

/** The buffers of one binding. */
export interface AdamDenseBuffers {
  /** f32 gradient. */
  grad: GPUBuffer;
  /** f32 parameters, updated in place. */
  theta: GPUBuffer;
  /** f32 first moments. */
  m: GPUBuffer;
  /** f32 second moments. */
  v: GPUBuffer;
}

/** The layout of the dense parameters. */
export interface DenseLayout {
  hidden: number;
  features: number;
}

/** The dense AdamW kernel. */
export class AdamDenseKernel {
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
  static async load(gpu: GpuContext): Promise<AdamDenseKernel> {
    const bindings: BindingKind[] = [
      "uniform", // params
      "read", // grad
      "write", // theta
      "write", // m
      "write", // v
    ];
    return new AdamDenseKernel(await Kernel.load(gpu, "adam_dense", bindings, { WG }));
  }

  /**
   * @param arena The recording's uniform arena.
   * @param b The buffers.
   * @returns The bind group.
   */
  bind(arena: UniformArena, b: AdamDenseBuffers): GPUBindGroup {
    return this.#k.bind(arena, [b.grad, b.theta, b.m, b.v]);
  }

  /**
   * Records one dispatch: one invocation per parameter.
   *
   * @param pass The compute pass.
   * @param group A bind group from `bind()`.
   * @param arena The arena the params go to.
   * @param layout The dense layout.
   * @param step The optimizer step.
   */
  record(
    pass: GPUComputePassEncoder,
    group: GPUBindGroup,
    arena: UniformArena,
    layout: DenseLayout,
    step: AdamStep,
  ): void {
    const w1End = layout.hidden * layout.features;
    const count = denseCount(layout);
    const offset = arena.push(
      [count, w1End, w1End + layout.hidden, w1End + 2 * layout.hidden],
      adamFloats(step),
    );
    this.#k.dispatchFlat(pass, group, offset, count, WG);
  }
}

/**
 * @param layout The dense layout.
 * @returns The number of dense parameters, `hidden * features + 2 hidden + 1`.
 * @example
 * ```ts
 * import { denseCount } from "./adam_dense.ts";
 * if (denseCount({ hidden: 2, features: 3 }) !== 11) throw new Error();
 * ```
 */
export function denseCount(layout: DenseLayout): number {
  return layout.hidden * layout.features + 2 * layout.hidden + 1;
}

/**
 * Compulsory traffic and arithmetic of one dispatch.
 *
 * @param layout The dense layout.
 * @returns Bytes moved and flops.
 * @example
 * ```ts
 * import { adamDenseCost } from "./adam_dense.ts";
 * if (adamDenseCost({ hidden: 2, features: 3 }).bytes !== 11 * 28) throw new Error();
 * ```
 */
export function adamDenseCost(layout: DenseLayout): KernelCost {
  const n = denseCount(layout);
  return { bytes: 28 * n, flops: ADAM_FLOPS * n };
}
