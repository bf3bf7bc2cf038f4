/**
 * The UTF-8 bytes of an Arrow string column, row by row, for the appender's BLOB path: a plain
 * `Utf8` column hands out views of its own buffer (no JS string is decoded, none re-encoded);
 * any other string column (large, dictionary, several chunks) is encoded from its values.
 *
 * @module
 */
import { DataType, type Vector } from "apache-arrow";

/** The bytes of row `i`, or null for a null value. */
export type Utf8Bytes = (i: number) => Uint8Array | null;

const ENCODER = new TextEncoder();

/**
 * Reads a string column as UTF-8 bytes.
 *
 * @param v The column (a `Utf8` vector, or any vector of strings).
 * @returns The bytes of each row (a view into the column's buffer when it is one `Utf8` chunk:
 *   valid only as long as the column is).
 * @example
 * ```ts
 * import { vectorFromArray, Utf8 } from "apache-arrow";
 * import { utf8Bytes } from "./utf8_column.ts";
 * const at = utf8Bytes(vectorFromArray(["é", null, "b"], new Utf8()));
 * if (at(0)!.length !== 2 || at(1) !== null || at(2)![0] !== 98) throw new Error();
 * ```
 */
export function utf8Bytes(v: Vector): Utf8Bytes {
  if (v.data.length === 1 && DataType.isUtf8(v.type)) {
    const d = v.data[0];
    const offsets = d.valueOffsets as Int32Array;
    const values = d.values as Uint8Array;
    // A slice's value offsets are sliced with it (its `offset` only shifts the null bitmap).
    if (d.nullCount === 0) return (i) => values.subarray(offsets[i], offsets[i + 1]);
    return (i) => v.isValid(i) ? values.subarray(offsets[i], offsets[i + 1]) : null;
  }
  return (i) => {
    const s = v.get(i);
    return s === null || s === undefined ? null : ENCODER.encode(String(s));
  };
}

/**
 * The UTF-8 bytes of JS strings, row by row: encoded together (one native call) when they are
 * all ASCII, one by one otherwise.
 *
 * @param strings The strings.
 * @returns The bytes of each (views into one buffer when encoded together).
 * @example
 * ```ts
 * import { utf8Of } from "./utf8_column.ts";
 * const at = utf8Of(["ab", "", "é"]);
 * if (at(0).length !== 2 || at(1).length !== 0 || at(2).length !== 2) throw new Error();
 * ```
 */
export function utf8Of(strings: ArrayLike<string>): (i: number) => Uint8Array {
  const n = strings.length;
  const offsets = new Uint32Array(n + 1);
  const parts: string[] = new Array(n);
  for (let i = 0; i < n; i++) {
    parts[i] = strings[i];
    offsets[i + 1] = offsets[i] + strings[i].length;
  }
  const all = ENCODER.encode(parts.join(""));
  if (all.length === offsets[n]) return (i) => all.subarray(offsets[i], offsets[i + 1]);
  return (i) => ENCODER.encode(strings[i]); // not ASCII: a byte is not a character
}
