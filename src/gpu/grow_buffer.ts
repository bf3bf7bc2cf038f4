/**
 * A storage buffer that is reallocated (larger) when a call needs more room than it has.
 *
 * @module
 */
import { storageBuffer, upload } from "./buffers.ts";
import type { GpuContext } from "./device.ts";

/** A growable storage buffer (contents are not kept when it grows). */
export class GrowBuffer {
  readonly #gpu: GpuContext;
  readonly #label: string;
  #buffer: GPUBuffer | null = null;

  /**
   * @param gpu The device.
   * @param label Debug label, also used in size errors.
   */
  constructor(gpu: GpuContext, label: string) {
    this.#gpu = gpu;
    this.#label = label;
  }

  /**
   * Makes sure the buffer holds `bytes` bytes (growing by at least 1.5x).
   *
   * @param bytes Bytes needed.
   * @returns The buffer.
   * @throws RangeError when `bytes` exceeds the storage binding limit.
   */
  ensure(bytes: number): GPUBuffer {
    const max = this.#gpu.maxBindingBytes;
    if (bytes > max) {
      throw new RangeError(
        `Cannot size GPU buffer '${this.#label}' to ${bytes} bytes as a storage binding holds at ` +
          `most ${max} bytes on '${this.#gpu.adapterName}': use smaller batches or fewer pairs per call`,
      );
    }
    if (!this.#buffer || this.#buffer.size < bytes) {
      const old = this.#buffer?.size ?? 0;
      this.#buffer?.destroy();
      this.#buffer = storageBuffer(
        this.#gpu,
        this.#label,
        Math.min(max, Math.max(bytes, old * 1.5)),
      );
    }
    return this.#buffer;
  }

  /**
   * Uploads `data` to the start of the buffer, growing it if needed.
   *
   * @param data The values.
   * @returns The buffer.
   */
  write(data: Float32Array | Uint32Array): GPUBuffer {
    const b = this.ensure(data.byteLength);
    upload(this.#gpu, b, data);
    return b;
  }

  /** Frees the buffer. */
  destroy(): void {
    this.#buffer?.destroy();
    this.#buffer = null;
  }
}
