/**
 * Wrappers of `shaders/encoder_attention.wgsl` (masked multi-head self-attention, one workgroup
 * per token row and head) and `shaders/encoder_pool.wgsl` (mean or `[CLS]` pooling with optional
 * L2 normalisation, one workgroup per sequence).
 *
 * @module
 */
import type { GpuContext } from "./device.ts";
import { Kernel, type UniformArena } from "./kernel.ts";

/** The attention kernel. */
export class EncoderAttentionKernel {
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
  static async load(gpu: GpuContext): Promise<EncoderAttentionKernel> {
    // params, qkv, lens, ctx
    const k = await Kernel.load(gpu, "encoder_attention", ["uniform", "read", "read", "write"]);
    return new EncoderAttentionKernel(k);
  }

  /**
   * @param arena The recording's uniform arena.
   * @param qkv f32 [rows, 3 h].
   * @param lens u32 [batch].
   * @param ctx f32 [rows, h] output.
   * @returns The bind group.
   */
  bind(arena: UniformArena, qkv: GPUBuffer, lens: GPUBuffer, ctx: GPUBuffer): GPUBindGroup {
    return this.#k.bind(arena, [qkv, lens, ctx]);
  }

  /**
   * Records one dispatch: `rows x heads` workgroups.
   *
   * @param pass The compute pass.
   * @param group A bind group from `bind()`.
   * @param arena The arena the params go to.
   * @param s Rows (`batch * len`), width, padded length (at most 512), heads.
   */
  record(
    pass: GPUComputePassEncoder,
    group: GPUBindGroup,
    arena: UniformArena,
    s: { rows: number; h: number; len: number; heads: number },
  ): void {
    const dh = s.h / s.heads;
    if (s.len > 512 || dh > 128) {
      throw new RangeError(
        `Cannot record attention over ${s.len} tokens with heads of ${dh}: the kernel takes at most 512 tokens and 128-wide heads`,
      );
    }
    const offset = arena.push([s.rows, s.h, s.len, dh], [1 / Math.sqrt(dh)]);
    this.#k.dispatch(pass, group, offset, s.rows, s.heads);
  }
}

/** The pooling kernel. */
export class EncoderPoolKernel {
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
  static async load(gpu: GpuContext): Promise<EncoderPoolKernel> {
    // params, hidden, lens, out
    const k = await Kernel.load(gpu, "encoder_pool", ["uniform", "read", "read", "write"]);
    return new EncoderPoolKernel(k);
  }

  /**
   * @param arena The recording's uniform arena.
   * @param hidden f32 [batch * len, h].
   * @param lens u32 [batch].
   * @param out f32 [total rows, h] output.
   * @returns The bind group.
   */
  bind(arena: UniformArena, hidden: GPUBuffer, lens: GPUBuffer, out: GPUBuffer): GPUBindGroup {
    return this.#k.bind(arena, [hidden, lens, out]);
  }

  /**
   * Records one dispatch: one workgroup per sequence.
   *
   * @param pass The compute pass.
   * @param group A bind group from `bind()`.
   * @param arena The arena the params go to.
   * @param s Sequences, width, padded length, pooling, normalisation, first output row.
   */
  record(
    pass: GPUComputePassEncoder,
    group: GPUBindGroup,
    arena: UniformArena,
    s: { batch: number; h: number; len: number; cls: boolean; normalize: boolean; outRow: number },
  ): void {
    const offset = arena.push([
      s.batch,
      s.h,
      s.len,
      s.cls ? 1 : 0,
      s.normalize ? 1 : 0,
      s.outRow,
    ]);
    this.#k.dispatch(pass, group, offset, s.batch);
  }
}
