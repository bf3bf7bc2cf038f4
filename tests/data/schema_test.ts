import assert from "node:assert/strict";
import { Field, FixedSizeList, Float32, List, Uint32, vectorFromArray } from "apache-arrow";
import { pairBatch, pairRows, takeRows, withColumns } from "../../src/data/schema.ts";

const row = (id: string, label: 1 | -1 | null) => ({
  pair_id: id,
  group_id: "g",
  prompt: "p",
  response_a: "a",
  response_b: "b",
  label,
  split: "" as const,
  gold: null,
  source: "t",
});

Deno.test("takeRows keeps list and fixed-size-list columns (token ids, embeddings) intact", () => {
  const b = withColumns(pairBatch([row("x", 1), row("y", -1), row("z", null)]), {
    a_ids: vectorFromArray([[1, 2], [], [7, 8, 9]], new List(new Field("item", new Uint32()))),
    a_emb: vectorFromArray(
      [[0.5, 1], [2, 3], [4, 5]],
      new FixedSizeList(2, new Field("item", new Float32())),
    ),
  });
  const t = takeRows(b, [2, 0]);
  assert.deepEqual(pairRows(t).map((r) => [r.pair_id, r.label]), [["z", null], ["x", 1]]);
  assert.deepEqual(Array.from(t.getChild("a_ids")!.get(0).toArray()), [7, 8, 9]);
  assert.deepEqual(Array.from(t.getChild("a_ids")!.get(1).toArray()), [1, 2]);
  assert.deepEqual(Array.from(t.getChild("a_emb")!.get(0).toArray()), [4, 5]);
});
