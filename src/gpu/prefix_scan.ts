/**
 * Wrapper of `shaders/scan_tiles.wgsl` and `shaders/scan_add.wgsl`: an exclusive prefix sum of
 * u32 counts in place, in one storage buffer: tiles of 1024 entries are scanned, their totals
 * are scanned the same way (recursively, right after the entries), and added back. Exact
 * (integer), so the order of the sums does not matter.
 *
 * @module
 */
import type { GpuContext } from "./device.ts";
import { Kernel, type UniformArena } from "./kernel.ts";
import type { BindingKind } from "./shader.ts";

/** Entries one workgroup scans. */
export const SCAN_TILE = 1024;
const WG = 256;

/**
 * Entries a scan of `n` entries uses: the entries, then the tile totals of every level.
 *
 * @param n Entries to scan.
 * @returns Buffer entries needed from the first entry.
 * @example
 * ```ts
 * import { scanSpace } from "./prefix_scan.ts";
 * if (scanSpace(1024) !== 1025 || scanSpace(2048) !== 2048 + 2 + 1) throw new Error();
 * ```
 */
export function scanSpace(n: number): number {
  let total = n;
  for (let m = n;; m = Math.ceil(m / SCAN_TILE)) {
    const tiles = Math.ceil(m / SCAN_TILE);
    total += tiles;
    if (tiles <= 1) return total;
  }
}

/**
 * Dispatches (and uniform slots) a scan of `n` entries records.
 *
 * @param n Entries.
 * @returns Dispatches.
 * @example
 * ```ts
 * import { scanDispatches } from "./prefix_scan.ts";
 * if (scanDispatches(1000) !== 1 || scanDispatches(5000) !== 3) throw new Error();
 * ```
 */
export function scanDispatches(n: number): number {
  const tiles = Math.ceil(n / SCAN_TILE);
  return tiles <= 1 ? 1 : 2 + scanDispatches(tiles);
}

/** The two scan kernels. */
export class PrefixScan {
  readonly #tiles: Kernel;
  readonly #add: Kernel;
  private constructor(tiles: Kernel, add: Kernel) {
    this.#tiles = tiles;
    this.#add = add;
  }

  /**
   * Compiles the kernels (cached per device).
   *
   * @param gpu The device.
   * @returns The scan.
   */
  static async load(gpu: GpuContext): Promise<PrefixScan> {
    const bindings: BindingKind[] = [
      "uniform", // params
      "write", // data
    ];
    const [tiles, add] = await Promise.all([
      Kernel.load(gpu, "scan_tiles", bindings),
      Kernel.load(gpu, "scan_add", bindings),
    ]);
    return new PrefixScan(tiles, add);
  }

  /**
   * @param arena The recording's uniform arena.
   * @param data The u32 buffer scanned in place.
   * @returns The bind groups.
   */
  bind(arena: UniformArena, data: GPUBuffer): [GPUBindGroup, GPUBindGroup] {
    return [this.#tiles.bind(arena, [data]), this.#add.bind(arena, [data])];
  }

  /**
   * Records an exclusive scan of data[base, base + n) (`scanSpace(n)` entries from `base` are
   * used); the total ends up at data[base + n] when `n <= SCAN_TILE`.
   *
   * @param pass The compute pass.
   * @param groups Bind groups from `bind()`.
   * @param arena The arena the params go to.
   * @param n Entries.
   * @param base First entry.
   */
  record(
    pass: GPUComputePassEncoder,
    groups: [GPUBindGroup, GPUBindGroup],
    arena: UniformArena,
    n: number,
    base: number,
  ): void {
    const tiles = Math.ceil(n / SCAN_TILE), sums = base + n;
    this.#tiles.dispatchFlat(pass, groups[0], arena.push([n, base, sums]), tiles * WG, WG);
    if (tiles <= 1) return;
    this.record(pass, groups, arena, tiles, sums);
    this.#add.dispatchFlat(pass, groups[1], arena.push([n, base, sums]), tiles * WG, WG);
  }
}
