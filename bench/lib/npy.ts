/**
 * NumPy `.npy` files (format version 1.0, little-endian, C order): the exchange format between
 * serflow's exporter and the peer implementations (PyTorch reads them with `numpy.load`).
 *
 * @module
 */

/** The typed arrays `.npy` files hold here. */
export type NpyArray = Float32Array | Int32Array | Uint32Array | Int8Array | Uint8Array;

const DESCR: Record<string, string> = {
  Float32Array: "<f4",
  Int32Array: "<i4",
  Uint32Array: "<u4",
  Int8Array: "|i1",
  Uint8Array: "|u1",
};

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // "\x93NUMPY"

/**
 * Encodes an array as `.npy` bytes.
 *
 * @param data The values (row-major).
 * @param shape The array's shape; its product must equal `data.length` (default `[data.length]`).
 * @returns The file's bytes.
 * @example
 * ```ts
 * import { decodeNpy, encodeNpy } from "./npy.ts";
 * const back = decodeNpy(encodeNpy(new Float32Array([1, 2, 3, 4]), [2, 2]));
 * if (back.shape[0] !== 2 || back.data[3] !== 4) throw new Error();
 * ```
 */
export function encodeNpy(data: NpyArray, shape: readonly number[] = [data.length]): Uint8Array {
  const descr = DESCR[data.constructor.name];
  if (!descr) {
    throw new TypeError(`Cannot encode .npy as ${data.constructor.name} is not supported`);
  }
  const count = shape.reduce((a, b) => a * b, 1);
  if (count !== data.length) {
    throw new RangeError(
      `Cannot encode .npy as shape [${shape}] holds ${count} values: the array has ${data.length}`,
    );
  }
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(", ")})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  const unpadded = MAGIC.length + 4 + header.length + 1;
  header += " ".repeat((64 - (unpadded % 64)) % 64) + "\n";
  const out = new Uint8Array(MAGIC.length + 4 + header.length + data.byteLength);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  new DataView(out.buffer).setUint16(8, header.length, true);
  out.set(new TextEncoder().encode(header), 10);
  out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), 10 + header.length);
  return out;
}

/**
 * Decodes `.npy` bytes written by `encodeNpy` or NumPy (little-endian, C order).
 *
 * @param bytes The file's bytes.
 * @returns The values (a copy, suitably aligned) and the shape.
 * @example
 * ```ts
 * import { decodeNpy, encodeNpy } from "./npy.ts";
 * const { data } = decodeNpy(encodeNpy(new Int8Array([1, -1])));
 * if (!(data instanceof Int8Array) || data[1] !== -1) throw new Error();
 * ```
 */
export function decodeNpy(bytes: Uint8Array): { data: NpyArray; shape: number[] } {
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) {
    throw new TypeError("Cannot decode .npy as the bytes do not start with the NumPy magic");
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const major = bytes[6];
  const headerLen = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const start = major === 1 ? 10 : 12;
  const header = new TextDecoder().decode(bytes.subarray(start, start + headerLen));
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*True/.test(header);
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1] ?? "";
  const shape = shapeText.split(",").map((s) => s.trim()).filter((s) => s).map(Number);
  if (fortran) throw new TypeError("Cannot decode .npy in Fortran order: save it in C order");
  const body = bytes.slice(start + headerLen);
  const ctor = Object.entries(DESCR).find(([, d]) => d === descr)?.[0];
  const make: Record<string, (b: ArrayBuffer) => NpyArray> = {
    Float32Array: (b) => new Float32Array(b),
    Int32Array: (b) => new Int32Array(b),
    Uint32Array: (b) => new Uint32Array(b),
    Int8Array: (b) => new Int8Array(b),
    Uint8Array: (b) => new Uint8Array(b),
  };
  if (!ctor) {
    throw new TypeError(`Cannot decode .npy of dtype '${descr}': use f4, i4, u4, i1 or u1`);
  }
  return { data: make[ctor](body.buffer), shape };
}

/**
 * Writes an array to a `.npy` file.
 *
 * @param path The file to write.
 * @param data The values.
 * @param shape The shape (default: one dimension).
 * @returns Resolves when written.
 * @example
 * ```ts ignore
 * await writeNpy("/tmp/x.npy", new Float32Array(6), [2, 3]);
 * ```
 */
export async function writeNpy(
  path: string,
  data: NpyArray,
  shape?: readonly number[],
): Promise<void> {
  await Deno.writeFile(path, encodeNpy(data, shape));
}

/**
 * Reads a `.npy` file.
 *
 * @param path The file to read.
 * @returns The values and the shape.
 * @example
 * ```ts ignore
 * const { data, shape } = await readNpy("/tmp/x.npy");
 * ```
 */
export async function readNpy(path: string): Promise<{ data: NpyArray; shape: number[] }> {
  return decodeNpy(await Deno.readFile(path));
}
