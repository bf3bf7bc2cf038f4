import assert from "node:assert/strict";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { type ParquetColumn, ParquetWriter } from "../../src/pool/parquet_file.ts";

async function readBack(path: string, sql = "SELECT * FROM t") {
  const db = await DuckDBInstance.create(":memory:");
  const conn = await db.connect();
  try {
    await conn.run(`CREATE VIEW t AS SELECT * FROM read_parquet('${path}')`);
    const r = await conn.runAndReadAll(sql);
    return { types: r.columnTypes().map(String), rows: r.getRows() };
  } finally {
    conn.closeSync();
    db.closeSync();
  }
}

Deno.test("ParquetWriter writes strings, integers and floats DuckDB reads back exactly", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = join(dir, "t.parquet");
    // 17 columns and 20 row groups: Thrift lists past the short form (15 items).
    const cols: ParquetColumn[] = [
      { name: "i", type: "int32" },
      ...Array.from({ length: 16 }, (_, k) => ({ name: `s${k}`, type: "utf8" as const })),
      { name: "f", type: "float32" },
    ];
    const w = new ParquetWriter(path, cols);
    const enc = new TextEncoder();
    const want: unknown[][] = [];
    let next = -7;
    for (let g = 0; g < 20; g++) {
      const n = g === 3 ? 0 : 1 + g;
      const ints = Int32Array.from({ length: n }, () => next++);
      const text = (k: number, r: number) =>
        k === 0 ? `é"x,\n${ints[r]}😀\u0000` : r % 3 === 0 ? "" : `v${k}-${ints[r]}`;
      const floats = Float32Array.from(ints, (i) => (i === 0 ? NaN : i / 4));
      w.writeRowGroup(n, [
        ints,
        ...Array.from({ length: 16 }, (_, k) => (r: number) => enc.encode(text(k, r))),
        floats,
      ]);
      for (let r = 0; r < n; r++) {
        want.push([ints[r], ...Array.from({ length: 16 }, (_, k) => text(k, r)), floats[r]]);
      }
    }
    w.close();
    const got = await readBack(path);
    assert.deepEqual(got.types.slice(0, 2), ["INTEGER", "VARCHAR"]);
    assert.equal(got.types[17], "FLOAT");
    assert.deepEqual(got.rows, want);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a Parquet string that is not UTF-8 fails DuckDB's read instead of passing", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = join(dir, "bad.parquet");
    const w = new ParquetWriter(path, [{ name: "s", type: "utf8" }]);
    w.writeRowGroup(2, [(r) => (r ? Uint8Array.of(0xff, 0x41) : Uint8Array.of(0x41))]);
    w.close();
    await assert.rejects(() => readBack(path), /not valid UTF8/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("ParquetWriter refuses values that do not fit its columns", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const w = new ParquetWriter(join(dir, "t.parquet"), [
      { name: "i", type: "int32" },
      { name: "s", type: "utf8" },
    ]);
    assert.throws(() => w.writeRowGroup(1, [Int32Array.of(1)]), {
      name: "RangeError",
      message: "Cannot write a Parquet row group of 1 columns: the file has 2",
    });
    assert.throws(() => w.writeRowGroup(2, [Int32Array.of(1), () => new Uint8Array(0)]), {
      name: "RangeError",
      message: "Cannot write Parquet column 'i': it needs an Int32Array of 2 values",
    });
    assert.throws(() => w.writeRowGroup(1, [Float32Array.of(1), () => new Uint8Array(0)]), {
      name: "RangeError",
      message: "Cannot write Parquet column 'i': it needs an Int32Array of 1 values",
    });
    assert.throws(() => w.writeRowGroup(1, [Int32Array.of(1), Int32Array.of(1)]), {
      name: "RangeError",
      message: "Cannot write Parquet column 's': it needs the bytes of each row",
    });
    w.abort();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
