/**
 * Reads `.safetensors` files: an 8-byte little-endian header length, a JSON header naming each
 * tensor's dtype, shape and byte range, then the raw little-endian data.
 *
 * @module
 */
import { bfloatsToFloats, halvesToFloats } from "./f16.ts";

/** The element types serflow reads. */
export type TensorDtype = "F32" | "F16" | "BF16";

/** One tensor of a safetensors file. */
export class Tensor {
  /** The stored element type. */
  readonly dtype: TensorDtype;
  /** The shape (row-major). */
  readonly shape: readonly number[];
  /** The raw elements: f32 values, or f16/bf16 bits. */
  readonly raw: Float32Array | Uint16Array;

  /**
   * @param dtype The element type.
   * @param shape The shape.
   * @param raw The elements (`Float32Array` for F32, `Uint16Array` of bits otherwise).
   */
  constructor(dtype: TensorDtype, shape: readonly number[], raw: Float32Array | Uint16Array) {
    this.dtype = dtype;
    this.shape = shape;
    this.raw = raw;
  }

  /** Number of elements. */
  get size(): number {
    return this.raw.length;
  }

  /** @returns The values as f32 (converted from f16/bf16; the stored array for F32). */
  f32(): Float32Array {
    if (this.raw instanceof Float32Array) return this.raw;
    return this.dtype === "F16" ? halvesToFloats(this.raw) : bfloatsToFloats(this.raw);
  }
}

const BYTES: Record<TensorDtype, number> = { F32: 4, F16: 2, BF16: 2 };

/**
 * Parses a safetensors file's bytes.
 *
 * @param bytes The whole file.
 * @param where The file's path, for messages.
 * @returns Every tensor by name (the `__metadata__` entry is skipped).
 * @throws {RangeError} On a malformed header or a dtype other than F32, F16 or BF16.
 * @example
 * ```ts
 * import { parseSafetensors } from "./safetensors.ts";
 * const header = new TextEncoder().encode(
 *   JSON.stringify({ w: { dtype: "F32", shape: [2], data_offsets: [0, 8] } }),
 * );
 * const file = new Uint8Array(8 + header.length + 8);
 * const view = new DataView(file.buffer);
 * view.setBigUint64(0, BigInt(header.length), true);
 * file.set(header, 8);
 * view.setFloat32(8 + header.length, 1.5, true);
 * view.setFloat32(12 + header.length, -2, true);
 * const t = parseSafetensors(file, "w.safetensors").get("w")!;
 * if (t.f32()[1] !== -2 || t.shape[0] !== 2) throw new Error();
 * ```
 */
export function parseSafetensors(bytes: Uint8Array, where: string): Map<string, Tensor> {
  if (bytes.length < 8) {
    throw new RangeError(
      `Cannot read '${where}' as safetensors: the file has ${bytes.length} bytes`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = Number(view.getBigUint64(0, true));
  if (n > bytes.length - 8) {
    throw new RangeError(
      `Cannot read '${where}' as safetensors: its header claims ${n} bytes but the file has ` +
        `${bytes.length}: is it a complete download (not a Git LFS pointer)?`,
    );
  }
  let header: Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }>;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
  } catch (e) {
    throw new RangeError(`Cannot read '${where}' as safetensors: its header is not JSON`, {
      cause: e,
    });
  }
  const base = 8 + n;
  const out = new Map<string, Tensor>();
  for (const [name, info] of Object.entries(header)) {
    if (name === "__metadata__") continue;
    const dtype = info.dtype as TensorDtype;
    if (!(dtype in BYTES)) {
      throw new RangeError(
        `Cannot read tensor '${name}' of '${where}' as its dtype is ${info.dtype}: serflow reads ` +
          `F32, F16 and BF16 weights (convert the model with torch_dtype=float32 or float16)`,
      );
    }
    const [start, end] = info.data_offsets;
    const count = info.shape.reduce((a, b) => a * b, 1);
    if (end - start !== count * BYTES[dtype] || base + end > bytes.length) {
      throw new RangeError(
        `Cannot read tensor '${name}' of '${where}': its byte range [${start}, ${end}) does not ` +
          `hold shape [${info.shape}] of ${dtype} inside the file`,
      );
    }
    // Copy: the data may be unaligned, and the tensor must outlive the file's buffer.
    const copy = bytes.slice(base + start, base + end).buffer;
    const raw = dtype === "F32" ? new Float32Array(copy) : new Uint16Array(copy);
    out.set(name, new Tensor(dtype, info.shape, raw));
  }
  return out;
}
