/**
 * A float table split by rows across several storage buffers, so that a table larger than the
 * device's `maxStorageBufferBindingSize` is still bound (each chunk is one binding).
 *
 * @module
 */
import { readBack, type ReadRange, storageBuffer, upload } from "./buffers.ts";
import type { GpuContext } from "./device.ts";

/** How a `[rows, dim]` table is split. */
export interface TablePlan {
  rows: number;
  dim: number;
  /** Rows per chunk (the last chunk may hold fewer). */
  rowsPerChunk: number;
  chunks: number;
}

/**
 * Splits a table into as few chunks as the binding size allows.
 *
 * @param what The table's name, for the error.
 * @param rows Table rows.
 * @param dim Floats per row.
 * @param maxBindingBytes Largest storage binding.
 * @param maxChunks Most chunks the kernels can bind.
 * @returns The plan.
 * @throws RangeError naming the sizes when the table cannot fit.
 * @example
 * ```ts
 * import { planTable } from "./table.ts";
 * const p = planTable("embedding", 4096, 16, 65536, 4);
 * if (p.chunks !== 4 || p.rowsPerChunk !== 1024) throw new Error();
 * ```
 */
export function planTable(
  what: string,
  rows: number,
  dim: number,
  maxBindingBytes: number,
  maxChunks: number,
): TablePlan {
  const rowBytes = Math.max(1, dim) * 4;
  const rowsPerChunk = Math.min(Math.max(rows, 1), Math.floor(maxBindingBytes / rowBytes));
  const chunks = rows === 0 ? 1 : Math.ceil(rows / Math.max(rowsPerChunk, 1));
  if (rowsPerChunk < 1 || chunks > maxChunks) {
    throw new RangeError(
      `Cannot fit the ${what} table of ${rows} x ${dim} f32 (${
        rows * rowBytes
      } bytes) on the GPU ` +
        `as it needs ${chunks} bindings of at most ${maxBindingBytes} bytes and the kernels bind ` +
        `at most ${maxChunks}: lower model.buckets or model.dim, or use a device with a larger ` +
        "maxStorageBufferBindingSize",
    );
  }
  return { rows, dim, rowsPerChunk, chunks };
}

/** A table stored as chunk buffers. */
export class ChunkedTable {
  readonly plan: TablePlan;
  readonly buffers: readonly GPUBuffer[];
  readonly #gpu: GpuContext;

  /**
   * Allocates zero-filled chunks.
   *
   * @param gpu The device.
   * @param label Debug label.
   * @param plan The split.
   */
  constructor(gpu: GpuContext, label: string, plan: TablePlan) {
    this.#gpu = gpu;
    this.plan = plan;
    this.buffers = Array.from(
      { length: plan.chunks },
      (_, c) => storageBuffer(gpu, `${label} ${c}`, this.#chunkRows(c) * plan.dim * 4),
    );
  }

  /** First row of chunk `c`. */
  chunkStart(c: number): number {
    return c * this.plan.rowsPerChunk;
  }

  #chunkRows(c: number): number {
    return Math.max(0, Math.min(this.plan.rowsPerChunk, this.plan.rows - this.chunkStart(c)));
  }

  /**
   * Uploads the whole table.
   *
   * @param data `[rows, dim]` row-major.
   */
  write(data: Float32Array): void {
    const { rows, dim } = this.plan;
    if (data.length !== rows * dim) {
      throw new RangeError(
        `Cannot write the table as it holds ${rows} x ${dim} = ${
          rows * dim
        } floats: got ${data.length}`,
      );
    }
    this.buffers.forEach((b, c) => {
      const start = this.chunkStart(c) * dim;
      upload(this.#gpu, b, data.subarray(start, start + this.#chunkRows(c) * dim));
    });
  }

  /** @returns The chunks' byte ranges, for `readBack` (pass its parts to `assemble`). */
  ranges(): ReadRange[] {
    return this.buffers.map((buffer, c) => ({
      buffer,
      offset: 0,
      bytes: this.#chunkRows(c) * this.plan.dim * 4,
    }));
  }

  /**
   * Joins the chunks read back with `ranges()` (extra parts are ignored).
   *
   * @param parts One Float32Array per chunk, in order.
   * @returns `[rows, dim]` row-major.
   */
  assemble(parts: readonly Float32Array[]): Float32Array {
    const out = new Float32Array(this.plan.rows * this.plan.dim);
    for (let c = 0; c < this.plan.chunks; c++) {
      out.set(parts[c], this.chunkStart(c) * this.plan.dim);
    }
    return out;
  }

  /**
   * Reads the whole table back (one submission).
   *
   * @returns `[rows, dim]` row-major.
   */
  async read(): Promise<Float32Array> {
    return this.assemble(await readBack(this.#gpu, this.ranges()));
  }

  /** Frees the chunks. */
  destroy(): void {
    for (const b of this.buffers) b.destroy();
  }
}
