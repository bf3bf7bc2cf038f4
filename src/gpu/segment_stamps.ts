/**
 * GPU timestamps of a traced epoch: two per segment (start and end of its compute pass),
 * resolved and read back with the epoch's totals (no extra readback), then placed on the host's
 * wall clock. The device clock's origin is unknown, so it is aligned as early as the submissions
 * allow: each segment starts no sooner than it was submitted, and the offset is the smallest one
 * that respects that for every segment (device spans may be late by the device's idle time, never
 * early).
 *
 * @module
 */
import type { GpuContext } from "./device.ts";
import type { SegmentTiming } from "./timeline.ts";

/** Timestamp slots of one query set (the WebGPU limit is 4096). */
const MAX_SLOTS = 4096;

/** The query set of one traced epoch. */
export class SegmentStamps {
  readonly #gpu: GpuContext;
  readonly #set: GPUQuerySet;
  readonly #resolved: GPUBuffer;
  readonly #segments: number;

  private constructor(gpu: GpuContext, segments: number) {
    this.#gpu = gpu;
    this.#segments = segments;
    this.#set = gpu.device.createQuerySet({ type: "timestamp", count: 2 * segments });
    this.#resolved = gpu.device.createBuffer({
      label: "segment timestamps",
      size: 16 * segments,
      // QUERY_RESOLVE: target of resolveQuerySet; COPY_SRC: read back with the totals.
      usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC,
    });
  }

  /**
   * Opens a query set for up to `segments` segments, or returns null when the device has no
   * timestamps.
   *
   * @param gpu The device.
   * @param segments Most segments of the epoch (its steps).
   * @returns The stamps, or null.
   */
  static open(gpu: GpuContext, segments: number): SegmentStamps | null {
    if (!gpu.device.features.has("timestamp-query")) return null;
    return new SegmentStamps(gpu, Math.max(1, Math.min(segments, MAX_SLOTS / 2)));
  }

  /**
   * The pass timestamps of segment `k` (none past the query set).
   *
   * @param k The segment's index.
   * @returns What `beginComputePass` takes, or undefined.
   */
  writes(k: number): GPUComputePassTimestampWrites | undefined {
    if (k >= this.#segments) return undefined;
    return {
      querySet: this.#set,
      beginningOfPassWriteIndex: 2 * k,
      endOfPassWriteIndex: 2 * k + 1,
    };
  }

  /**
   * Records the resolve of the first `segments` segments' stamps.
   *
   * @param encoder The epoch's closing encoder (before its readback copies).
   * @param segments Segments recorded.
   * @returns The range to read back.
   */
  resolve(
    encoder: GPUCommandEncoder,
    segments: number,
  ): { buffer: GPUBuffer; offset: number; bytes: number } {
    const k = Math.max(1, Math.min(segments, this.#segments));
    encoder.resolveQuerySet(this.#set, 0, 2 * k, this.#resolved, 0);
    return { buffer: this.#resolved, offset: 0, bytes: 16 * k };
  }

  /**
   * Sets `deviceStart` / `deviceDone` of the timed segments.
   *
   * @param t The timeline (wall-clock submit times set).
   * @param raw The read-back stamps (u64 nanoseconds, as read into a Float32Array).
   */
  place(t: SegmentTiming[], raw: Float32Array): void {
    const ns = new BigUint64Array(raw.buffer, raw.byteOffset, raw.byteLength / 8);
    const k = Math.min(t.length, ns.length / 2);
    if (k === 0) return;
    const ms = (i: number) => Number(ns[i] - ns[0]) / 1e6;
    let offset = -Infinity;
    for (let i = 0; i < k; i++) offset = Math.max(offset, t[i].submitEnd - ms(2 * i));
    for (let i = 0; i < k; i++) {
      t[i].deviceStart = offset + ms(2 * i);
      t[i].deviceDone = offset + ms(2 * i + 1);
    }
  }

  /** Frees the query set and buffer. */
  destroy(): void {
    this.#set.destroy();
    this.#resolved.destroy();
  }
}
