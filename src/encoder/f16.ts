/**
 * IEEE half and bfloat16 bits to f32 values (what the TypeScript reference and a device without
 * f16 weights compute with).
 *
 * @module
 */

const _f32 = new Float32Array(1);
const _u32 = new Uint32Array(_f32.buffer);

/**
 * Converts one IEEE 754 half-precision value (its 16 bits) to a number.
 *
 * @param h The half's bits.
 * @returns Its value (subnormals, infinities and NaN included).
 * @example
 * ```ts
 * import { halfToFloat } from "./f16.ts";
 * if (halfToFloat(0x3c00) !== 1 || halfToFloat(0xc000) !== -2) throw new Error();
 * ```
 */
export function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f, frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

/**
 * Converts an array of half bits to f32.
 *
 * @param bits The halves' bits.
 * @returns The values.
 * @example
 * ```ts
 * import { halvesToFloats } from "./f16.ts";
 * const v = halvesToFloats(new Uint16Array([0x3c00, 0x3800]));
 * if (v[0] !== 1 || v[1] !== 0.5) throw new Error();
 * ```
 */
export function halvesToFloats(bits: Uint16Array): Float32Array {
  const table = _halfTable();
  const out = new Float32Array(bits.length);
  for (let i = 0; i < bits.length; i++) out[i] = table[bits[i]];
  return out;
}

/**
 * Converts an array of bfloat16 bits (the top half of an f32) to f32.
 *
 * @param bits The bfloat16 values' bits.
 * @returns The values.
 * @example
 * ```ts
 * import { bfloatsToFloats } from "./f16.ts";
 * if (bfloatsToFloats(new Uint16Array([0x3f80]))[0] !== 1) throw new Error();
 * ```
 */
export function bfloatsToFloats(bits: Uint16Array): Float32Array {
  const out = new Float32Array(bits.length);
  const u = new Uint32Array(out.buffer);
  for (let i = 0; i < bits.length; i++) u[i] = bits[i] << 16;
  return out;
}

/**
 * Rounds a number to the nearest half (round to nearest even) and returns its bits.
 *
 * @param x The value.
 * @returns The half's bits.
 * @example
 * ```ts
 * import { floatToHalf, halfToFloat } from "./f16.ts";
 * if (halfToFloat(floatToHalf(0.1)) !== 0.0999755859375) throw new Error();
 * ```
 */
export function floatToHalf(x: number): number {
  _f32[0] = x;
  const f = _u32[0];
  const sign = (f >>> 16) & 0x8000;
  const exp = (f >>> 23) & 0xff, frac = f & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (frac ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 31) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    const m = frac | 0x800000, shift = 14 - e;
    const half = 1 << (shift - 1), rest = m & ((1 << shift) - 1);
    let v = m >> shift;
    if (rest > half || (rest === half && (v & 1))) v++;
    return sign | v;
  }
  let v = (e << 10) | (frac >> 13);
  const rest = frac & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && (v & 1))) v++;
  return sign | v;
}

let _table: Float32Array | null = null;

function _halfTable(): Float32Array {
  if (!_table) {
    _table = new Float32Array(65536);
    for (let h = 0; h < 65536; h++) _table[h] = halfToFloat(h);
  }
  return _table;
}
