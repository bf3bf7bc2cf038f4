import assert from "node:assert/strict";
import { buildPairBatch } from "../../src/data/pair_batch_builder.ts";
import { pairBatch, type PairRow, pairRows } from "../../src/data/schema.ts";

const rows: PairRow[] = Array.from({ length: 300 }, (_, i) => ({
  pair_id: `p${i}`,
  group_id: `g${i % 7}`,
  prompt: i % 5 === 0 ? "" : `prompt ${i} — café 東京 🙂`.repeat(1 + (i % 4)),
  response_a: "a".repeat(i),
  response_b: `b€${i}`,
  label: i % 3 === 0 ? null : i % 2 ? 1 : -1,
  split: i % 2 ? "seed" : "unlabelled",
  gold: i % 3 === 0 ? 1 : null,
  source: `f.jsonl:${i + 1}`,
}));

Deno.test("buildPairBatch() gives the same schema and values as pairBatch(), unicode and nulls included", () => {
  const fast = buildPairBatch(rows), slow = pairBatch(rows);
  assert.deepEqual(
    fast.schema.fields.map((f) => [f.name, String(f.type), f.nullable]),
    slow.schema.fields.map((f) => [f.name, String(f.type), f.nullable]),
  );
  assert.deepEqual(pairRows(fast), rows);
  assert.equal(fast.getChild("label")!.nullCount, 100);
});

Deno.test("buildPairBatch() handles an empty batch", () => {
  const b = buildPairBatch([]);
  assert.equal(b.numRows, 0);
  assert.equal(b.schema.fields.length, 9);
});
