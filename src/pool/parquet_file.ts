/**
 * A minimal Parquet writer for bulk loads into DuckDB (`read_parquet`): flat, required columns of
 * UTF-8 strings, 32-bit integers or 32-bit floats, plain encoding, no compression, one data page per column and
 * row group. String values are copied as bytes (for an Arrow `Utf8` column, straight from its
 * buffer): no JS string is made and DuckDB reads the file in bulk, where appending value by value
 * from JS costs a native call per value.
 *
 * The format: "PAR1", then per row group and column a page header and the values, then the file
 * metadata (Thrift compact protocol), its length and "PAR1" (https://parquet.apache.org/docs/).
 *
 * @module
 */

/** A column of the file. */
export interface ParquetColumn {
  name: string;
  /**
   * `utf8`: BYTE_ARRAY annotated UTF8 (read as VARCHAR); `int32`: INT32 (read as INTEGER);
   * `float32`: FLOAT (read as FLOAT).
   */
  type: "utf8" | "int32" | "float32";
}

/**
 * The values of one column in a row group: bytes per row (`utf8`), an `Int32Array` (`int32`) or
 * a `Float32Array` (`float32`).
 */
export type ParquetValues = ((row: number) => Uint8Array) | Int32Array | Float32Array;

// Thrift compact protocol type ids.
const T_I32 = 5, T_I64 = 6, T_BINARY = 8, T_LIST = 9, T_STRUCT = 12;
// Parquet enums.
const PHYSICAL = { utf8: 6, int32: 1, float32: 4 } as const;
const REQUIRED = 0, UTF8 = 0, PLAIN = 0, RLE = 3, DATA_PAGE = 0;

/** Writes Thrift compact protocol into a growing buffer. */
class Thrift {
  #buf = new Uint8Array(256);
  #len = 0;
  #last: number[] = [0];

  get bytes(): Uint8Array {
    return this.#buf.subarray(0, this.#len);
  }

  #byte(b: number): void {
    if (this.#len === this.#buf.length) {
      const next = new Uint8Array(this.#buf.length * 2);
      next.set(this.#buf);
      this.#buf = next;
    }
    this.#buf[this.#len++] = b;
  }

  #varint(v: bigint): void {
    while (v >= 0x80n) {
      this.#byte(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    this.#byte(Number(v));
  }

  #zigzag(v: number): void {
    const b = BigInt(v);
    this.#varint(b >= 0n ? b << 1n : ((-b) << 1n) - 1n);
  }

  #field(id: number, type: number): void {
    const delta = id - this.#last[this.#last.length - 1];
    if (delta > 0 && delta <= 15) this.#byte((delta << 4) | type);
    else {
      this.#byte(type);
      this.#zigzag(id);
    }
    this.#last[this.#last.length - 1] = id;
  }

  int(id: number, v: number, type = T_I32): this {
    this.#field(id, type);
    this.#zigzag(v);
    return this;
  }

  long(id: number, v: number): this {
    return this.int(id, v, T_I64);
  }

  string(id: number, s: string): this {
    this.#field(id, T_BINARY);
    this.#binary(s);
    return this;
  }

  #binary(s: string): void {
    const b = new TextEncoder().encode(s);
    this.#varint(BigInt(b.length));
    for (const x of b) this.#byte(x);
  }

  /** A struct field: `body` writes its fields. */
  struct(id: number, body: (t: this) => void): this {
    this.#field(id, T_STRUCT);
    return this.inStruct(body);
  }

  /** The fields of a struct (the top-level one, or a list element), then its stop byte. */
  inStruct(body: (t: this) => void): this {
    this.#last.push(0);
    body(this);
    this.#byte(0);
    this.#last.pop();
    return this;
  }

  #listHeader(id: number, size: number, type: number): void {
    this.#field(id, T_LIST);
    if (size < 15) this.#byte((size << 4) | type);
    else {
      this.#byte(0xf0 | type);
      this.#varint(BigInt(size));
    }
  }

  structs<T>(id: number, items: readonly T[], body: (t: this, item: T) => void): this {
    this.#listHeader(id, items.length, T_STRUCT);
    for (const item of items) this.inStruct((t) => body(t, item));
    return this;
  }

  ints(id: number, items: readonly number[]): this {
    this.#listHeader(id, items.length, T_I32);
    for (const v of items) this.#zigzag(v);
    return this;
  }

  strings(id: number, items: readonly string[]): this {
    this.#listHeader(id, items.length, T_BINARY);
    for (const s of items) this.#binary(s);
    return this;
  }
}

interface ChunkMeta {
  offset: number;
  size: number;
  values: number;
}

/**
 * Writes a Parquet file row group by row group (each written as it comes, so memory holds one
 * row group at most).
 *
 * @example
 * ```ts
 * import { ParquetWriter } from "./parquet_file.ts";
 * const path = await Deno.makeTempFile({ suffix: ".parquet" });
 * const w = new ParquetWriter(path, [{ name: "i", type: "int32" }, { name: "s", type: "utf8" }]);
 * const text = ["a", "é", ""].map((s) => new TextEncoder().encode(s));
 * w.writeRowGroup(3, [Int32Array.of(1, 2, 3), (r) => text[r]]);
 * w.close();
 * if (Deno.statSync(path).size < 40) throw new Error();
 * Deno.removeSync(path);
 * ```
 */
