/**
 * The loaded pairs on the GPU, uploaded once: bag offsets and token ids (all three bags in one
 * list each), or the precomputed vectors as a row-split table (row `3 pair + bag`).
 *
 * @module
 */
import type { ModelConfig, PairFeatures } from "../model/types.ts";
import { storageBuffer, upload } from "./buffers.ts";
import type { GpuContext } from "./device.ts";
import { MAX_TABLE_CHUNKS } from "./embedding_bag.ts";
import { ChunkedTable, planTable } from "./table.ts";

/** Device copies of `PairFeatures`. */
export class GpuFeatures {
  readonly n: number;
  /** u32 [3, n + 1]: offsets of the prompt, a and b bags into `ids`. */
  readonly offsets: GPUBuffer;
  /** u32 token ids of all bags. */
  readonly ids: GPUBuffer;
  /** Precomputed vectors `[3 n, dim]` (null for bag input). */
  readonly vectors: ChunkedTable | null;

  /**
   * Uploads (checked) features.
   *
   * @param gpu The device.
   * @param f The features, already checked against `cfg`.
   * @param cfg The model shape.
   * @throws RangeError naming the sizes when they exceed a storage binding.
   */
  constructor(gpu: GpuContext, f: PairFeatures, cfg: ModelConfig) {
    this.n = f.n;
    if (cfg.input === "embedding") {
      this.offsets = storageBuffer(gpu, "offsets (unused)", 4);
      this.ids = storageBuffer(gpu, "ids (unused)", 4);
      const plan = planTable(
        "precomputed embedding",
        3 * f.n,
        cfg.dim,
        gpu.maxBindingBytes,
        MAX_TABLE_CHUNKS,
      );
      this.vectors = new ChunkedTable(gpu, "precomputed embeddings", plan);
      const d = cfg.dim, rows = new Float32Array(3 * f.n * d);
      const cols = [f.promptEmb!, f.aEmb!, f.bEmb!];
      for (let i = 0; i < f.n; i++) {
        for (let k = 0; k < 3; k++) rows.set(cols[k].subarray(i * d, i * d + d), (3 * i + k) * d);
      }
      this.vectors.write(rows);
      return;
    }
    const lists = [[f.promptOffsets, f.promptIds], [f.aOffsets, f.aIds], [
      f.bOffsets,
      f.bIds,
    ]] as const;
    const total = lists.reduce((s, [, ids]) => s + ids.length, 0);
    for (const [what, bytes] of [["offsets", 12 * (f.n + 1)], ["token ids", 4 * total]] as const) {
      if (bytes > gpu.maxBindingBytes) {
        throw new RangeError(
          `Cannot load ${f.n} pairs on the GPU as their ${what} take ${bytes} bytes and a storage ` +
            `binding holds at most ${gpu.maxBindingBytes} on '${gpu.adapterName}': load fewer pairs at a time`,
        );
      }
    }
    const offsets = new Uint32Array(3 * (f.n + 1)), ids = new Uint32Array(total);
    let base = 0;
    lists.forEach(([o, list], k) => {
      for (let i = 0; i <= f.n; i++) offsets[k * (f.n + 1) + i] = o[i] + base;
      ids.set(list, base);
      base += list.length;
    });
    this.offsets = storageBuffer(gpu, "offsets", offsets.byteLength);
    this.ids = storageBuffer(gpu, "ids", ids.byteLength);
    upload(gpu, this.offsets, offsets);
    upload(gpu, this.ids, ids);
    this.vectors = null;
  }

  /** Frees the buffers. */
  destroy(): void {
    this.offsets.destroy();
    this.ids.destroy();
    this.vectors?.destroy();
  }
}
