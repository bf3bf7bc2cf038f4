/**
 * Wrappers of `shaders/encoder_layernorm.wgsl` (`LayerNorm(x + residual)` per row) and
 * `shaders/encoder_embed.wgsl` (the embedding sum and its LayerNorm): one workgroup per token row.
 *
 * @module
 */
import type { GpuContext } from "./device.ts";
import { Kernel, type UniformArena } from "./kernel.ts";

/** The residual LayerNorm kernel. */
export class EncoderLayerNormKernel {
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
  static async load(gpu: GpuContext): Promise<EncoderLayerNormKernel> {
    // params, x, res, ln (gamma, beta), y
    const k = await Kernel.load(gpu, "encoder_layernorm", [
      "uniform",
      "read",
      "read",
      "read",
      "write",
    ]);
    return new EncoderLayerNormKernel(k);
  }

  /**
   * @param arena The recording's uniform arena.
   * @param x f32 [rows, h].
   * @param res f32 [rows, h] residual (any buffer when unused).
   * @param ln f32 [2 h]: gamma then beta.
   * @param y f32 [rows, h] output (not `x` or `res`).
   * @returns The bind group.
   */
  bind(
    arena: UniformArena,
    x: GPUBuffer,
    res: GPUBuffer,
    ln: GPUBuffer,
    y: GPUBuffer,
  ): GPUBindGroup {
    return this.#k.bind(arena, [x, res, ln, y]);
  }

  /**
   * Records one dispatch: one workgroup per row.
   *
   * @param pass The compute pass.
   * @param group A bind group from `bind()`.
   * @param arena The arena the params go to.
   * @param s Rows, width, whether to add the residual, and epsilon.
   */
  record(
    pass: GPUComputePassEncoder,
    group: GPUBindGroup,
    arena: UniformArena,
    s: { rows: number; h: number; residual: boolean; eps: number },
  ): void {
    const offset = arena.push([s.rows, s.h, s.residual ? 1 : 0], [s.eps]);
    this.#k.dispatchFlat(pass, group, offset, s.rows, 1);
  }
}

/** The embedding kernel. */
export class EncoderEmbedKernel {
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
  static async load(gpu: GpuContext): Promise<EncoderEmbedKernel> {
    // params, ids, word, position, token type, ln (gamma, beta), y
    const k = await Kernel.load(gpu, "encoder_embed", [
      "uniform",
      "read",
      "read",
      "read",
      "read",
      "read",
      "write",
    ]);
    return new EncoderEmbedKernel(k);
  }

  /**
   * @param arena The recording's uniform arena.
   * @param b ids u32 [rows]; word, pos, ttype tables (f32 bits or packed f16); ln f32 [2 h]; y.
   * @returns The bind group.
   */
  bind(
    arena: UniformArena,
    b: {
      ids: GPUBuffer;
      word: GPUBuffer;
      pos: GPUBuffer;
      ttype: GPUBuffer;
      ln: GPUBuffer;
      y: GPUBuffer;
    },
  ): GPUBindGroup {
    return this.#k.bind(arena, [b.ids, b.word, b.pos, b.ttype, b.ln, b.y]);
  }

  /**
   * Records one dispatch: one workgroup per token row.
   *
   * @param pass The compute pass.
   * @param group A bind group from `bind()`.
   * @param arena The arena the params go to.
   * @param s Rows (`batch * len`), width, padded length, f16 tables, epsilon.
   */
  record(
    pass: GPUComputePassEncoder,
    group: GPUBindGroup,
    arena: UniformArena,
    s: { rows: number; h: number; len: number; f16: boolean; eps: number },
  ): void {
    const offset = arena.push([s.rows, s.h, s.len, s.f16 ? 1 : 0], [s.eps]);
    this.#k.dispatchFlat(pass, group, offset, s.rows, 1);
  }
}