export class ParquetWriter {
  #file: Deno.FsFile;
  #columns: readonly ParquetColumn[];
  #pos = 0;
  #rows = 0;
  #groups: { rows: number; chunks: ChunkMeta[] }[] = [];

  /**
   * Creates (or truncates) the file.
   *
   * @param path The file.
   * @param columns Its columns, in order.
   */
  constructor(path: string, columns: readonly ParquetColumn[]) {
    this.#columns = columns;
    this.#file = Deno.openSync(path, { write: true, create: true, truncate: true });
    this.#write(new TextEncoder().encode("PAR1"));
  }

  #write(b: Uint8Array): void {
    let done = 0;
    while (done < b.length) done += this.#file.writeSync(b.subarray(done));
    this.#pos += b.length;
  }

  /**
   * Writes one row group.
   *
   * @param rows Its rows.
   * @param values One entry per column, in order.
   * @throws {RangeError} When a column's values do not fit it or a page would pass 2 GiB.
   */
  writeRowGroup(rows: number, values: readonly ParquetValues[]): void {
    if (values.length !== this.#columns.length) {
      throw new RangeError(
        `Cannot write a Parquet row group of ${values.length} columns: the file has ` +
          `${this.#columns.length}`,
      );
    }
    const chunks: ChunkMeta[] = [];
    for (let c = 0; c < values.length; c++) {
      const col = this.#columns[c], v = values[c];
      let page: Uint8Array;
      if (col.type !== "utf8") {
        const want = col.type === "int32" ? Int32Array : Float32Array;
        if (!(v instanceof want) || v.length !== rows) {
          throw new RangeError(
            `Cannot write Parquet column '${col.name}': it needs ${
              col.type === "int32" ? "an" : "a"
            } ${want.name} of ${rows} values`,
          );
        }
        page = new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
      } else {
        if (typeof v !== "function") {
          throw new RangeError(
            `Cannot write Parquet column '${col.name}': it needs the bytes of each row`,
          );
        }
        page = _plainByteArrays(col.name, rows, v);
      }
      const header = new Thrift().inStruct((t) =>
        t.int(1, DATA_PAGE).int(2, page.length).int(3, page.length).struct(
          5,
          (d) =>
            d.int(1, rows).int(2, PLAIN).int(3, RLE).int(4, RLE),
        )
      ).bytes;
      const offset = this.#pos;
      this.#write(header);
      this.#write(page);
      chunks.push({ offset, size: header.length + page.length, values: rows });
    }
    this.#groups.push({ rows, chunks });
    this.#rows += rows;
  }

  /** Writes the file metadata and closes the file. */
  close(): void {
    const cols = this.#columns;
    const meta = new Thrift().inStruct((t) =>
      t.int(1, 1)
        .structs(2, [null, ...cols], (s, col) => {
          if (col === null) s.string(4, "schema").int(5, cols.length);
          else {
            s.int(1, PHYSICAL[col.type]).int(3, REQUIRED).string(4, col.name);
            if (col.type === "utf8") s.int(6, UTF8);
          }
        })
        .long(3, this.#rows)
        .structs(4, this.#groups, (g, group) =>
          g.structs(1, group.chunks, (cc, chunk) => {
            const c = group.chunks.indexOf(chunk);
            cc.long(2, chunk.offset).struct(3, (m) =>
              m.int(1, PHYSICAL[cols[c].type])
                .ints(2, [PLAIN, RLE])
                .strings(3, [cols[c].name])
                .int(4, 0)
                .long(5, chunk.values)
                .long(6, chunk.size)
                .long(7, chunk.size)
                .long(9, chunk.offset));
          })
            .long(
              2,
              group.chunks.reduce((s, c) => s + c.size, 0),
            )
            .long(3, group.rows))
        .string(6, "serflow")
    ).bytes;
    const tail = new Uint8Array(meta.length + 8);
    tail.set(meta);
    new DataView(tail.buffer).setUint32(meta.length, meta.length, true);
    tail.set(new TextEncoder().encode("PAR1"), meta.length + 4);
    this.#write(tail);
    this.#file.close();
  }

  /** Closes the file without finishing it (after a failure; the caller removes it). */
  abort(): void {
    try {
      this.#file.close();
    } catch {
      // already closed
    }
  }
}

/** PLAIN-encoded BYTE_ARRAY values: each value's length (u32 LE), then its bytes. */
function _plainByteArrays(
  name: string,
  rows: number,
  bytes: (row: number) => Uint8Array,
): Uint8Array {
  let size = 4 * rows;
  const parts: Uint8Array[] = new Array(rows);
  for (let r = 0; r < rows; r++) {
    parts[r] = bytes(r);
    size += parts[r].length;
  }
  if (size > 2 ** 31 - 1) {
    throw new RangeError(
      `Cannot write Parquet column '${name}': ${size} bytes in one row group pass 2 GiB: ` +
        `write fewer rows per group`,
    );
  }
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  let pos = 0;
  for (let r = 0; r < rows; r++) {
    const p = parts[r];
    view.setUint32(pos, p.length, true);
    out.set(p, pos + 4);
    pos += 4 + p.length;
  }
  return out;
}
