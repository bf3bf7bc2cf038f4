/**
 * Wrapper of `shaders/encoder_matmul.wgsl`: `y = x W^T + b` (then GELU) over token rows, tiled
 * 64 x 64 per workgroup through workgroup memory, with f32 or packed-f16 weights.
 *
 * @module
 */
import type { GpuContext } from "./device.ts";
import { Kernel, type KernelCost, type UniformArena } from "./kernel.ts";

const TILE = 64;

/** One dispatch's shape. */
export interface MatmulShape {
  /** Rows of x and y (tokens). */
  m: number;
  /** Output features. */
  n: number;
  /** Input features. */
  k: number;
  /** Apply GELU (exact erf form) to the output. */
  gelu: boolean;
  /** The weights are packed f16 pairs (k must be even). */
  f16: boolean;
}

/** The tiled matmul kernel. */
export class EncoderMatmulKernel {
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
  static async load(gpu: GpuContext): Promise<EncoderMatmulKernel> {
    // params, x, w, bias, y
    const k = await Kernel.load(gpu, "encoder_matmul", [
      "uniform",
      "read",
      "read",
      "read",
      "write",
    ]);
    return new EncoderMatmulKernel(k);
  }

  /**
   * @param arena The recording's uniform arena.
   * @param x f32 [m, k] input.
   * @param w u32 weights [n, k] (f32 bits) or [n, k / 2] (packed f16).
   * @param bias f32 [n].
   * @param y f32 [m, n] output.
   * @returns The bind group.
   */
  bind(
    arena: UniformArena,
    x: GPUBuffer,
    w: GPUBuffer,
    bias: GPUBuffer,
    y: GPUBuffer,
  ): GPUBindGroup {
    return this.#k.bind(arena, [x, w, bias, y]);
  }

  /**
   * Records one dispatch: one workgroup per 64 x 64 block of y.
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
    s: MatmulShape,
  ): void {
    if (s.f16 && s.k % 2 !== 0) {
      throw new RangeError(`Cannot multiply by packed f16 weights with an odd k (${s.k})`);
    }
    const offset = arena.push([s.m, s.n, s.k, s.gelu ? 1 : 0, s.f16 ? 1 : 0]);
    this.#k.dispatch(pass, group, offset, Math.ceil(s.n / TILE), Math.ceil(s.m / TILE));
  }
}

/**
 * Compulsory traffic and arithmetic of one dispatch.
 *
 * @param s The shape.
 * @returns Bytes moved and flops.
 * @example
 * ```ts
 * import { encoderMatmulCost } from "./encoder_matmul.ts";
 * if (encoderMatmulCost({ m: 2, n: 3, k: 4, gelu: false, f16: false }).flops !== 48) throw new Error();
 * ```
 */
export function encoderMatmulCost(s: MatmulShape): KernelCost {
  return {
    bytes: 4 * (s.m * s.k + s.n + s.m * s.n) + (s.f16 ? 2 : 4) * s.n * s.k,
    flops: 2 * s.m * s.n * s.k,
  };
}
