/**
 * A mini-batch's touched-row lists built on the GPU, so that a training step uploads only its
 * pair indices and targets: the (row, slot) key of every token occurrence (`bag_lengths`, a
 * scan, `bag_keys`), a stable radix sort by row (`radix_sort.ts`), and the segmentation of the
 * sorted keys into the lists `embedding_grad`/`embedding_adam` read (`row_heads`, a scan,
 * `row_lists`: one (row, first, end, blocked) entry per touched row, frequent rows cut in blocks
 * of `GRAD_BLOCK` as the host planner cuts them), then each table chunk's range of the list and
 * its indirect dispatch grid (`chunk_ranges`). The lists hold the same contributions in the same
 * order as the host planner's (`train_plan.ts`), so training is bit-identical either way. The
 * epoch's touched rows, blocks and blocked contributions are counted on the device (integer
 * atomics) and read back with the epoch's totals.
 *
 * @module
 */
import type { ModelConfig } from "../model/types.ts";
import type { GpuContext } from "./device.ts";
import { GrowBuffer } from "./grow_buffer.ts";
import { Kernel, type KernelCost, type UniformArena } from "./kernel.ts";
import { PrefixScan, scanDispatches, scanSpace } from "./prefix_scan.ts";
import { type RadixGroups, radixPasses, RadixSort, radixSortSize } from "./radix_sort.ts";
import type { BindingKind } from "./shader.ts";

const WG = 64;

/** Bytes of the `lists` buffer: the step's touched rows, then the epoch's four counts. */
export const LISTS_BYTES = 32;

/** What the list building needs to know of a step. */
export interface ListStep {
  /** The step's first entry of the pairs buffer. */
  pos: number;
  /** Pairs. */
  n: number;
  /** Token occurrences in its bags. */
  tokens: number;
}

/**
 * Block slots of a step with `tokens` occurrences: block b of the frequent row whose
 * contributions start at entry j goes to slot floor(j / 32) + b.
 *
 * @param tokens Token occurrences.
 * @returns Slots (entries of `blocks`, rows of `partial`).
 * @example
 * ```ts
 * import { blockSlots } from "./row_lists.ts";
 * if (blockSlots(64) !== 3) throw new Error();
 * ```
 */
export function blockSlots(tokens: number): number {
  return Math.ceil(tokens / 32) + 1;
}

/** The list-building kernels. */
export class RowListKernels {
  readonly lengths: Kernel;
  readonly keys: Kernel;
  readonly heads: Kernel;
  readonly lists: Kernel;
  readonly ranges: Kernel;
  readonly sort: RadixSort;
  readonly scan: PrefixScan;

  private constructor(k: Kernel[], sort: RadixSort, scan: PrefixScan) {
    [this.lengths, this.keys, this.heads, this.lists, this.ranges] = k;
    this.sort = sort;
    this.scan = scan;
  }

  /**
   * Compiles the kernels (cached per device).
   *
   * @param gpu The device.
   * @returns The kernels.
   */
  static async load(gpu: GpuContext): Promise<RowListKernels> {
    const b = (...kinds: BindingKind[]): BindingKind[] => ["uniform", ...kinds];
    const [k, sort, scan] = await Promise.all([
      Promise.all([
        // pairs, offsets, data (lengths out)
        Kernel.load(gpu, "bag_lengths", b("read", "read", "write"), { WG }),
        // pairs, offsets, ids, data (starts), keys out, vals out
        Kernel.load(gpu, "bag_keys", b("read", "read", "read", "read", "write", "write"), { WG }),
        // keys, data (marks out), blocks (cleared)
        Kernel.load(gpu, "row_heads", b("read", "write", "write"), { WG }),
        // keys, data (scanned marks), rows out, blocks out, lists (counts)
        Kernel.load(gpu, "row_lists", b("read", "read", "write", "write", "write"), { WG }),
        // rows, lists, ranges out, args out
        Kernel.load(gpu, "chunk_ranges", b("read", "write", "write", "write")),
      ]),
      RadixSort.load(gpu),
      PrefixScan.load(gpu),
    ]);
    return new RowListKernels(k, sort, scan);
  }
}

/** The loaded features the keys are read from. */
export interface ListSources {
  /** u32 pair index per example (the segment's). */
  pairs: GPUBuffer;
  /** u32 [3, pairsTotal + 1] bag offsets, and the ids they index. */
  offsets: GPUBuffer;
  ids: GPUBuffer;
  pairsTotal: number;
}

