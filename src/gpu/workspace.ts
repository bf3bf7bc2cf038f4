/**
 * Scratch buffers of one chunk of pairs (a mini-batch, or a chunk of pairs being scored) and the
 * step lists of an epoch segment, grown on demand and reused across calls.
 *
 * @module
 */
import { featureWidth, type ModelConfig } from "../model/types.ts";
import type { GpuContext } from "./device.ts";
import { GrowBuffer } from "./grow_buffer.ts";

/** Floats per pair in the pooled buffer: three vectors and three bag sizes. */
export function pooledStride(cfg: ModelConfig): number {
  return 3 * cfg.dim + 3;
}

/** The per-chunk scratch buffers, each sized for `pairs` pairs. */
export interface ChunkBuffers {
  /** f32 [pairs, stride]. */
  pooled: GPUBuffer;
  /** f32 [2 pairs, hidden] pre-activations. */
  z: GPUBuffer;
  /** f32 [2 pairs] rewards. */
  rewards: GPUBuffer;
  /** f32 [2 pairs, hidden] dL/dz. */
  gz: GPUBuffer;
  /** f32 [2 pairs] dL/dr. */
  gr: GPUBuffer;
  /** f32 [3 pairs, dim] per-token gradients. */
  gtok: GPUBuffer;
}

/** Reusable scratch and list buffers of one backend. */
export class Workspace {
  readonly #cfg: ModelConfig;
  readonly #gpu: GpuContext;
  readonly #chunk: Record<keyof ChunkBuffers, GrowBuffer>;
  /** u32 pair indices (epoch order, or the pairs being scored). */
  readonly pairs: GrowBuffer;
  /** f32 (label, weight) per example. */
  readonly targets: GrowBuffer;
  /** f32 (loss, correct) per example. */
  readonly stats: GrowBuffer;
  /** u32 (row, first, end, blocked) per touched row. */
  readonly rows: GrowBuffer;
  /** u32 (first, end) per block of a frequent row's contributions. */
  readonly blocks: GrowBuffer;
  /** f32 [blocks, dim] block sums. */
  readonly partial: GrowBuffer;
  /** f32 [chunks, dense parameters] weight_grad's split-K partial sums. */
  readonly gradPartial: GrowBuffer;
  /** u32 contributing bag slots. */
  readonly contribs: GrowBuffer;
  /** u32 (count, first entry) per embedding_adam dispatch of host-built lists. */
  readonly ranges: GrowBuffer;
  /** f32 rewards of the pairs being scored. */
  readonly scores: GrowBuffer;
  /** f32 [2] (loss sum, correct count) of an epoch. */
  readonly totals: GrowBuffer;

  /**
   * @param gpu The device.
   * @param cfg The model shape.
   */
  constructor(gpu: GpuContext, cfg: ModelConfig) {
    this.#gpu = gpu;
    this.#cfg = cfg;
    const g = (label: string) => new GrowBuffer(gpu, label);
    this.#chunk = {
      pooled: g("pooled"),
      z: g("z"),
      rewards: g("rewards"),
      gz: g("gz"),
      gr: g("gr"),
      gtok: g("gtok"),
    };
    this.pairs = g("pairs");
    this.targets = g("targets");
    this.stats = g("stats");
    this.rows = g("touched rows");
    this.blocks = g("blocks");
    this.partial = g("block sums");
    this.gradPartial = g("split-K partial sums");
    this.contribs = g("contributions");
    this.ranges = g("chunk ranges");
    this.scores = g("scores");
    this.totals = g("totals");
  }

  /**
   * The most pairs one chunk can hold within the storage binding size (capped at `cap`).
   *
   * @param cap Upper bound.
   * @returns Pairs per chunk (>= 1).
   */
  maxChunkPairs(cap: number): number {
    const c = this.#cfg;
    const widest = 4 * Math.max(pooledStride(c), 2 * c.hidden, 3 * c.dim, 2);
    return Math.max(1, Math.min(cap, Math.floor(this.#gpu.maxBindingBytes / widest)));
  }

  /**
   * The scratch buffers, sized for `pairs` pairs.
   *
   * @param pairs Pairs per chunk.
   * @param training Also size the gradient buffers.
   * @returns The buffers.
   */
  chunk(pairs: number, training: boolean): ChunkBuffers {
    const c = this.#cfg, k = this.#chunk, t = training ? 1 : 0;
    const bag = c.input === "bag" ? 1 : 0;
    return {
      pooled: k.pooled.ensure(4 * pairs * pooledStride(c)),
      z: k.z.ensure(4 * 2 * pairs * c.hidden),
      rewards: k.rewards.ensure(4 * 2 * pairs),
      gz: k.gz.ensure(4 * 2 * pairs * c.hidden * t),
      gr: k.gr.ensure(4 * 2 * pairs * t),
      gtok: k.gtok.ensure(4 * 3 * pairs * c.dim * t * bag),
    };
  }

  /** The MLP input width. */
  get features(): number {
    return featureWidth(this.#cfg);
  }

  /** Frees every buffer. */
  destroy(): void {
    for (const b of Object.values(this.#chunk)) b.destroy();
    for (
      const b of [
        this.pairs,
        this.targets,
        this.stats,
        this.rows,
        this.blocks,
        this.partial,
        this.gradPartial,
        this.contribs,
        this.ranges,
        this.scores,
        this.totals,
      ]
    ) {
      b.destroy();
    }
  }
}
