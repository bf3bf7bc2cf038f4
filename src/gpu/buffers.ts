/**
 * Buffer helpers: storage buffers with their usage spelled out, uploads, and batched readback
 * (one submission and one `mapAsync` per call, since every map costs ~10 ms in Deno).
 *
 * @module
 */
import type { GpuContext } from "./device.ts";

/** Smallest buffer made (bindings need a non-empty buffer). */
const MIN_BYTES = 16;

/**
 * Creates a storage buffer of at least `bytes` bytes (rounded up to 4, at least 16).
 *
 * @param gpu The device.
 * @param label Debug label.
 * @param bytes Size in bytes.
 * @returns The buffer, zero-filled.
 * @example
 * ```ts
 * import { openGpu, requestAdapter } from "./device.ts";
 * import { storageBuffer } from "./buffers.ts";
 * if (await requestAdapter()) {
 *   const gpu = await openGpu();
 *   const b = storageBuffer(gpu, "x", 10);
 *   if (b.size !== 16) throw new Error();
 *   gpu.destroy();
 * }
 * ```
 */
export function storageBuffer(gpu: GpuContext, label: string, bytes: number): GPUBuffer {
  const size = Math.max(MIN_BYTES, Math.ceil(bytes / 4) * 4);
  if (size > gpu.device.limits.maxBufferSize) {
    throw new RangeError(
      `Cannot allocate GPU buffer '${label}' of ${size} bytes as the device's maxBufferSize is ` +
        `${gpu.device.limits.maxBufferSize}: use a smaller model or fewer pairs per call`,
    );
  }
  return gpu.device.createBuffer({
    label,
    size,
    // STORAGE: read/written by kernels; COPY_DST: filled by queue.writeBuffer;
    // COPY_SRC: copied to a staging buffer for readback.
    usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC,
  });
}

/**
 * Writes a typed array to the start of a buffer (a queue operation ordered before later submits).
 *
 * @param gpu The device.
 * @param buffer Destination.
 * @param data Source; its byte length must be a multiple of 4.
 * @param byteOffset Destination offset.
 */
export function upload(
  gpu: GpuContext,
  buffer: GPUBuffer,
  data: Float32Array | Uint32Array,
  byteOffset = 0,
): void {
  if (data.byteLength === 0) return;
  gpu.device.queue.writeBuffer(
    buffer,
    byteOffset,
    data.buffer as ArrayBuffer,
    data.byteOffset,
    data.byteLength,
  );
}

/** A byte range of a GPU buffer to read back. */
export interface ReadRange {
  buffer: GPUBuffer;
  /** Byte offset (multiple of 4). */
  offset?: number;
  /** Bytes (multiple of 4); default: to the end of the buffer. */
  bytes?: number;
}

/**
 * Reads several buffer ranges back with one submission and one map per staging buffer (ranges are
 * grouped up to the device's maxBufferSize).
 *
 * @param gpu The device.
 * @param ranges What to read.
 * @param encoder Commands to submit before the copies (e.g. the work that produces the data).
 * @returns One Float32Array per range, in order.
 */
export async function readBack(
  gpu: GpuContext,
  ranges: readonly ReadRange[],
  encoder: GPUCommandEncoder = gpu.device.createCommandEncoder(),
): Promise<Float32Array[]> {
  // Mapping on a device already lost rejects twice in Deno (once unhandled): fail first.
  gpu.assertAlive();
  const max = gpu.device.limits.maxBufferSize;
  const groups: { at: number[]; bytes: number }[] = [];
  const places: { group: number; at: number; bytes: number }[] = [];
  for (const r of ranges) {
    const bytes = r.bytes ?? r.buffer.size - (r.offset ?? 0);
    let g = groups[groups.length - 1];
    if (!g || (g.bytes + bytes > max && g.bytes > 0)) groups.push(g = { at: [], bytes: 0 });
    places.push({ group: groups.length - 1, at: g.bytes, bytes });
    g.bytes += bytes;
  }
  const staging = groups.map((g, i) =>
    gpu.device.createBuffer({
      label: `readback ${i}`,
      size: Math.max(MIN_BYTES, g.bytes),
      // MAP_READ: mapped on the host; COPY_DST: target of the copies below.
      usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
    })
  );
  ranges.forEach((r, i) => {
    const p = places[i];
    if (p.bytes > 0) {
      encoder.copyBufferToBuffer(r.buffer, r.offset ?? 0, staging[p.group], p.at, p.bytes);
    }
  });
  gpu.device.queue.submit([encoder.finish()]);
  try {
    await gpu.guard(Promise.all(staging.map((s) => s.mapAsync(GPUMapMode.READ))));
    const maps = staging.map((s) => s.getMappedRange());
    return places.map((p) => new Float32Array(maps[p.group].slice(p.at, p.at + p.bytes)));
  } finally {
    for (const s of staging) s.destroy();
  }
}
