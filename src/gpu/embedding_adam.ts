/**
 * Wrapper of `shaders/embedding_adam.wgsl`: accumulates the embedding gradient of the touched
 * rows in a fixed order (host-sorted contribution lists, or the block sums of frequent rows; one
 * owner invocation per element) and applies lazy AdamW to them; one dispatch per table chunk
 * holding touched rows, whose (count, first entry) it reads from `ranges` (uploaded by the host,
 * or written on the GPU by `chunk_ranges.wgsl` together with the indirect grid).
 *
 * @module
 */
import { ADAM_FLOPS, adamFloats, type AdamStep } from "./adam_dense.ts";
import type { GpuContext } from "./device.ts";
import { Kernel, type KernelCost, type UniformArena } from "./kernel.ts";
import type { BindingKind } from "./shader.ts";

const WG = 64;

/** The buffers of one binding (one table chunk). */
export interface EmbeddingAdamBuffers {
  /** u32 [*, 4] (row, first, end, blocked) per touched row. */
  rows: GPUBuffer;
  /** u32 bag slots (3 i + k) per contribution. */
  contribs: GPUBuffer;
  /** f32 [3 n, dim] per-token gradients. */
  gtok: GPUBuffer;
  /** f32 [*, dim] block sums of frequent rows (from embedding_grad). */
  partial: GPUBuffer;
  /** f32 table chunk, moments of the chunk. */
  table: GPUBuffer;
  m: GPUBuffer;
  v: GPUBuffer;
  /** u32 [*, 2] (count, first entry of `rows`) per dispatch. */
  ranges: GPUBuffer;
}

/** One dispatch's shape. */
export interface EmbeddingAdamShape {
  /** Touched rows in this chunk (sizes a direct dispatch; also stored at `ranges[range]`). */
  count: number;
  dim: number;
  /** Entry of `ranges` holding (count, first entry of `rows`). */
  range: number;
  /** First table row of the chunk. */
  chunkStart: number;
}

/** The embedding gradient + lazy AdamW kernel. */
export class EmbeddingAdamKernel {
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
  static async load(gpu: GpuContext): Promise<EmbeddingAdamKernel> {
    const bindings: BindingKind[] = [
      "uniform", // params
      "read", // rows
      "read", // contribs
      "read", // gtok
      "read", // partial
      "write", // table
      "write", // m
      "write", // v
      "read", // ranges
    ];
    return new EmbeddingAdamKernel(await Kernel.load(gpu, "embedding_adam", bindings, { WG }));
  }

  /**
   * @param arena The recording's uniform arena.
   * @param b The buffers.
   * @returns The bind group.
   */
  bind(arena: UniformArena, b: EmbeddingAdamBuffers): GPUBindGroup {
    return this.#k.bind(arena, [
      b.rows,
      b.contribs,
      b.gtok,
      b.partial,
      b.table,
      b.m,
      b.v,
      b.ranges,
    ]);
  }

  /**
   * Records one dispatch: `count * dim` invocations.
   *
   * @param pass The compute pass.
   * @param group A bind group from `bind()` (of the chunk).
   * @param arena The arena the params go to.
   * @param s The shape.
   * @param step The optimizer step.
   */
  record(
    pass: GPUComputePassEncoder,
    group: GPUBindGroup,
    arena: UniformArena,
    s: EmbeddingAdamShape,
    step: AdamStep,
  ): void {
    const offset = arena.push([s.dim, s.range, s.chunkStart, 0], adamFloats(step));
    this.#k.dispatchFlat(pass, group, offset, s.count * s.dim, WG);
  }

  /**
   * Records one dispatch whose grid is read from `args` (written on the GPU by
   * `chunk_ranges.wgsl`, which also writes `ranges[range]`).
   *
   * @param pass The compute pass.
   * @param group A bind group from `bind()` (of the chunk).
   * @param arena The arena the params go to.
   * @param s The shape (`count` unused).
   * @param step The optimizer step.
   * @param args Indirect dispatch arguments.
   * @param argsOffset Byte offset of this dispatch's (x, y, z).
   */
  recordIndirect(
    pass: GPUComputePassEncoder,
    group: GPUBindGroup,
    arena: UniformArena,
    s: EmbeddingAdamShape,
    step: AdamStep,
    args: GPUBuffer,
    argsOffset: number,
  ): void {
    const offset = arena.push([s.dim, s.range, s.chunkStart, 0], adamFloats(step));
    this.#k.dispatchIndirect(pass, group, offset, args, argsOffset);
  }
}

/**
 * Compulsory traffic and arithmetic of one step's dispatches.
 *
 * @param touched Touched rows.
 * @param contributions Token occurrences (contribution entries) summed here: those of rows not
 *   split into blocks, plus one per block of the others.
 * @param dim Embedding width.
 * @returns Bytes moved and flops.
 * @example
 * ```ts
 * import { embeddingAdamCost } from "./embedding_adam.ts";
 * const c = embeddingAdamCost(10, 30, 8);
 * if (c.flops !== 30 * 8 + 16 * 10 * 8) throw new Error();
 * ```
 */
export function embeddingAdamCost(touched: number, contributions: number, dim: number): KernelCost {
  return {
    bytes: 4 * (4 * touched + contributions + contributions * dim) + 24 * touched * dim,
    flops: contributions * dim + ADAM_FLOPS * touched * dim,
  };
}
