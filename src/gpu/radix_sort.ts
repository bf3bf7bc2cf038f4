/**
 * Wrapper of `shaders/radix_count.wgsl` and `shaders/radix_scatter.wgsl`: a stable LSD radix sort
 * of u32 keys carrying u32 values, 4 bits per pass (a per-tile digit histogram, its exclusive
 * scan with `PrefixScan`, a stable scatter), ping-ponging between two pairs of buffers. Only the
 * bits that keys can use are sorted (`ceil(log2(bound))`). Deterministic: integer counts only.
 *
 * @module
 */
import type { GpuContext } from "./device.ts";
import { Kernel, type UniformArena } from "./kernel.ts";
import { PrefixScan, SCAN_TILE, scanDispatches, scanSpace } from "./prefix_scan.ts";
import type { BindingKind } from "./shader.ts";

const WG = 256;
/** Bits sorted per pass. */
export const RADIX_BITS = 4;

/**
 * Passes needed for keys below `bound`.
 *
 * @param bound One more than the largest key.
 * @returns Passes (each moves the data once).
 * @example
 * ```ts
 * import { radixPasses } from "./radix_sort.ts";
 * if (radixPasses(262144) !== 5 || radixPasses(16) !== 1 || radixPasses(1) !== 1) throw new Error();
 * ```
 */
export function radixPasses(bound: number): number {
  const bits = bound <= 1 ? 1 : 32 - Math.clz32(bound - 1);
  return Math.ceil(bits / RADIX_BITS);
}

/**
 * Scan-buffer entries and uniform slots a sort of `n` keys uses.
 *
 * @param n Keys.
 * @param bound One more than the largest key.
 * @returns Entries of the scan buffer (the histograms) and uniform slots (dispatches).
 */
export function radixSortSize(n: number, bound: number): { entries: number; slots: number } {
  const hist = 16 * Math.ceil(n / SCAN_TILE);
  return {
    entries: scanSpace(hist),
    slots: radixPasses(bound) * (2 + scanDispatches(hist)),
  };
}

/** Keys and values, in and out. */
export interface RadixBuffers {
  keys: [GPUBuffer, GPUBuffer];
  vals: [GPUBuffer, GPUBuffer];
  /** The u32 scan buffer the histograms go to. */
  data: GPUBuffer;
}

/** Bind groups of one set of buffers. */
export interface RadixGroups {
  /** Counting the keys of buffer 0 / buffer 1. */
  count: [GPUBindGroup, GPUBindGroup];
  /** Scattering 0 -> 1 / 1 -> 0. */
  scatter: [GPUBindGroup, GPUBindGroup];
  scan: [GPUBindGroup, GPUBindGroup];
}

/** The sort's kernels. */
export class RadixSort {
  readonly #count: Kernel;
  readonly #scatter: Kernel;
  readonly #scan: PrefixScan;
  private constructor(count: Kernel, scatter: Kernel, scan: PrefixScan) {
    this.#count = count;
    this.#scatter = scatter;
    this.#scan = scan;
  }

  /**
   * Compiles the kernels (cached per device).
   *
   * @param gpu The device.
   * @returns The sort.
   */
  static async load(gpu: GpuContext): Promise<RadixSort> {
    const [count, scatter, scan] = await Promise.all([
      Kernel.load(
        gpu,
        "radix_count",
        [
          "uniform", // params
          "read", // keys
          "write", // data (histogram)
        ] satisfies BindingKind[],
      ),
      Kernel.load(
        gpu,
        "radix_scatter",
        [
          "uniform", // params
          "read", // keys
          "read", // vals
          "read", // data (scanned histogram)
          "write", // keys_out
          "write", // vals_out
        ] satisfies BindingKind[],
      ),
      PrefixScan.load(gpu),
    ]);
    return new RadixSort(count, scatter, scan);
  }

  /**
   * @param arena The recording's uniform arena.
   * @param b The buffers.
   * @returns The bind groups.
   */
  bind(arena: UniformArena, b: RadixBuffers): RadixGroups {
    const [k0, k1] = b.keys, [v0, v1] = b.vals;
    return {
      count: [this.#count.bind(arena, [k0, b.data]), this.#count.bind(arena, [k1, b.data])],
      scatter: [
        this.#scatter.bind(arena, [k0, v0, b.data, k1, v1]),
        this.#scatter.bind(arena, [k1, v1, b.data, k0, v0]),
      ],
      scan: this.#scan.bind(arena, b.data),
    };
  }

  /**
   * Records the sort of the first `n` keys (and values) of buffers 0.
   *
   * @param pass The compute pass.
   * @param g Bind groups from `bind()`.
   * @param arena The arena the params go to.
   * @param n Keys.
   * @param bound One more than the largest key.
   * @param hist First scan-buffer entry the histograms may use (`radixSortSize` entries).
   * @returns Which buffers (0 or 1) hold the sorted keys and values.
   */
  record(
    pass: GPUComputePassEncoder,
    g: RadixGroups,
    arena: UniformArena,
    n: number,
    bound: number,
    hist: number,
  ): 0 | 1 {
    const tiles = Math.ceil(n / SCAN_TILE);
    let from: 0 | 1 = 0;
    for (let p = 0; p < radixPasses(bound); p++) {
      const params = [n, RADIX_BITS * p, tiles, hist];
      this.#count.dispatchFlat(pass, g.count[from], arena.push(params), tiles * WG, WG);
      this.#scan.record(pass, g.scan, arena, 16 * tiles, hist);
      this.#scatter.dispatchFlat(pass, g.scatter[from], arena.push(params), tiles * WG, WG);
      from = from === 0 ? 1 : 0;
    }
    return from;
  }
}
