/**
 * Memory of the CPU fast path: one shared WebAssembly memory carved into named regions by a bump
 * allocator that only grows, with float32/uint32/float64 views that every thread refreshes after
 * a growth.
 *
 * @module
 */
import { instantiateKernels, kernelMemory, type Kernels, PAGE } from "../wasm/kernels.ts";

/** A region: element offset (in 4-byte units) and length in elements. */
export interface Region {
  at: number;
  len: number;
}

/** The memory, its kernels and its views. */
export class Arena {
  readonly kernels: Kernels;
  f32!: Float32Array;
  u32!: Uint32Array;
  f64!: Float64Array;
  /** Bytes handed out so far. */
  top: number;

  /**
   * @param memory A shared memory (a new one when omitted).
   * @param top Bytes already handed out (when attaching to an existing memory).
   */
  constructor(memory: WebAssembly.Memory = kernelMemory(PAGE), top = 64) {
    this.kernels = instantiateKernels(memory);
    this.top = top;
    this.refresh();
  }

  /** The shared memory. */
  get memory(): WebAssembly.Memory {
    return this.kernels.memory;
  }

  /**
   * Re-creates the views when the memory has grown (call before reading after a `grow`, also one
   * made by another thread: `grow(0)` makes this thread see the memory's current size).
   */
  refresh(): void {
    this.memory.grow(0);
    const buf = this.memory.buffer;
    if (this.f32?.buffer === buf) return;
    this.f32 = new Float32Array(buf);
    this.u32 = new Uint32Array(buf);
    this.f64 = new Float64Array(buf);
  }

  /**
   * Hands out `len` zeroed 4-byte elements, 16-byte aligned, growing the memory as needed.
   *
   * @param len Elements.
   * @returns The region.
   * @example
   * ```ts
   * import { Arena } from "./arena.ts";
   * const a = new Arena();
   * const r = a.alloc(1000);
   * a.f32[r.at + 999] = 1;
   * if (r.at % 4 !== 0) throw new Error();
   * ```
   */
  alloc(len: number): Region {
    const start = Math.ceil(this.top / 16) * 16, end = start + len * 4;
    const have = this.memory.buffer.byteLength;
    if (end > have) {
      const pages = Math.ceil((end - have) / PAGE);
      if (have / PAGE + pages > 65536) {
        throw new RangeError(
          `Cannot allocate ${end} bytes for the CPU fast path as WebAssembly memory ends at 4 GiB: ` +
            "use fewer buckets or fewer pairs per load, or backend: webgpu",
        );
      }
      this.memory.grow(pages);
    }
    this.refresh();
    this.top = end;
    return { at: start / 4, len };
  }
}