/** Bind groups of one recording, and the lists the embedding kernels read. */
export interface RowListGroups {
  lengths: GPUBindGroup;
  keys: GPUBindGroup;
  sort: RadixGroups;
  scan: [GPUBindGroup, GPUBindGroup];
  heads: GPUBindGroup;
  lists: GPUBindGroup;
  ranges: GPUBindGroup;
  /** u32 (row, first, end, blocked) per touched row. */
  rowsBuffer: GPUBuffer;
  /** u32 sorted bag slots (the contributions). */
  contribs: GPUBuffer;
  /** u32 (first, end) per block slot; f32 [slots, dim] their sums. */
  blocks: GPUBuffer;
  partial: GPUBuffer;
  /** u32 (count, first entry) per table chunk, and their indirect grids. */
  rangesBuffer: GPUBuffer;
  args: GPUBuffer;
}

/** The buffers of GPU-built lists of one backend, reused across steps. */
export class GpuRowLists {
  readonly #gpu: GpuContext;
  readonly #buckets: number;
  readonly #dim: number;
  readonly #chunks: number;
  readonly #rowsPerChunk: number;
  readonly #grow: Record<
    "keys0" | "keys1" | "vals0" | "vals1" | "data" | "rows" | "blocks" | "partial",
    GrowBuffer
  >;
  /** u32 [8]: see `LISTS_BYTES` (STORAGE | COPY_SRC for the epoch's readback). */
  readonly lists: GPUBuffer;
  readonly #ranges: GPUBuffer;
  readonly #args: GPUBuffer;

