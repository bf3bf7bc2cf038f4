/**
 * Wrapper of `shaders/weight_grad.wgsl`: the first pass of the dense gradient as a split-K tiled
 * GEMM (W1's gradient, and b1, w2 and b2's, which output_grad computed before), one row of
 * partial sums per chunk of pairs; `grad_reduce.ts` adds the rows in order.
 *
 * @module
 */
import type { GpuContext } from "./device.ts";
import { Kernel, type KernelCost, type UniformArena } from "./kernel.ts";
import { ACT_FLOPS, type MlpShape } from "./mlp_forward.ts";
import type { BindingKind } from "./shader.ts";

/** Units and elements per tile, and the pairs of a chunk before the binding forces more. */
const TILE = 8;
const CHUNK = 64;

/** The buffers of one binding. */
export interface WeightGradBuffers {
  /** f32 [n, stride] pooled vectors. */
  pooled: GPUBuffer;
  /** f32 [2 n, hidden] dL/dz. */
  gz: GPUBuffer;
  /** f32 [2 n, hidden] pre-activations. */
  z: GPUBuffer;
  /** f32 [2 n] dL/dr. */
  gr: GPUBuffer;
  /** f32 [chunks, count] partial sums (output). */
  partial: GPUBuffer;
}

/** One dispatch's shape. */
export interface WeightGradShape extends MlpShape {
  activation: "gelu" | "relu";
}

/** How the pairs are split. */
export interface SplitK {
  /** Pairs per chunk (a multiple of 16). */
  chunk: number;
  chunks: number;
  /** Gradient elements (a row of the partial sums). */
  count: number;
}

/**
 * The split of `s.n` pairs: chunks of 64 pairs, doubled until the partial sums fit a binding.
 *
 * @param s The shape.
 * @param maxBindingBytes The storage binding limit.
 * @returns Chunk size, chunk count and gradient length.
 * @example
 * ```ts
 * import { splitK } from "./weight_grad.ts";
 * const k = splitK({ n: 1000, dim: 2, hidden: 3, features: 6, stride: 9, activation: "relu" }, 1 << 30);
 * if (k.chunk !== 64 || k.chunks !== 16 || k.count !== 3 * 6 + 7) throw new Error();
 * ```
 */
export function splitK(s: WeightGradShape, maxBindingBytes: number): SplitK {
  const count = s.hidden * s.features + 2 * s.hidden + 1;
  let chunk = CHUNK;
  while (4 * Math.ceil(s.n / chunk) * count > maxBindingBytes && chunk < s.n) chunk *= 2;
  return { chunk, chunks: Math.max(1, Math.ceil(s.n / chunk)), count };
}

/** The split-K first pass. */
export class WeightGradKernel {
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
  static async load(gpu: GpuContext): Promise<WeightGradKernel> {
    const bindings: BindingKind[] = [
      "uniform", // params
      "read", // pooled
      "read", // gz
      "read", // z
      "read", // gr
      "write", // partial
    ];
    return new WeightGradKernel(await Kernel.load(gpu, "weight_grad", bindings));
  }

  /**
   * @param arena The recording's uniform arena.
   * @param b The buffers.
   * @returns The bind group.
   */
  bind(arena: UniformArena, b: WeightGradBuffers): GPUBindGroup {
    return this.#k.bind(arena, [b.pooled, b.gz, b.z, b.gr, b.partial]);
  }

  /**
   * Records one dispatch: (column tiles x unit tiles, chunks) workgroups.
   *
   * @param pass The compute pass.
   * @param group A bind group from `bind()`.
   * @param arena The arena the params go to.
   * @param s The shape.
   * @param k The split (`splitK`), which sizes `partial`.
   */
  record(
    pass: GPUComputePassEncoder,
    group: GPUBindGroup,
    arena: UniformArena,
    s: WeightGradShape,
    k: SplitK,
  ): void {
    const cols = s.dim + (s.features > 3 * s.dim ? 1 : 0);
    const colTiles = Math.ceil(cols / TILE), unitTiles = Math.ceil(s.hidden / TILE);
    const offset = arena.push([
      s.n,
      s.dim,
      s.hidden,
      s.features,
      s.stride,
      s.activation === "relu" ? 1 : 0,
      colTiles,
      k.count,
      k.chunk,
    ]);
    this.#k.dispatch(pass, group, offset, colTiles * unitTiles, k.chunks);
  }
}

/**
 * Compulsory traffic and arithmetic of one dispatch (W1's gradient and the output layer's).
 *
 * @param s The shape.
 * @param k The split.
 * @returns Bytes moved and flops.
 * @example
 * ```ts
 * import { splitK, weightGradCost } from "./weight_grad.ts";
 * const s = { n: 2, dim: 2, hidden: 3, features: 6, stride: 9, activation: "relu" } as const;
 * const c = weightGradCost(s, splitK(s, 1 << 30));
 * if (c.flops !== 2 * 4 * 3 * 6 + 4 * 3 * 4 + 4) throw new Error();
 * ```
 */
export function weightGradCost(s: WeightGradShape, k: SplitK): KernelCost {
  const rows = 2 * s.n, act = s.activation === "gelu" ? ACT_FLOPS : 1;
  return {
    bytes: 4 * (s.n * s.stride + 2 * rows * s.hidden + rows + k.chunks * k.count),
    flops: 2 * rows * s.hidden * s.features + rows * s.hidden * (act + 3) + rows,
  };
}
