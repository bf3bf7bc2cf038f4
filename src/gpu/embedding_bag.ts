/**
 * Wrapper of `shaders/embedding_bag.wgsl` and `shaders/embedding_bag_vec4.wgsl`: pools the prompt,
 * response-a and response-b bags of pair slots into `pooled` (or copies precomputed vectors with
 * `direct`). For a width that is a multiple of 4 the vec4 variant loads 16 bytes per row and four
 * rows at a time per invocation; both sum in token order, so they give bit-identical results.
 *
 * @module
 */
import type { GpuContext } from "./device.ts";
import { Kernel, type KernelCost, type UniformArena } from "./kernel.ts";
import type { BindingKind } from "./shader.ts";

/** Invocations per workgroup. */
const WG = 64;
/** Table bindings in the shader: the most chunks a split table may have. */
export const MAX_TABLE_CHUNKS = 4;

/** The buffers of one binding of the kernel. */
export interface EmbeddingBagBuffers {
  /** u32 pair index per slot. */
  pairs: GPUBuffer;
  /** u32 [3, pairsTotal + 1] bag offsets into `ids`. */
  offsets: GPUBuffer;
  /** u32 token ids. */
  ids: GPUBuffer;
  /** The table's chunks, 1 to `MAX_TABLE_CHUNKS`. */
  tables: readonly GPUBuffer[];
  /** f32 [n, stride] output. */
  pooled: GPUBuffer;
}

/** One dispatch's shape. */
export interface EmbeddingBagShape {
  /** Slots (pairs) to pool. */
  n: number;
  dim: number;
  /** First entry of `pairs` used. */
  pairBase: number;
  /** Pairs loaded (the `offsets` layout). */
  pairsTotal: number;
  /** Table rows per chunk. */
  rowsPerChunk: number;
  /** Floats per slot in `pooled` (3 dim + 3). */
  stride: number;
  pooling: "mean" | "sqrtn";
  /** Copy precomputed vectors (table row pair * 3 + bag) instead of pooling ids. */
  direct: boolean;
}

/** The embedding-bag kernel. */
export class EmbeddingBagKernel {
  readonly #k: Kernel;
  /** True for the vec4 variant (widths that are multiples of 4 only). */
  readonly vec4: boolean;
  private constructor(k: Kernel, vec4: boolean) {
    this.#k = k;
    this.vec4 = vec4;
  }

  /**
   * Compiles the kernel (cached per device): the vec4 variant when `dim` is a multiple of 4.
   *
   * @param gpu The device.
   * @param dim The embedding width the kernel will pool (omitted: the scalar variant, any width).
   * @returns The kernel.
   */
  static async load(gpu: GpuContext, dim?: number): Promise<EmbeddingBagKernel> {
    const bindings: BindingKind[] = [
      "uniform", // params
      "read", // pairs
      "read", // offsets
      "read", // ids
      "read", // table0
      "read", // table1
      "read", // table2
      "read", // table3
      "write", // pooled
    ];
    const vec4 = dim !== undefined && dim % 4 === 0;
    const name = vec4 ? "embedding_bag_vec4" : "embedding_bag";
    return new EmbeddingBagKernel(await Kernel.load(gpu, name, bindings, { WG }), vec4);
  }

  /**
   * Binds buffers (unused table chunks repeat the first).
   *
   * @param arena The recording's uniform arena.
   * @param b The buffers.
   * @returns The bind group.
   */
  bind(arena: UniformArena, b: EmbeddingBagBuffers): GPUBindGroup {
    if (b.tables.length < 1 || b.tables.length > MAX_TABLE_CHUNKS) {
      throw new RangeError(
        `Cannot bind ${b.tables.length} table chunks as embedding_bag takes 1 to ${MAX_TABLE_CHUNKS}`,
      );
    }
    const tables = Array.from({ length: MAX_TABLE_CHUNKS }, (_, i) => b.tables[i] ?? b.tables[0]);
    return this.#k.bind(arena, [b.pairs, b.offsets, b.ids, ...tables, b.pooled]);
  }

  /**
   * Records one dispatch: `n * 3 * dim` invocations (`n * 3 * dim / 4` for the vec4 variant).
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
    s: EmbeddingBagShape,
  ): void {
    if (this.vec4 && s.dim % 4 !== 0) {
      throw new RangeError(
        `Cannot pool width ${s.dim} with the vec4 embedding_bag: load the kernel for this width`,
      );
    }
    const offset = arena.push([
      s.n,
      s.dim,
      s.pairBase,
      s.pairsTotal,
      s.rowsPerChunk,
      s.stride,
      s.pooling === "mean" ? 0 : 1,
      s.direct ? 1 : 0,
    ]);
    const lanes = this.vec4 ? s.dim / 4 : s.dim;
    this.#k.dispatchFlat(pass, group, offset, s.n * 3 * lanes, WG);
  }
}

/**
 * Compulsory traffic and arithmetic of one dispatch.
 *
 * @param s The shape.
 * @param tokens Token ids pooled in all (ignored with `direct`).
 * @returns Bytes moved and flops.
 * @example
 * ```ts
 * import { embeddingBagCost } from "./embedding_bag.ts";
 * const c = embeddingBagCost({ n: 2, dim: 4, pairBase: 0, pairsTotal: 2, rowsPerChunk: 8,
 *   stride: 15, pooling: "mean", direct: false }, 10);
 * if (c.flops !== 10 * 4 + 2 * 3 * 4) throw new Error();
 * ```
 */
export function embeddingBagCost(s: EmbeddingBagShape, tokens: number): KernelCost {
  const rows = s.direct ? 3 * s.n : tokens;
  return {
    bytes: 4 * (s.n + 6 * s.n + (s.direct ? 0 : tokens) + rows * s.dim + s.n * s.stride),
    flops: s.direct ? 0 : tokens * s.dim + 3 * s.n * s.dim,
  };
}