  /**
   * @param gpu The device.
   * @param cfg The model shape (`buckets`, `dim`).
   * @param chunks Table chunks.
   * @param rowsPerChunk Table rows per chunk.
   */
  constructor(gpu: GpuContext, cfg: ModelConfig, chunks: number, rowsPerChunk: number) {
    this.#gpu = gpu;
    this.#buckets = cfg.buckets;
    this.#dim = cfg.dim;
    this.#chunks = chunks;
    this.#rowsPerChunk = rowsPerChunk;
    const g = (label: string) => new GrowBuffer(gpu, label);
    this.#grow = {
      keys0: g("row keys"),
      keys1: g("row keys (sort)"),
      vals0: g("slot values"),
      vals1: g("slot values (sort)"),
      data: g("scan"),
      rows: g("touched rows (GPU)"),
      blocks: g("blocks (GPU)"),
      partial: g("block sums (GPU)"),
    };
    const storage = (label: string, size: number, extra = 0) =>
      gpu.device.createBuffer({
        label,
        size,
        // STORAGE: written by the list kernels; COPY_DST: cleared per epoch; COPY_SRC: read
        // back with the epoch totals; INDIRECT (args): embedding_adam's dispatch grids.
        usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC | extra,
      });
    this.lists = storage("list counts", LISTS_BYTES);
    this.#ranges = storage("chunk ranges", Math.max(16, 8 * chunks));
    this.#args = storage("chunk grids", Math.max(16, 12 * chunks), GPUBufferUsage.INDIRECT);
  }

  /**
   * Uniform slots one step records.
   *
   * @param s The step.
   * @returns Slots.
   */
  slots(s: ListStep): number {
    if (s.tokens === 0) return 0;
    return 6 + scanDispatches(3 * s.n) + scanDispatches(s.tokens) +
      radixSortSize(s.tokens, this.#buckets).slots;
  }

  /**
   * Sizes the buffers for steps of at most `maxTokens` occurrences and `maxPairs` pairs, and
   * makes the bind groups (after any growth).
   *
   * @param k The kernels.
   * @param arena The recording's arena.
   * @param src The pairs and features.
   * @param maxPairs Most pairs of a step.
   * @param maxTokens Most token occurrences of a step.
   * @returns The bind groups and lists.
   */
  bind(
    k: RowListKernels,
    arena: UniformArena,
    src: ListSources,
    maxPairs: number,
    maxTokens: number,
  ): RowListGroups {
    const t = Math.max(1, maxTokens), b = this.#grow;
    const entries = Math.max(
      scanSpace(3 * maxPairs),
      scanSpace(t),
      radixSortSize(t, this.#buckets).entries,
    );
    const keys: [GPUBuffer, GPUBuffer] = [b.keys0.ensure(4 * t), b.keys1.ensure(4 * t)];
    const vals: [GPUBuffer, GPUBuffer] = [b.vals0.ensure(4 * t), b.vals1.ensure(4 * t)];
    const data = b.data.ensure(4 * entries);
    const rows = b.rows.ensure(16 * t);
    const blocks = b.blocks.ensure(8 * blockSlots(t));
    const partial = b.partial.ensure(4 * blockSlots(t) * this.#dim);
    const sorted = radixPasses(this.#buckets) % 2 === 0 ? 0 : 1;
    return {
      lengths: k.lengths.bind(arena, [src.pairs, src.offsets, data]),
      keys: k.keys.bind(arena, [src.pairs, src.offsets, src.ids, data, keys[0], vals[0]]),
      sort: k.sort.bind(arena, { keys, vals, data }),
      scan: k.scan.bind(arena, data),
      heads: k.heads.bind(arena, [keys[sorted], data, blocks]),
      lists: k.lists.bind(arena, [keys[sorted], data, rows, blocks, this.lists]),
      ranges: k.ranges.bind(arena, [rows, this.lists, this.#ranges, this.#args]),
      rowsBuffer: rows,
      contribs: vals[sorted],
      blocks,
      partial,
      rangesBuffer: this.#ranges,
      args: this.#args,
    };
  }

  /**
   * Records the building of one step's lists (nothing for a step without tokens).
   *
   * @param k The kernels.
   * @param pass The compute pass.
   * @param g Bind groups from `bind()`.
   * @param arena The arena the params go to.
   * @param s The step.
   * @param pairsTotal Loaded pairs.
   */
  record(
    k: RowListKernels,
    pass: GPUComputePassEncoder,
    g: RowListGroups,
    arena: UniformArena,
    s: ListStep,
    pairsTotal: number,
  ): void {
    const t = s.tokens, slots = 3 * s.n;
    if (t === 0) return;
    const from = [slots, s.pos, pairsTotal, 0];
    k.lengths.dispatchFlat(pass, g.lengths, arena.push(from), slots, WG);
    k.scan.record(pass, g.scan, arena, slots, 0);
    k.keys.dispatchFlat(pass, g.keys, arena.push(from), slots, WG);
    k.sort.record(pass, g.sort, arena, t, this.#buckets, 0);
    const bs = blockSlots(t);
    k.heads.dispatchFlat(pass, g.heads, arena.push([t, 0, bs]), Math.max(t, bs), WG);
    k.scan.record(pass, g.scan, arena, t, 0);
    k.lists.dispatchFlat(pass, g.lists, arena.push([t, 0]), t, WG);
    const limit = this.#gpu.device.limits.maxComputeWorkgroupsPerDimension;
    const params = [this.#chunks, this.#rowsPerChunk, this.#dim, limit];
    k.ranges.dispatch(pass, g.ranges, arena.push(params), 1);
  }

  /** Frees the buffers. */
  destroy(): void {
    for (const b of Object.values(this.#grow)) b.destroy();
    this.lists.destroy();
    this.#ranges.destroy();
    this.#args.destroy();
  }
}

/**
 * Compulsory traffic of building one step's lists (integer work: no flops), by stage.
 *
 * @param s The step.
 * @param buckets Embedding table rows (sets the sort's passes).
 * @returns Bytes and dispatches of the keys, the sort and the segmentation.
 * @example
 * ```ts
 * import { rowListCost } from "./row_lists.ts";
 * const c = rowListCost({ pos: 0, n: 2, tokens: 100 }, 262144);
 * if (c.sort.cost.bytes !== 5 * (4 * 100 * 5 + 4 * 16 * 4) || c.sort.dispatches !== 15) throw new Error();
 * ```
 */
export function rowListCost(
  s: ListStep,
  buckets: number,
): Record<"keys" | "sort" | "segment", { cost: KernelCost; dispatches: number }> {
  const t = s.tokens, slots = 3 * s.n, passes = radixPasses(buckets);
  const hist = 16 * Math.ceil(t / 1024);
  if (t === 0) {
    const none = { cost: { bytes: 0, flops: 0 }, dispatches: 0 };
    return { keys: none, sort: none, segment: none };
  }
  return {
    // lengths: pair + 2 offsets in, length out; scan: read + write; keys: pair, 2 offsets,
    // start and ids in, (key, slot) out.
    keys: {
      cost: { bytes: 4 * (4 * slots) + 8 * slots + 4 * (4 * slots) + 12 * t, flops: 0 },
      dispatches: 2 + scanDispatches(slots),
    },
    // Per pass: keys read twice, values once, both written; the histogram written, scanned, read.
    sort: {
      cost: { bytes: passes * (4 * t * 5 + 4 * hist * 4), flops: 0 },
      dispatches: passes * (2 + scanDispatches(hist)),
    },
    // Marks: keys in, marks out; scan; lists: keys and marks in, rows out (at most one each).
    segment: {
      cost: { bytes: 8 * t + 8 * t + 8 * t + 16 * t, flops: 0 },
      dispatches: 3 + scanDispatches(t),
    },
  };
}
