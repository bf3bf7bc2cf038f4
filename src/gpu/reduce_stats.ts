/**
 * Wrapper of `shaders/reduce_stats.wgsl`: sums per-pair (loss, correct) into two totals in one
 * workgroup with a fixed order (deterministic).
 *
 * @module
 */
import type { GpuContext } from "./device.ts";
import { Kernel, type KernelCost, type UniformArena } from "./kernel.ts";
import type { BindingKind } from "./shader.ts";

/** The buffers of one binding. */
export interface ReduceStatsBuffers {
  /** f32 [n, 2] per-pair statistics. */
  stats: GPUBuffer;
  /** f32 [2] totals. */
  totals: GPUBuffer;
}

/** The statistics reduction kernel. */
export class ReduceStatsKernel {
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
  static async load(gpu: GpuContext): Promise<ReduceStatsKernel> {
    const bindings: BindingKind[] = [
      "uniform", // params
      "read", // stats
      "write", // totals
    ];
    return new ReduceStatsKernel(await Kernel.load(gpu, "reduce_stats", bindings));
  }

  /**
   * @param arena The recording's uniform arena.
   * @param b The buffers.
   * @returns The bind group.
   */
  bind(arena: UniformArena, b: ReduceStatsBuffers): GPUBindGroup {
    return this.#k.bind(arena, [b.stats, b.totals]);
  }

  /**
   * Records one dispatch of one workgroup.
   *
   * @param pass The compute pass.
   * @param group A bind group from `bind()`.
   * @param arena The arena the params go to.
   * @param n Pairs to sum.
   * @param accumulate Add to the totals instead of overwriting them.
   * @param base First pair of the stats buffer to sum.
   */
  record(
    pass: GPUComputePassEncoder,
    group: GPUBindGroup,
    arena: UniformArena,
    n: number,
    accumulate: boolean,
    base = 0,
  ): void {
    const offset = arena.push([n, accumulate ? 1 : 0, base]);
    this.#k.dispatch(pass, group, offset, 1);
  }
}

/**
 * Compulsory traffic and arithmetic of one dispatch.
 *
 * @param n Pairs.
 * @returns Bytes moved and flops.
 * @example
 * ```ts
 * import { reduceStatsCost } from "./reduce_stats.ts";
 * if (reduceStatsCost(10).flops !== 20) throw new Error();
 * ```
 */
export function reduceStatsCost(n: number): KernelCost {
  return { bytes: 8 * n + 8, flops: 2 * n };
}
